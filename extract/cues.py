"""Cue patterns as data: load `patterns/*.json`, compile them into spaCy Matchers, report hits.

Each JSON file holds groups of patterns for one concept (stance, control, conditions, timeframe,
pledge vocabulary). A group has a `label` (what a hit means, e.g. "disputed"), a `doc` with example
phrases, and `patterns`, each with an `id` (traced into Claim.rule_id) and either a spaCy token
`pattern` or a compact `phrase`:

    word        the lower-cased token is `word`
    a|b|c       the lower-cased token is one of these
    ~lemma      the token's lemma ("~not" matches "not" and "n't"; "~a|b" for several)
    #           a number-like token ("90", "1.5")
    *           any one token, optional;   *3  up to three tokens of anything
    +           one or more tokens up to the next punctuation (for "if ..." clauses)

Patterns are validated when loaded: unique ids, a non-empty doc, and each compiles.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from spacy.matcher import Matcher

CONCEPTS = ("pledge", "stance", "control", "conditions", "timeframe")


@dataclass(frozen=True)
class Hit:
    """One cue found in a sentence: character offsets are relative to the sentence text."""

    concept: str
    label: str
    rule_id: str
    start: int
    end: int
    text: str


class PatternError(ValueError):
    """Raised by `load_concept` when a pattern file is malformed (bad phrase, duplicate id, no doc)."""


def phrase_to_pattern(phrase: str) -> list[dict[str, Any]]:
    """Compile the compact phrase syntax (see the module docstring) into a Matcher pattern.

    >>> phrase_to_pattern("~not *2 ~confirm")
    [{'LEMMA': 'not'}, {'OP': '{0,2}'}, {'LEMMA': 'confirm'}]
    """
    pattern: list[dict[str, Any]] = []
    for part in phrase.split():
        if part == "*":
            pattern.append({"OP": "?"})
        elif part.startswith("*") and part[1:].isdigit():
            pattern.append({"OP": "{0," + part[1:] + "}"})
        elif part == "+":
            pattern.append({"IS_PUNCT": False, "OP": "+"})
        elif part == "#":
            pattern.append({"LIKE_NUM": True})
        elif part.startswith("~"):
            words = part[1:].split("|")
            pattern.append({"LEMMA": words[0]} if len(words) == 1 else {"LEMMA": {"IN": words}})
        else:
            words = part.split("|")
            pattern.append({"LOWER": words[0]} if len(words) == 1 else {"LOWER": {"IN": words}})
    if not pattern or "OP" in pattern[0] and "LEMMA" not in pattern[0] and "LOWER" not in pattern[0]:
        raise PatternError(f"phrase must start with a concrete token: {phrase!r}")
    return pattern


@dataclass
class Concept:
    """The compiled patterns of one concept file.

    Each rule has its own Matcher and the set of words it cannot match without (`requirements`, one
    set per concrete token: its lower-cased forms or lemmas), so a sentence runs only the rules whose
    words it contains; spaCy's Matcher otherwise tries every rule's first token at every token.
    """

    name: str
    matchers: dict[str, Matcher]  # rule id -> its matcher
    labels: dict[str, str]  # rule id -> label
    requirements: dict[str, tuple[frozenset[str], ...]]  # rule id -> words that must all occur
    # rule id -> per token (attribute, words) for rules that are plain word sequences, matched
    # without the Matcher (same results, a fraction of the per-call cost)
    simple: dict[str, tuple[tuple[str, frozenset[str]], ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # rule ids by one word they need (their rarest-looking slot: the smallest), and the rules
        # that need no particular word, so a sentence looks only at rules its words can trigger
        self._by_word: dict[str, list[str]] = {}
        self._always: list[str] = []
        for rule_id, slots in self.requirements.items():
            if not slots:
                self._always.append(rule_id)
                continue
            for word in min(slots, key=len):
                self._by_word.setdefault(word, []).append(rule_id)

    def hits(self, doc) -> list[Hit]:
        """All cue hits in a spaCy Doc (one sentence), longest match per start, in text order."""
        words = doc_words(doc)
        rules = set(self._always)
        for word in words:
            rules.update(self._by_word.get(word, ()))
        found: list[Hit] = []
        for rule_id in sorted(rules):
            if not all(slot & words for slot in self.requirements[rule_id]):
                continue
            simple = self.simple.get(rule_id)
            matches = _simple_matches(doc, simple) if simple else self.matchers[rule_id](doc)
            for _match_id, start, end in matches:
                span = doc[start:end]
                found.append(
                    Hit(self.name, self.labels[rule_id], rule_id, span.start_char, span.end_char, span.text)
                )
        return _longest_first(found)


def doc_text(doc) -> str:
    """`doc.text`, joined once per Doc (spaCy rebuilds it from the tokens on every access)."""
    cached = doc.user_data.get("pledgewatch_text")
    if cached is None:
        cached = doc.user_data["pledgewatch_text"] = doc.text
    return cached


def doc_words(doc) -> frozenset[str]:
    """Lower-cased forms and lemmas of a Doc's tokens, computed once per Doc."""
    cached = doc.user_data.get("pledgewatch_words")
    if cached is None:
        from spacy.attrs import LEMMA, LOWER

        strings = doc.vocab.strings
        cached = frozenset(strings[h] for h in set(doc.to_array([LOWER, LEMMA]).ravel().tolist()) if h)
        doc.user_data["pledgewatch_words"] = cached
    return cached


