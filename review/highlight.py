"""The cues of a claim's sentence, as segments a template can mark up: the claimed amount, the condition and
timeframe phrases the extractor stored, and the stance and control cues whose rules fired for the claim.

Segments are plain text; the template escapes each one, so a sentence can never inject markup.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from functools import lru_cache

from extract.amounts import find_money

log = logging.getLogger(__name__)

CUE_CONCEPTS = ("stance", "control")  # cues found by the extractor's spaCy matchers


@dataclass(frozen=True)
class Segment:
    """A run of the sentence and the cues covering it (an empty tuple for plain text)."""

    text: str
    cues: tuple[str, ...] = ()  # kinds: amount, condition, timeframe, stance, control
    title: str = ""  # what the cues are, for a tooltip


@dataclass(frozen=True)
class Cue:
    """One cue span in the sentence."""

    kind: str
    start: int
    end: int
    title: str


_NLP_LOCK = threading.Lock()  # spaCy pipelines are not shared between threads


@lru_cache(maxsize=2)
def _pipeline(model: str | None) -> tuple[object, dict] | None:
    """The spaCy pipeline and the stance and control matchers, loaded once per process and model."""
    from extract.cues import load_concepts
    from extract.nlp import ModelNotInstalled, load_nlp

    try:
        nlp = load_nlp(model)
    except ModelNotInstalled as error:
        log.warning("stance and control cues will not be highlighted: %s", error)
        return None
    return nlp, load_concepts(nlp)


class CueFinder:
    """Finds the stance and control cues of a sentence with the extractor's own patterns.

    The spaCy model loads on first use; without it only amounts, conditions and timeframes are marked.
    """

    def __init__(self, model: str | None = None) -> None:
        self.model = model

    def hits(self, sentence: str, rule_ids: set[str]) -> list[Cue]:
        """The cues of `sentence` whose rule ids are among `rule_ids` (the rules that fired for the claim)."""
        wanted = {r for r in rule_ids if r.split(".", 1)[0] in CUE_CONCEPTS}
        if not wanted:
            return []
        with _NLP_LOCK:
            loaded = _pipeline(self.model)
            if loaded is None:
                return []
            nlp, concepts = loaded
            doc = nlp(sentence)
            found = [hit for name in CUE_CONCEPTS for hit in concepts[name].hits(doc)]
        return [
            Cue(hit.concept, hit.start, hit.end, f"{hit.concept}: {hit.label} ({hit.rule_id})")
            for hit in found
            if hit.rule_id in wanted
        ]


def _phrase_spans(sentence: str, phrase: str) -> list[tuple[int, int]]:
    if not phrase or not phrase.strip():
        return []
    pattern = re.compile(re.escape(phrase.strip()), re.IGNORECASE)
    return [(m.start(), m.end()) for m in pattern.finditer(sentence)]


def _amount_cues(claim: dict) -> list[Cue]:
    amount, sentence = claim.get("amount"), claim["sentence"]
    if amount is None:
        return []
    cues = []
    for money in find_money(sentence):
        values = {money.value, money.high} - {None}
        if any(abs(v - amount) <= 0.005 * amount for v in values):
            cues.append(Cue("amount", money.start, money.end, f"amount: {money.text}"))
    return cues


def claim_cues(claim: dict, finder: CueFinder | None = None) -> list[Cue]:
    """Every cue of a claim (a row of the claims table) in its sentence."""
    sentence = claim["sentence"]
    cues = _amount_cues(claim)
    for phrase in claim.get("conditions") or []:
        cues += [Cue("condition", a, b, f"condition: {phrase}") for a, b in _phrase_spans(sentence, phrase)]
    if claim.get("timeframe"):
        cues += [
            Cue("timeframe", a, b, f"timeframe: {claim['timeframe']}")
            for a, b in _phrase_spans(sentence, claim["timeframe"])
        ]
    if finder is not None:
        rule_ids = set(re.split(r"[+,]", claim.get("rule_id") or ""))
        cues += finder.hits(sentence, rule_ids)
    return cues


def segments(sentence: str, cues: list[Cue]) -> list[Segment]:
    """Split `sentence` at the cue boundaries; each segment lists the cues that cover it."""
    covering: list[list[Cue]] = [[] for _ in sentence]
    for cue in cues:
        for i in range(max(0, cue.start), min(len(sentence), cue.end)):
            covering[i].append(cue)
    out: list[Segment] = []
    start = 0
    for i in range(1, len(sentence) + 1):
        if i == len(sentence) or covering[i] != covering[start]:
            here = covering[start]
            kinds = tuple(dict.fromkeys(c.kind for c in here))
            title = "; ".join(dict.fromkeys(c.title for c in here))
            out.append(Segment(sentence[start:i], kinds, title))
            start = i
    return out


def highlight(claim: dict, finder: CueFinder | None = None) -> list[Segment]:
    """The claim's sentence as segments with its cues marked.

    >>> [s.text for s in highlight({"sentence": "Japan will invest $550 billion", "amount": 550e9}) if s.cues]
    ['$550 billion']
    """
    return segments(claim["sentence"], claim_cues(claim, finder))
