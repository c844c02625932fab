"""The cheap first pass: which sentences deserve the full spaCy pipeline.

Tagging, parsing and cue matching cost far more than everything else, and most sentences of a news
article cannot be pledge claims. The gate looks only at surface text (regexes and the tokenizer's
words, no statistical model) and sends a sentence to the full pipeline when

- it states money (`amounts.find_money`, any amount not plainly excluded), or
- every concrete word of some `pledge` or `control` cue pattern occurs in it in some inflection
  (the patterns are the ones the claim builder needs; the word forms are generated from their
  lemmas, so the gate is a superset of what the matchers can fire on), or
- it shares a quotation with a candidate (a multi-sentence quote is attributed at either end).

Everything else is tokenized only, and still attributed from its surface text (a speech verb next
to a known actor, person or office), so pronouns in later sentences resolve as before; parsing
those sentences too changes no score on the dev set (measured: same F1 and field accuracies with
the previous sentences of each candidate's paragraph and the nearest speech sentence parsed). `Extractor(gated=False)` skips the gate and parses everything;
the benchmark and a test check that both give the same claims.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from extract.amounts import find_money, is_excluded_context
from extract.attribution import SPEECH_WORDS, surface_attribution_cue
from extract.cues import pattern_data
from extract.sentences import Sentence

GATED_CONCEPTS = ("pledge", "control")
# Pledge verbs and nouns ("agree", "plan", "give") make a claim only beside money, which the gate
# sees by itself; the reference, deal-status and control cues can make one without money.
UNGATED_LABELS = frozenset({"anchor"})
# Reference cues too weak to make a claim alone: the claim builder takes them only beside a term of
# the pledge (an instrument, a split, a scope) or after a claim of the same speaker in the same
# paragraph, so the gate asks the same of them.
WEAK_REFERENCES = frozenset(
    {"pledge.ref-projects", "pledge.ref-pay-up", "pledge.ref-profit-split", "pledge.deal-terms"}
)
TERM_LABELS = frozenset({"instrument", "split", "scope"})
IRREGULAR = {
    "pay": ("paid",), "buy": ("bought",), "give": ("gave", "given"), "send": ("sent",),
    "spend": ("spent",), "hold": ("held",), "make": ("made",), "choose": ("chose", "chosen"),
    "sell": ("sold",), "bring": ("brought",), "build": ("built",), "lead": ("led",),
    "mean": ("meant",), "have": ("has", "had"), "base": ("based",), "put": ("put",),
}  # fmt: skip
VOWELS = set("aeiou")
# Irregular forms of speech verbs (`inflections` makes only the regular ones).
IRREGULAR_SPEECH = frozenset(
    "said told wrote written thought cast spoke spoken swore sworn foretold held meant".split()
)
# Words whose reading in the claim builder walks the parse ("the investment" vs "investment decisions").
PARSED_REFERENCES = frozenset(
    "invest invests invested investing investment investments investor investors funding".split()
)
_SYMBOLS = frozenset("%-–—:/&$€£¥₩+")
_WORD = re.compile(r"[^\W\d_]+(?:[.'’][^\W\d_]+)*\.?", re.UNICODE)


def inflections(lemma: str) -> set[str]:
    """Surface forms a lemma can take in news English (a generous superset).

    >>> {"commits", "committed", "commitment"} <= inflections("commit"), "paid" in inflections("pay")
    (True, True)
    """
    w = lemma.lower()
    forms = {w, w + "s", w + "es", w + "ed", w + "d", w + "ing", w + "ment", w + "ments"}
    if w.endswith("e"):
        forms |= {w[:-1] + "ing", w[:-1] + "ed"}
    if w.endswith("y") and len(w) > 2 and w[-2] not in VOWELS:
        forms |= {w[:-1] + "ies", w[:-1] + "ied"}
    if len(w) > 2 and w[-1] not in VOWELS | {"w", "x", "y"} and w[-2] in VOWELS and w[-3] not in VOWELS:
        forms |= {w + w[-1] + "ed", w + w[-1] + "ing"}  # commit -> committed
    forms |= set(IRREGULAR.get(w, ()))
    return forms


def _slot_words(token_pattern: dict) -> set[str] | None:
    """The lower-cased surface words one token pattern can match, or None when unconstrained."""
    for key in ("LOWER", "LEMMA", "ORTH", "TEXT"):
        value = token_pattern.get(key)
        if value is None:
            continue
        words = value.get("IN") if isinstance(value, dict) else [value]
        if not words or not all(isinstance(w, str) for w in words):
            return None  # a REGEX or NOT_IN: cannot be pre-checked cheaply
        if key == "LEMMA":
            return set().union(*(inflections(w) for w in words))
        return {w.lower() for w in words}
    return None


Requirement = tuple[frozenset[str], ...]


def _slot_regex(token_pattern: dict) -> re.Pattern | None:
    """A text-level search for a token pattern that is one REGEX on the token's text, else None.
    Token anchors become boundaries that a superset of spaCy's token edges satisfies."""
    for key in ("TEXT", "ORTH", "LOWER"):
        value = token_pattern.get(key)
        if isinstance(value, dict) and set(value) == {"REGEX"}:
            body = value["REGEX"].removeprefix("^").removesuffix("$")
            return re.compile(rf"(?<![\w.:]){body}(?![\w:])", re.IGNORECASE if key == "LOWER" else 0)
    return None


