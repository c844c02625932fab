"""Turn a verbatim timeframe phrase into the date the money should have flowed by.

dateparser does the relative arithmetic, always from the article's publication date (its
RELATIVE_BASE), never from "now", so reruns agree. Phrases with no end ("upfront", "gradually")
give None.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from extract.actors import load_actor_table

NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "a": 1, "a few": 3, "several": 3,
}  # fmt: skip
_NEXT_N = re.compile(
    r"\b(?:next|coming|following|over|within|in)\s+(?:the\s+)?(?:next\s+|coming\s+)?"
    r"(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|a few|several|a)\s+(year|month|decade)s?\b",
    re.IGNORECASE,
)
_YEAR = re.compile(
    r"\b(?:by|through|until|before|end of)\s+(?:the end of\s+)?(?:(\w+)\s+)?(20\d\d)\b", re.IGNORECASE
)
_TERM = re.compile(r"\b([A-Z][\w.()\s]*?)(?:'s|’s)\s+(?:\w+\s+)?term\b")


def timeframe_until(phrase: str, published: date | None) -> date | None:
    """The end date a timeframe phrase implies, relative to the publication date.

    >>> timeframe_until("over the next four years", date(2025, 1, 23))
    datetime.date(2029, 1, 23)
    >>> timeframe_until("by 2029", None)
    datetime.date(2029, 12, 31)
    """
    import dateparser

    if not phrase:
        return None
    year = _YEAR.search(phrase)
    if year:
        month = year.group(1)
        if month and not month.isdigit() and month.lower() not in ("the", "end", "of"):
            parsed = dateparser.parse(
                f"{month} {year.group(2)}",
                settings={"PREFER_DAY_OF_MONTH": "last", "RELATIVE_BASE": _base(published)},
            )
            if parsed:
                return parsed.date()
        return date(int(year.group(2)), 12, 31)
    if published is None:
        return None
    nxt = _NEXT_N.search(phrase)
    if nxt:
        raw = nxt.group(1).lower()
        count = int(raw) if raw.isdigit() else NUMBER_WORDS.get(raw, 1)
        unit = nxt.group(2).lower()
        if unit == "decade":
            count, unit = count * 10, "year"
        parsed = dateparser.parse(
            f"in {count} {unit}s",
            settings={"RELATIVE_BASE": _base(published), "PREFER_DATES_FROM": "future"},
        )
        return parsed.date() if parsed else None
    term = _TERM.search(phrase)
    if term:
        return load_actor_table().term_end(term.group(1), published)
    return None


def _base(published: date | None) -> datetime:
    day = published or date(2000, 1, 1)
    return datetime(day.year, day.month, day.day)