def _token_columns(doc) -> tuple[list[str], list[str]]:
    cached = doc.user_data.get("pledgewatch_columns")
    if cached is None:
        from spacy.attrs import LEMMA, LOWER

        strings = doc.vocab.strings
        rows = doc.to_array([LOWER, LEMMA]).tolist() if len(doc) else []
        cached = ([strings[r[0]] for r in rows], [strings[r[1]] if r[1] else "" for r in rows])
        doc.user_data["pledgewatch_columns"] = cached
    return cached


def _simple_matches(doc, specs: tuple[tuple[str, frozenset[str]], ...]) -> list[tuple[int, int, int]]:
    """Matches of a plain word-sequence rule, as (0, start, end) like Matcher's output."""
    lowers, lemmas = _token_columns(doc)
    columns = {"LOWER": lowers, "LEMMA": lemmas}
    width, n = len(specs), len(lowers)
    return [
        (0, i, i + width)
        for i in range(n - width + 1)
        if all(columns[key][i + k] in words for k, (key, words) in enumerate(specs))
    ]


def simple_specs(pattern: list[dict[str, Any]]) -> tuple[tuple[str, frozenset[str]], ...] | None:
    """(attribute, words) per token when a pattern is a plain sequence of LOWER/LEMMA words, else None.

    >>> [(key, sorted(words)) for key, words in simple_specs(phrase_to_pattern("in|of cash"))]
    [('LOWER', ['in', 'of']), ('LOWER', ['cash'])]
    """
    specs = []
    for token in pattern:
        if len(token) != 1 or next(iter(token)) not in ("LOWER", "LEMMA"):
            return None
        key, value = next(iter(token.items()))
        words = value.get("IN") if isinstance(value, dict) and set(value) == {"IN"} else value
        words = [words] if isinstance(words, str) else words
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            return None
        specs.append((key, frozenset(words)))
    return tuple(specs)


def required_words(pattern: list[dict[str, Any]]) -> tuple[frozenset[str], ...]:
    """Per concrete token of a Matcher pattern, the words (lower forms or lemmas) it can match.

    >>> [sorted(slot) for slot in required_words(phrase_to_pattern("~not *2 ~confirm|guarantee"))]
    [['not'], ['confirm', 'guarantee']]
    """
    slots = []
    for token in pattern:
        if token.get("OP") in ("?", "*") or (token.get("OP") or "").startswith("{0"):
            continue
        for key in ("LOWER", "LEMMA"):
            value = token.get(key)
            if value is None:
                continue
            words = value.get("IN") if isinstance(value, dict) else [value]
            if words and all(isinstance(w, str) for w in words):
                slots.append(frozenset(words))
            break
    return tuple(slots)


def _longest_first(hits: list[Hit]) -> list[Hit]:
    """Drop hits of the same rule nested inside a longer hit of that rule."""
    hits = sorted(hits, key=lambda h: (h.start, -(h.end - h.start)))
    kept: list[Hit] = []
    for hit in hits:
        if any(k.rule_id == hit.rule_id and k.start <= hit.start and hit.end <= k.end for k in kept):
            continue
        kept.append(hit)
    return kept


def _read(name: str) -> dict[str, Any]:
    text = resources.files("extract").joinpath("patterns", f"{name}.json").read_text(encoding="utf-8")
    return json.loads(text)


def load_concept(name: str, vocab) -> Concept:
    """Load and validate `patterns/<name>.json` into a Matcher bound to `vocab`."""
    data = _read(name)
    matchers: dict[str, Matcher] = {}
    simple: dict[str, tuple[tuple[str, frozenset[str]], ...]] = {}
    requirements: dict[str, tuple[frozenset[str], ...]] = {}
    labels: dict[str, str] = {}
    for group in data["groups"]:
        label = group["label"]
        if not group.get("doc"):
            raise PatternError(f"{name}: group {label!r} needs a doc with example phrases")
        for item in group["patterns"]:
            rule_id = f"{name}.{item['id']}"
            if rule_id in labels:
                raise PatternError(f"{name}: duplicate pattern id {item['id']!r}")
            pattern = item.get("pattern") or phrase_to_pattern(item["phrase"])
            matchers[rule_id] = Matcher(vocab, validate=True)
            matchers[rule_id].add(rule_id, [pattern])
            requirements[rule_id] = required_words(pattern)
            specs = simple_specs(pattern)
            if specs:
                simple[rule_id] = specs
            labels[rule_id] = label
    return Concept(name, matchers, labels, requirements, simple)


@lru_cache(maxsize=8)
def _cached(vocab_id: int, vocab) -> dict[str, Concept]:
    return {name: load_concept(name, vocab) for name in CONCEPTS}


def load_concepts(nlp) -> dict[str, Concept]:
    """All concept matchers for this pipeline's vocabulary (compiled once per pipeline)."""
    return _cached(id(nlp.vocab), nlp.vocab)


def pattern_data(name: str) -> dict[str, Any]:
    """The raw JSON of one concept file (for tests and docs)."""
    return _read(name)
