"""The Claim record: every field of the annotation guidelines plus its evidence."""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field

EXTRACTOR_VERSION = "0.1.0"

SIDES = ("us", "partner", "third_party", "author")
STANCES = ("asserted", "hedged", "disputed")
CONTROLS = ("us", "partner")


@dataclass
class Claim:
    """One pledge claim: one sentence of one article, one pledger, one amount.

    The warehouse's claims table has exactly these columns (a test keeps them identical).
    """

    doc: str  # document id: the file name without extension, or the article's canonical URL
    sentence: str  # the sentence verbatim, a substring of the article text
    pledger: str  # ISO 3166-1 alpha-3 code, or "EU"
    recipient: str  # same codes; usually "USA"
    amount: float | None  # in units of `currency`; lower bound of a range
    currency: str | None  # ISO 4217
    speaker: str  # as named in the text, or "author"
    speaker_side: str  # one of SIDES
    stance: str  # one of STANCES
    control: str | None  # one of CONTROLS or None
    conditions: list[str] = field(default_factory=list)  # verbatim phrases
    timeframe: str | None = None  # verbatim phrase
    amount_high: float | None = None  # upper bound of a range ("$350-400 billion")
    timeframe_until: str | None = None  # ISO date the timeframe ends by, parsed with dateparser
    article_url: str | None = None  # evidence: where the sentence was published
    start: int = 0  # evidence: character offset of the sentence in the article text
    end: int = 0
    rule_id: str = ""  # evidence: the rule(s) that produced the claim
    confidence: float = 1.0
    extractor_version: str = EXTRACTOR_VERSION
    claim_id: str = ""  # stable identity, see `make_claim_id`

    def __post_init__(self) -> None:
        if not self.claim_id:
            self.claim_id = make_claim_id(
                self.article_url or self.doc, self.start, self.end, self.pledger, self.amount
            )

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def make_claim_id(source: str, start: int, end: int, pledger: str, amount: float | None) -> str:
    """A stable identity for a claim: same article, same sentence span, same pledger and amount.

    >>> make_claim_id("https://example.org/a", 0, 10, "JPN", 5.5e11) == make_claim_id("https://example.org/a", 0, 10, "JPN", 550000000000)
    True
    """
    amount_key = "" if amount is None else f"{float(amount):.0f}"
    key = f"{source}|{start}|{end}|{pledger}|{amount_key}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


CLAIM_FIELDS = [f.name for f in dataclasses.fields(Claim)]
