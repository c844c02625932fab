"""Names of people and bodies from proper-noun runs: a cheap stand-in for the statistical NER.

Attribution needs to know which words name a person ("Akizuki Ryosei", "Kim Yong-beom") and which a
body ("the Trade Ministry"); the tagger already marks proper nouns, so a run of them, stripped of
titles and country words in front ("US President Donald Trump" -> "Donald Trump"), is labelled:

- by the actor table when it knows the name (person -> PERSON, anything else -> ORG);
- ORG when its last word is an organisation word ("Ministry", "Bank", "Group", "Times");
- PERSON when it has two or more words, or one word after a title ("Minister Kato");
- otherwise not at all (a lone capitalised word is as often a company as a surname).

The runs become `doc.ents`, so code reading entities works the same with or without `ner`, at a
fraction of its cost (the small model's NER takes longer than tagging and parsing together).
"""

from __future__ import annotations

from spacy.tokens import Doc, Span

from extract.actors import load_actor_table

PROPER_TAGS = frozenset({"NNP", "NNPS"})
CONNECTORS = frozenset({"bin", "al", "von", "der", "de", "van", "la", "le", "da", "del", "ibn", "el"})
TITLE_WORDS = frozenset(
    """president prime minister ministers secretary chancellor premier commissioner crown prince king emir
    sheikh governor ambassador chief spokesperson spokesman spokeswoman negotiator mr mrs ms dr sen rep gen
    vice deputy foreign trade finance commerce treasury economy economic industry energy defense defence
    state cabinet director ceo chairman chair chairwoman executive officer policy staff senior envoy
    special national security adviser advisor representative lawmaker senator congressman congresswoman
    leader speaker general justice interior home affairs presidential office house white sir lord lady
    professor prof analyst economist researcher reporter correspondent editor journalist""".split()
)
ORG_WORDS = frozenset(
    """ministry commission department bank agency office corp corporation group fund house council
    association institute university news times post journal party co inc ltd motor motors electronics
    securities research administration parliament yuan authority federation chamber union organization
    organisation company holdings industries board committee service services network press daily
    herald tribune review foundation center centre program programme initiative""".split()
)


def _run_tokens(doc: Doc) -> list[tuple[int, int]]:
    """(start, end) token ranges of proper-noun runs, hyphenated and particle-joined names included."""
    runs: list[tuple[int, int]] = []
    i, n = 0, len(doc)
    while i < n:
        if doc[i].tag_ not in PROPER_TAGS or not doc[i].text[:1].isupper():
            i += 1
            continue
        j = i + 1
        while j < n:
            t = doc[j]
            glued = not doc[j - 1].whitespace_  # "Yong-beom": "-" and "beom" follow with no space
            if t.tag_ in PROPER_TAGS and t.text[:1].isupper():
                j += 1
            elif glued and t.text in "-‐" and j + 1 < n and not t.whitespace_:
                j += 2  # the hyphen and the word after it
            elif t.lower_ in CONNECTORS and j + 1 < n and doc[j + 1].tag_ in PROPER_TAGS:
                j += 1
            else:
                break
        runs.append((i, j))
        i = j
    return runs


def label_run(doc: Doc, start: int, end: int) -> tuple[int, int, str] | None:
    """The name inside one proper-noun run and its label, or None."""
    table = load_actor_table()
    titled = False
    k = start
    # tokens inside a country name ("Saudi Arabia", "South Korea") are a country, never a name
    run = doc[start:end]
    places = [(m.start + run.start_char, m.end + run.start_char) for m in table.countries_in(run.text)]
    for m in range(start, end):
        word = doc[m].lower_.rstrip(".")
        in_place = any(a <= doc[m].idx and doc[m].idx + len(doc[m]) <= b for a, b in places)
        if word in TITLE_WORDS or in_place or table.country_code(doc[m].text):
            k, titled = m + 1, True
    if k >= end:
        return None
    if start > 0 and doc[start - 1].lower_.rstrip(".") in TITLE_WORDS:
        titled = True
    span = doc[k:end]
    actor = table.find_actor(span.text)
    if actor is not None and actor.name in span.text or actor is not None and span.text in actor.aliases:
        return k, end, "PERSON" if actor.kind == "person" else "ORG"
    if doc[end - 1].lower_.rstrip(".") in ORG_WORDS:
        return start, end, "ORG"
    words = [t for t in span if t.text not in "-‐"]
    if len(words) >= 2 or titled:
        return k, end, "PERSON"
    return None


def mark_names(doc: Doc) -> Doc:
    """Set `doc.ents` from proper-noun runs (a spaCy component-like callable).

    >>> import spacy  # doctest: +SKIP
    """
    if doc.has_annotation("ENT_IOB"):
        return doc
    spans = []
    for start, end in _run_tokens(doc):
        found = label_run(doc, start, end)
        if found:
            spans.append(Span(doc, found[0], found[1], label=found[2]))
    doc.set_ents(spans, default="outside")
    return doc
