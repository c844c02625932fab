"""Money amounts in news text: find them, turn them into a value and an ISO 4217 currency.

Handles "$550 billion", "USD 550 billion", "US$550bn", "$1.4tn", "550 billion dollars", "$350-billion",
"a 550-billion-dollar fund",
"half a trillion dollars", "€600bn", "500 trillion won", "¥80 trillion ($550 billion)" (the USD
figure wins), ranges ("$350-400 billion", "between $350 billion and $400 billion", "from $350
million to $100 billion": amount = low, amount_high = high) and qualifiers ("up to", "more than",
"roughly"). A bare "600 billion" with no currency is kept with currency None so the caller can
borrow the currency of a matching amount elsewhere in the article.

What is *not* a pledge amount (tariff savings, reserves, exports, earnings, market moves) is
decided by `is_excluded_context`, from the words around the amount.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

MAGNITUDES = {
    "thousand": 1e3, "k": 1e3,
    "million": 1e6, "mn": 1e6, "mln": 1e6, "m": 1e6, "mil": 1e6,
    "billion": 1e9, "bn": 1e9, "bln": 1e9, "b": 1e9, "bil": 1e9,
    "trillion": 1e12, "tn": 1e12, "trn": 1e12, "tr": 1e12, "tril": 1e12,
}  # fmt: skip
SYMBOLS = {
    "us$": "USD", "usd": "USD", "$": "USD", "u.s.$": "USD", "€": "EUR", "eur": "EUR", "£": "GBP",
    "gbp": "GBP", "¥": "JPY", "jpy": "JPY", "₩": "KRW", "krw": "KRW", "sar": "SAR", "aed": "AED",
    "qar": "QAR", "nt$": "TWD", "twd": "TWD", "chf": "CHF", "a$": "AUD", "c$": "CAD",
}  # fmt: skip
WORDS = {
    "dollar": "USD", "dollars": "USD", "euro": "EUR", "euros": "EUR", "yen": "JPY", "won": "KRW",
    "pound": "GBP", "pounds": "GBP", "riyal": "SAR", "riyals": "SAR", "dirham": "AED",
    "dirhams": "AED", "francs": "CHF",
}  # fmt: skip

_NUM = r"(?<![\d.,])\d{1,3}(?:,\d{3}){1,4}(?:\.\d+)?(?![\d,])|(?<![\d.,])\d{1,12}(?:\.\d{1,6})?(?![\d])"
_SYM = r"(?:US\$|U\.S\.\$|NT\$|A\$|C\$|\$|€|£|¥|₩|(?:USD|EUR|GBP|JPY|KRW|SAR|AED|QAR|TWD|CHF)(?=\s?\d))"
_MAG = r"(?:thousand|million|billion|trillion|tril|bil|mil|mln|bln|trn|mn|bn|tn|tr|[kKmMbB])(?![A-Za-z])"
_CUR_WORD = r"(?:dollars?|euros?|yen|won|pounds?|riyals?|dirhams?|francs)(?![A-Za-z])"
_QUAL = (
    r"(?:(?:up to|as much as|as many as|more than|over|at least|about|around|roughly|nearly|almost|"
    r"approximately|some|just over|just under|close to|an estimated|a total of|under|less than)\s+)"
)

# "$550 billion", "USD 550bn", "$350-400 billion", "$350 billion-$400 billion"
_SYMBOL_FORM = re.compile(
    rf"(?P<qual>{_QUAL})?(?P<sym>{_SYM})\s?(?P<num>{_NUM})(?:[\s-]?(?P<mag>{_MAG}))?"
    rf"(?:\s?(?:-|–|to)\s?(?:{_SYM})?\s?(?P<num2>{_NUM})(?:[\s-]?(?P<mag2>{_MAG}))?)?"
    rf"(?:[\s-](?P<curword>{_CUR_WORD}))?",
    re.IGNORECASE,
)
# "550 billion dollars", "500 trillion won", "1.4 trillion yen", "600 billion" (bare)
_WORD_FORM = re.compile(
    rf"(?P<qual>{_QUAL})?(?P<num>{_NUM})(?:\s?(?:-|–|to)\s?(?P<num2>{_NUM}))?[\s-]?"
    rf"(?P<mag>million|billion|trillion|mln|bln|trn|mn|bn|tn)(?![A-Za-z])(?:[\s-](?P<curword>{_CUR_WORD}))?",
    re.IGNORECASE,
)
# "half a trillion dollars", "a trillion dollars"
_SPELLED_FORM = re.compile(
    r"(?P<qual>" + _QUAL + r")?(?P<sym>\$)?(?P<word>half a|a|one|two|three|four|five)\s"
    r"(?P<mag>trillion|billion)(?:\s(?P<curword>dollars|euros|yen|won))?",
    re.IGNORECASE,
)
_SPELLED = {"half a": 0.5, "a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5}

# "between $350 billion and $400 billion", "from US$350 million to as much as US$100 billion"
_RANGE_JOINERS = re.compile(r"^\s*(?:and|to|-|–)\s*(?:as much as\s+|up to\s+)?$", re.IGNORECASE)
_RANGE_OPENERS = re.compile(r"(?:between|from|ranging from|ranged from)\s*$", re.IGNORECASE)
# "¥80 trillion ($550 billion)", "$350bn (£264.1bn)", "¥10 trillion (approximately $68 billion)"
_BRACKET_JOIN = re.compile(r"^\s*[(\[]\s*(?:about|approximately|around|roughly|some|or)?\s*$", re.IGNORECASE)
# "1.4 trillion yen, or about $9.5 billion": the same sum in another currency
_OR_JOIN = re.compile(r"^\s*,?\s*or\s+(?:about|approximately|around|roughly|some|nearly)?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Money:
    """One money mention: `value` in units of `currency` (None for a bare "600 billion")."""

    value: float
    currency: str | None
    start: int  # character offsets of the mention in the text searched
    end: int
    text: str
    high: float | None = None  # upper bound of a range
    qualifier: str | None = None  # "up to", "more than", ...


def _number(raw: str) -> float:
    return float(raw.replace(",", ""))


def _magnitude(raw: str | None) -> float:
    if not raw:
        return 1.0
    key = raw.lower()
    # "M" and "B" alone are magnitudes only when written as such ("$600B", "$20M").
    return MAGNITUDES.get(key, 1.0)


def _currency(sym: str | None, word: str | None) -> str | None:
    if sym:
        return SYMBOLS.get(sym.lower().replace(" ", ""), "USD")
    if word:
        return WORDS.get(word.lower())
    return None


def _raw_mentions(text: str) -> list[Money]:
    found: list[Money] = []
    for m in _SYMBOL_FORM.finditer(text):
        mag, mag2 = m.group("mag"), m.group("mag2")
        value = _number(m.group("num")) * _magnitude(mag or mag2)
        high = _number(m.group("num2")) * _magnitude(mag2 or mag) if m.group("num2") else None
        currency = _currency(m.group("sym"), None)
        found.append(Money(value, currency, m.start(), m.end(), m.group(0), high, _qual(m)))
    for m in _WORD_FORM.finditer(text):
        if any(f.start <= m.start("num") < f.end for f in found):
            continue
        mag = _magnitude(m.group("mag"))
        value = _number(m.group("num")) * mag
        high = _number(m.group("num2")) * mag if m.group("num2") else None
        currency = _currency(None, m.group("curword"))
        found.append(Money(value, currency, m.start(), m.end(), m.group(0), high, _qual(m)))
    for m in _SPELLED_FORM.finditer(text):
        if not (m.group("sym") or m.group("curword")):
            continue  # "a billion people" is not money
        if any(f.start < m.end() and m.start() < f.end for f in found):
            continue
        value = _SPELLED[m.group("word").lower()] * MAGNITUDES[m.group("mag").lower()]
        currency = "USD" if m.group("sym") else _currency(None, m.group("curword"))
        found.append(Money(value, currency, m.start(), m.end(), m.group(0), None, _qual(m)))
    return sorted(found, key=lambda f: f.start)


def _qual(m: re.Match[str]) -> str | None:
    qual = m.group("qual")
    return qual.strip().lower() if qual else None


def find_money(text: str) -> list[Money]:
    """All money mentions in `text`, with ranges and bracketed equivalents merged.

    >>> [(m.value, m.currency) for m in find_money("Japan will invest $550 billion")]
    [(550000000000.0, 'USD')]
    """
    return list(_find_money_cached(text))


@lru_cache(maxsize=4096)
def _find_money_cached(text: str) -> tuple[Money, ...]:
    # The gate and the claim builder both read each sentence's money; the regexes run once.
    return tuple(_find_money(text))


def _find_money(text: str) -> list[Money]:
    mentions = [m for m in _raw_mentions(text) if m.value > 0]
    merged: list[Money] = []
    for mention in mentions:
        if merged:
            prev = merged[-1]
            gap = text[prev.end : mention.start]
            if _BRACKET_JOIN.match(gap) or (_OR_JOIN.match(gap) and prev.currency != mention.currency):
                # A bracketed equivalent: keep the USD figure, else the first one printed.
                keep = mention if mention.currency == "USD" and prev.currency != "USD" else prev
                merged[-1] = replace(keep, start=prev.start, end=_close_bracket(text, mention.end))
                continue
            if _RANGE_JOINERS.match(gap) and _RANGE_OPENERS.search(text[: prev.start]):
                merged[-1] = replace(
                    prev, end=mention.end, high=mention.value, text=text[prev.start : mention.end]
                )
                continue
        merged.append(mention)
    return merged


def _close_bracket(text: str, end: int) -> int:
    close = re.match(r"\s*[)\]]", text[end:])
    return end + close.end() if close else end


def parse_amount(text: str) -> tuple[float | None, str | None, float | None]:
    """Parse the first money amount of `text`: (value, currency, high) or (None, None, None).

    >>> parse_amount("half a trillion dollars")
    (500000000000.0, 'USD', None)
    """
    found = find_money(text)
    if not found:
        return None, None, None
    first = found[0]
    return first.value, first.currency, first.high


# Words that make a nearby amount something other than pledged money. Checked in a short window
# before the amount ("reserves of $410 billion", "save roughly ¥10 trillion") and right after it
# ("$3 billion in profit").
EXCLUDED_BEFORE = re.compile(
    r"\b(?:reserves?|exports?|imports?|deficits?|surplus(?:es)?|profits?|revenues?|sales|earnings|"
    r"income|sav(?:e|es|ed|ing|ings)|market (?:value|cap(?:italization)?)|valued|valuation|"
    r"turnover|gdp|losses|loss|shares?|stock|worth around|tariffs? (?:revenue|income)|"
    r"budget|spending|costs?|fines?|bailout|debt|salary|wages?|forecasts?|outlay|"
    # stocks, not pledges: "investment holdings of $780 billion", "already hold about $2.4tn"
    r"holdings?|stocks? of|already (?:hold|holds|held|own|owns|invested|has invested|have invested)|"
    r"(?:hold|holds|held) (?:about|around|roughly|some|nearly|over|more than)|"
    # damage, not money pledged: "a bite of 1.4 trillion yen", "a hit of $9bn"
    r"(?:bite|hit|dent|toll|blow) of|"
    # an earlier value of the same figure: "down from the 3.8 trillion yen it forecast"
    r"(?:down|up) from(?: the)?)\b"
    r"[^.;:]{0,30}$"
    # a price paid for a company or asset: "bought the shipyard for $100 million"
    r"|\b(?:bought|acquired|sold|purchased)\b[^.;:$€£¥]{0,60}\bfor\s*$",
    re.IGNORECASE,
)
EXCLUDED_AFTER = re.compile(
    r"^,?[^.;,]{0,12}\b(?:in (?:profits?|revenues?|sales|savings|losses|exports|imports|"
    r"tariff (?:revenue|payments)|tariffs)|out of (?:its|their|the) (?:\w+ )?(?:earnings|profits?|revenues?)|"
    r"of (?:profits?|revenues?|sales|exports|imports|"
    r"trade|deficit)|trade (?:deficit|surplus)|deficit|surplus|a year in tariffs|worth of (?:exports|imports))\b",
    re.IGNORECASE,
)


STOCK_STATISTIC = re.compile(
    r"\b(?:holdings?|stocks? of|already (?:hold|holds|held|own|owns|invested|has invested|have invested)|"
    r"(?:hold|holds|held) (?:about|around|roughly|some|nearly|over|more than))\b[^.;:]{0,30}$",
    re.IGNORECASE,
)


def is_stock_statistic(text: str, money: Money) -> bool:
    """True when `money` is an existing stock (holdings, money already invested), which makes its
    sentence a statistic about past investment rather than talk of a pledge.

    >>> text = "Firms already hold about $2tn of assets there"
    >>> is_stock_statistic(text, find_money(text)[0])
    True
    """
    return bool(STOCK_STATISTIC.search(text[max(0, money.start - 45) : money.start]))


def is_excluded_context(text: str, money: Money) -> bool:
    """True when the words around `money` show it is not pledged money (savings, reserves, sales...).

    >>> text = "Korea has reserves of $410 billion"
    >>> is_excluded_context(text, find_money(text)[0])
    True
    """
    before = text[max(0, money.start - 80) : money.start]
    after = text[money.end : money.end + 40]
    return bool(EXCLUDED_BEFORE.search(before) or EXCLUDED_AFTER.search(after))
