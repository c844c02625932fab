"""Who is who: countries, people, institutions and outlets, and which side a speaker is on.

Data lives in `patterns/countries.tsv` (names, demonyms, capitals -> ISO alpha-3 or EU) and
`patterns/actors.tsv` (people, offices, institutions, state media, outlets -> country and kind,
with dates of office). The side of a speaker depends on the deal: the pledger's own officials are
`partner`, US officials `us`, anyone else named `third_party`, the article's own voice `author`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources

US = "USA"

# Words that make an unnamed source a government voice ("officials", "the ministry").
OFFICIAL_WORDS = re.compile(
    r"\b(?:officials?|government|gov't|ministry|ministries|minister|ministers|office|spokes(?:person|man|woman)|"
    r"negotiators?|prime minister|premier|president|presidency|commission|commissioner|cabinet|"
    r"secretary|agency|authorities|administration|embassy|ambassador|envoy|delegation|leaders?|"
    r"crown prince|king|kingdom|emir|chancellor|planners|central bank|readout|fact sheet|"
    r"statement|press release|regulators?|chief of staff|bureau|department|state media)\b",
    re.IGNORECASE,
)
# Titles that, without another country named, are US offices in US-datelined trade coverage.
US_TITLES = re.compile(
    r"\b(?:(?:commerce|treasury|energy|interior|agriculture|defen[cs]e|war) secretary|"
    r"secretary of (?:commerce|the treasury|state|energy|the interior|agriculture|defen[cs]e|war)|"
    r"trade representative|white house|the administration|press secretary|the (?:vice[- ])?president)\b",
    re.IGNORECASE,
)
# Sources that speak for nobody's government.
THIRD_PARTY_WORDS = re.compile(
    r"\b(?:analysts?|experts?|economists?|critics?|researchers?|professors?|scholars?|lawmakers?|"
    r"legislators?|opposition|observers?|investors?|strategists?|think[- ]tank|institute|university|"
    r"consultancy|consultants?|hub|securities|research|academics?|commentators?|pundits?|"
    r"executives?|chamber of commerce|business groups?|trade unions?|labou?r unions?|"
    r"newspaper|outlet|media reports?|columnists?|editorial|bank of america|goldman|morgan)\b",
    re.IGNORECASE,
)
PRONOUNS = {"he", "she", "they", "him", "her", "them", "i", "we"}
# Words that may stand before a title naming one office-holder ("the", "Japan's top", "the country's").
OFFICE_LEAD_WORDS = frozenset(
    "the top chief lead leading main current sitting incoming country's nation's kingdom's bloc's".split()
)
# Where a speaker phrase stops naming the speaker: "Japan, which has promised ..."
_PHRASE_TAIL = re.compile(r",\s*(?:which|who|whose|where)\b.*$|\s+alike$", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Actor:
    """One row of actors.tsv."""

    name: str
    aliases: tuple[str, ...]
    kind: str  # person | institution | state_media | outlet | lawmaker | company
    country: str | None
    office: str
    terms: tuple[tuple[date | None, date | None], ...]  # dates of office; empty = always

    def in_office(self, when: date | None) -> bool:
        """Whether the actor held the office on `when` (unknown dates count as in office)."""
        if when is None or not self.terms:
            return True
        return any((s is None or s <= when) and (e is None or when <= e) for s, e in self.terms)


@dataclass(frozen=True)
class CountryMention:
    """A country, demonym or capital found in text, with its code and offsets."""

    start: int
    end: int
    code: str
    form: str


def _parse_date(raw: str) -> date | None:
    raw = raw.strip()
    return date.fromisoformat(raw) if raw else None


def _rows(name: str) -> list[list[str]]:
    text = resources.files("extract").joinpath("patterns", name).read_text(encoding="utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return rows[1:]  # the header


def _terms(starts: str, ends: str) -> tuple[tuple[date | None, date | None], ...]:
    if not starts.strip() and not ends.strip():
        return ()
    s_parts, e_parts = starts.split(";"), ends.split(";")
    e_parts += [""] * (len(s_parts) - len(e_parts))
    return tuple((_parse_date(s), _parse_date(e)) for s, e in zip(s_parts, e_parts, strict=False))


def _word_regex(forms: list[str], flags: int = 0) -> re.Pattern[str]:
    alternation = "|".join(re.escape(f) for f in sorted(set(forms), key=len, reverse=True))
    return re.compile(rf"(?<![\w.])(?:{alternation})(?![\w])", flags)


class ActorTable:
    """Countries and actors loaded from the pattern data files."""

    def __init__(self) -> None:
        self.country_forms: dict[str, str] = {}
        for row in _rows("countries.tsv"):
            self.country_forms[row[0]] = row[1].strip()
        self._country_re = _word_regex(list(self.country_forms))
        self.actors: list[Actor] = []
        self._alias_to_actor: dict[str, Actor] = {}
        for row in _rows("actors.tsv"):
            row = row + [""] * (7 - len(row))
            name, aliases, kind, country, office, starts, ends = (c.strip() for c in row[:7])
            actor = Actor(
                name,
                tuple(a for a in aliases.split("|") if a),
                kind,
                country or None,
                office,
                _terms(starts, ends),
            )
            self.actors.append(actor)
            for alias in (name, *actor.aliases):
                self._alias_to_actor.setdefault(alias, actor)
        self._actor_re = _word_regex(list(self._alias_to_actor))
        self._titles: dict[str, list[Actor]] = {}  # "prime minister" -> people who held that title
        for actor in self.actors:
            if actor.kind in ("person", "lawmaker"):
                for title in actor.office.split("|"):
                    if title.strip():
                        self._titles.setdefault(title.strip().lower(), []).append(actor)
        self._title_re = re.compile(
            rf"(?<![\w-])({'|'.join(re.escape(t) for t in sorted(self._titles, key=len, reverse=True))})$",
            re.IGNORECASE,
        )
        self._countries_cache: dict[str, list[CountryMention]] = {}

    def countries_in(self, text: str) -> list[CountryMention]:
        """Country mentions in `text`, longest form first ("North Korea" is PRK, not KOR).

        >>> [m.code for m in load_actor_table().countries_in("Seoul and Brussels, not North Korea")]
        ['KOR', 'EU', 'PRK']
        """
        cached = self._countries_cache.get(text)
        if cached is None:
            cached = []
            for m in self._country_re.finditer(text):
                form = m.group(0)
                if form == "US" and _is_pronoun_us(text, m.start()):
                    continue
                cached.append(CountryMention(m.start(), m.end(), self.country_forms[form], form))
            if len(self._countries_cache) > 20_000:  # a sentence is asked about several times, then never
                self._countries_cache.clear()
            self._countries_cache[text] = cached
        return list(cached)

    def country_code(self, name: str) -> str | None:
        """The code of a country name, demonym or capital ("Tokyo" -> "JPN"), else None."""
        return self.country_forms.get(name.strip())

    def find_actor(self, phrase: str) -> Actor | None:
        """The known actor named in `phrase` (longest alias wins), else None.

        >>> load_actor_table().find_actor("Commerce Secretary Howard Lutnick").country
        'USA'
        """
        best = None
        for m in self._actor_re.finditer(phrase):
            if best is None or len(m.group(0)) > len(best.group(0)):
                best = m
        return self._alias_to_actor[best.group(0)] if best else None

    def office_holder(self, phrase: str, when: date | None, default_country: str | None = None) -> str | None:
        """The person a title-only phrase names on `when`, or None when it is not one person.

        The country is the one named in the phrase; else the US for US titles ("the president",
        "the commerce secretary"); else `default_country` (the deal's pledger).

        >>> load_actor_table().office_holder("Japan's top trade negotiator", date(2025, 7, 1))
        'Ryosei Akazawa'
        """
        phrase = phrase.strip().rstrip(",.;:")
        match = self._title_re.search(phrase)
        if not match:
            return None
        words = match.group(1).split()
        for i in range(len(words)):  # "chief trade negotiator" is Korea's; Japan's is a "trade negotiator"
            title = " ".join(words[i:]).lower()
            if title not in self._titles:
                continue
            lead = phrase[: len(phrase) - len(title)]
            mentions = self.countries_in(lead)
            for m in reversed(mentions):  # "Japan's top" -> " top"
                lead = lead[: m.start] + lead[m.end :].removeprefix("'s").removeprefix("’s")
            if any(word.lower() not in OFFICE_LEAD_WORDS for word in lead.replace("’", "'").split()):
                return None  # "a senior", "former", "one of the": not the one office-holder
            if mentions:
                country = mentions[0].code
            elif US_TITLES.search(phrase):
                country = US
            else:
                country = default_country
            holders = [a for a in self._titles[title] if a.country == country and a.in_office(when)]
            if holders:
                return holders[0].name if len(holders) == 1 else None  # no date: a title one person held
        return None

    def display_name(
        self, phrase: str, name: str | None, when: date | None, pledger: str | None = None
    ) -> str:
        """The speaker as a record shows it: the person's name as the text gives it, a known surname
        or a title resolved to the office-holder on `when`, else the phrase as written.

        >>> table = load_actor_table()
        >>> table.display_name("Commerce Secretary Howard Lutnick", "Howard Lutnick", date(2025, 8, 1))
        'Howard Lutnick'
        >>> table.display_name("the president", None, date(2025, 8, 1))
        'Donald Trump'
        """
        if name:
            actor = self._alias_to_actor.get(name)
            if (
                actor is not None
                and actor.kind in ("person", "lawmaker")
                and len(name.split()) == 1
                and actor.in_office(when)
            ):
                return actor.name  # "Akazawa" -> "Ryosei Akazawa"
            return name
        cleaned = _PHRASE_TAIL.sub("", phrase.strip())
        return self.office_holder(cleaned, when, pledger) or cleaned

    def term_end(self, name: str, when: date | None) -> date | None:
        """The end of `name`'s term of office that covers `when` (for "during Trump's term")."""
        actor = self.find_actor(name)
        if actor is None:
            return None
        for start, end in actor.terms:
            if when is None or ((start is None or start <= when) and (end is None or when <= end)):
                return end
        return None


def _is_pronoun_us(text: str, start: int) -> bool:
    """'US' in capitals is the country; guard against shouted pronouns ("GIVE US") only."""
    before = text[max(0, start - 12) : start]
    return bool(re.search(r"\b[A-Z]{2,}\s$", before))


@lru_cache(maxsize=1)
def load_actor_table() -> ActorTable:
    """The actor and country tables, loaded once."""
    return ActorTable()


def side_for_country(country: str | None, pledger: str) -> str:
    """The side of a government voice of `country` in a deal pledged by `pledger`.

    >>> side_for_country("USA", "JPN"), side_for_country("JPN", "JPN"), side_for_country("CHN", "JPN")
    ('us', 'partner', 'third_party')
    """
    if country == US:
        return "us"
    if country == pledger:
        return "partner"
    return "third_party"


def speaker_side(
    speaker: str,
    pledger: str,
    when: date | None = None,
    known: dict[str, str] | None = None,
) -> str:
    """Classify a speaker phrase as `us`, `partner`, `third_party` or `author` for a deal.

    `known` maps names met earlier in the article to the fuller phrase that introduced them (e.g.
    "Akizuki Ryōsei" -> "Japan's chief negotiator Akizuki Ryōsei"), so a bare later mention gets
    the side its introduction shows.

    >>> speaker_side("two EU officials", "EU"), speaker_side("analysts", "EU"), speaker_side("author", "EU")
    ('partner', 'third_party', 'author')
    """
    phrase = speaker.strip()
    if not phrase or phrase == "author":
        return "author"
    table = load_actor_table()
    if known:
        for name, introduction in known.items():
            if name and name in phrase and introduction != phrase:
                return speaker_side(introduction, pledger, when)
    actor = table.find_actor(phrase)
    countries = [m.code for m in table.countries_in(phrase)]
    if actor is not None and actor.kind == "outlet" and pledger in countries:
        actor = None  # "statements from Japan and reporting by PBS": the government is the source
    if actor is not None:
        if actor.kind in ("outlet", "lawmaker", "company") or not actor.in_office(when):
            return "third_party"
        if actor.kind == "state_media" or actor.kind in ("person", "institution"):
            return side_for_country(actor.country, pledger)
    if THIRD_PARTY_WORDS.search(phrase) and not re.search(r"\bofficials?\b", phrase, re.IGNORECASE):
        return "third_party"
    if OFFICIAL_WORDS.search(phrase):
        if countries:
            return side_for_country(countries[0], pledger)
        if US_TITLES.search(phrase):
            return "us"
        return "partner"  # unnamed officials in coverage of a pledge speak for the pledger
    if countries:
        return side_for_country(countries[0], pledger)
    if phrase.lower() in PRONOUNS:
        return "author"
    return "third_party"