def _requirements(concept: str, keep) -> tuple[list[Requirement], list[re.Pattern]]:
    """Per pattern of `concept` whose (label, rule id) `keep` accepts: the word sets that must occur;
    and for patterns that name no word but match one token by a regex, that regex over the text."""
    from extract.cues import phrase_to_pattern

    found: list[Requirement] = []
    regexes: list[re.Pattern] = []
    for group in pattern_data(concept)["groups"]:
        for item in group["patterns"]:
            if not keep(group["label"], f"{concept}.{item['id']}"):
                continue
            pattern = item.get("pattern") or phrase_to_pattern(item["phrase"])
            required = [t for t in pattern if t.get("OP") not in ("?", "*")]
            slots = [frozenset(s) for s in map(_slot_words, required) if s is not None]
            searches = [r for r in map(_slot_regex, required) if r is not None]
            if not slots and searches:
                regexes.append(searches[0])
            else:
                found.append(tuple(slots))  # no slot at all: the pattern can fire on any sentence
    return found, regexes


@dataclass(frozen=True)
class Gate:
    """Compiled gate: for each cue pattern, the word sets that must all be present."""

    requirements: tuple[Requirement, ...]  # strong cues: any one makes a candidate
    weak: tuple[Requirement, ...]  # weak references
    terms: tuple[Requirement, ...]  # terms of a pledge, which make a weak reference count
    term_searches: tuple[re.Pattern, ...] = ()  # terms matched by a regex on one token ("50:50")

    @classmethod
    def from_patterns(cls, concepts: Iterable[str] = GATED_CONCEPTS) -> Gate:
        """Derive the gate from the cue pattern files, so a new pattern is gated without extra work."""
        strong: list[Requirement] = []
        weak: list[Requirement] = []
        for name in concepts:
            words, regexes = _requirements(
                name, lambda label, rule: label not in UNGATED_LABELS and rule not in WEAK_REFERENCES
            )
            strong += words + [()] * len(regexes)  # (regex-only strong cues: none today; never missed)
            words, regexes = _requirements(name, lambda label, rule: rule in WEAK_REFERENCES)
            weak += words + [()] * len(regexes)
        terms, searches = _requirements("conditions", lambda label, rule: label in TERM_LABELS)
        return cls(tuple(strong), tuple(weak), tuple(terms), tuple(searches))

    def has_term(self, text: str, words: set[str]) -> bool:
        """Whether a term of a pledge (an instrument, a split, a scope) may be stated in `text`."""
        return self._any(self.terms, words) or any(r.search(text) for r in self.term_searches)

    @staticmethod
    def needs_parser(text: str) -> bool:
        """Whether a candidate sentence needs the dependency parse, not just tags and lemmas: it may
        name a speaker through a speech verb or noun (found by walking the parse), or carries an
        investment word whose reading depends on its modifiers. Elsewhere attribution works from the
        surface text alone, and parsed or not the sentence gives the same claims.

        >>> Gate.needs_parser("The fund will be run by JBIC."), Gate.needs_parser("Akazawa said the fund is set.")
        (False, True)
        """
        words = Gate._words(text)
        return bool(words & _SPEECH_FORMS or words & PARSED_REFERENCES or surface_attribution_cue(text))

    @staticmethod
    def _words(text: str) -> set[str]:
        words = {w.lower() for w in _WORD.findall(text)}  # "u.s." keeps its dot
        # symbols are tokens of their own in patterns ("# % of profits", "# - to - #")
        return words | {w.rstrip(".") for w in words} | (set(text) & _SYMBOLS)

    @staticmethod
    def _any(requirements: tuple[Requirement, ...], words: set[str]) -> bool:
        return any(all(slot & words for slot in req) for req in requirements)

    def has_cue(self, text: str) -> bool:
        """Whether every word of some strong gated pattern occurs in `text` (case-insensitive).

        >>> Gate.from_patterns().has_cue("Seoul has committed to the fund"), Gate.from_patterns().has_cue("Car sales rose")
        (True, False)
        """
        return self._any(self.requirements, self._words(text))

    def candidates(self, sentences: list[Sentence], quotes: list[tuple[int, ...]] | None = None) -> list[bool]:
        """Per sentence: may it be a claim (money, a strong cue, or a weak one with its support)?

        A weak reference counts beside a term of the pledge, or after a claim of the same speaker in
        the same paragraph, where that speaker is not the author: so the sentence must have a voice
        of its own (inside a quotation, or with a speech verb or attribution phrase), and a strong
        candidate must come before it in its paragraph.
        """
        flags: list[bool] = []
        strong_paragraphs: set[int] = set()
        for i, s in enumerate(sentences):
            money = any(not is_excluded_context(s.text, m) for m in find_money(s.text))
            words = self._words(s.text)
            strong = money or self._any(self.requirements, words)
            if strong:
                strong_paragraphs.add(s.paragraph)
            elif self._any(self.weak, words):
                strong = self.has_term(s.text, words) or (
                    s.paragraph in strong_paragraphs and self._has_voice(s.text, words, quotes[i] if quotes else ())
                )
            flags.append(strong)
        return flags

    @staticmethod
    def _has_voice(text: str, words: set[str], quotes: tuple[int, ...]) -> bool:
        """Whether a sentence may be attributed to someone other than the author."""
        return bool(quotes or words & _SPEECH_FORMS or surface_attribution_cue(text))

    def select(self, text: str, sentences: list[Sentence], quotes: list[tuple[int, ...]]) -> list[bool]:
        """Per sentence: run the full pipeline on it? Candidates, plus every sentence of a quotation
        a candidate is part of (a multi-sentence quote is attributed at either end).

        `quotes` gives, per sentence, the ids of the quotations it touches. Sentences left out still
        get attribution from their surface text (`attribution.surface_speaker`), so a later "he
        added" resolves to the speaker they name.
        """
        chosen = self.candidates(sentences, quotes)
        members: dict[int, list[int]] = {}
        for i, ids in enumerate(quotes):
            for q in ids:
                members.setdefault(q, []).append(i)
        for i in [i for i, c in enumerate(chosen) if c]:
            for q in quotes[i]:
                for j in members[q]:
                    chosen[j] = True
        return chosen


_SPEECH_FORMS = frozenset().union(*(inflections(w) for w in SPEECH_WORDS)) | IRREGULAR_SPEECH
