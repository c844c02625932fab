"""Who makes each sentence's claim: quotes, reported speech, "according to", narrated positions.

Works over a whole document, in order, because a quote can run over several sentences with its
attribution only at the end (“... guarantee. It is ...,” said one official), and pronouns ("he
added") point back to the last named speaker.

- Direct quotes: the speaker is the subject of a speech verb outside the quote marks in any
  sentence the quote touches, or the name before a colon ("Lutnick: “...”").
- Reported speech and narrated positions: the subject of a speech or stance verb ("X said Japan
  would...", "officials have not confirmed...", "EU admits..."), the object of "according to", the
  owner of a speech noun ("Trump's demand that...", "the announcement from Trump").
- A country as the subject of a pledge verb ("Japan agreed to invest") is narration, not a speaker;
  a person or office pledging ("the crown prince pledged") is the speaker.
- Otherwise the speaker is `author`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extract.actors import OFFICIAL_WORDS, THIRD_PARTY_WORDS, load_actor_table
from extract.cues import doc_text, doc_words
from extract.sentences import Sentence

# Verbs that report what a source says, thinks or concedes (lemmas).
SPEECH_VERBS = frozenset(
    [
        "say",
        "tell",
        "state",
        "add",
        "claim",
        "insist",
        "emphasize",
        "emphasise",
        "note",
        "stress",
        "reiterate",
        "repeat",
        "confirm",
        "clarify",
        "admit",
        "concede",
        "acknowledge",
        "announce",
        "argue",
        "warn",
        "write",
        "post",
        "affirm",
        "explain",
        "cite",
        "assess",
        "comment",
        "describe",
        "characterize",
        "characterise",
        "frame",
        "cast",
        "tout",
        "boast",
        "declare",
        "threaten",
        "vow",
        "deny",
        "reject",
        "dismiss",
        "expect",
        "hope",
        "believe",
        "think",
        "indicate",
        "signal",
        "elaborate",
        "contend",
        "maintain",
        "predict",
        "estimate",
        "complain",
        "demand",
        "urge",
        "respond",
        "reply",
        "recall",
        "report",
        "tweet",
        "hail",
        "praise",
        "caution",
        "disclose",
        "reveal",
        "specify",
        "mention",
        "brag",
        "promise",
        "pledge",
    ]
)
# Speech verbs that are also pledge verbs: they make a speaker only of a person or an office.
PLEDGE_SPEECH_VERBS = frozenset({"promise", "pledge", "vow"})
# Nouns whose owner is a speaker: "Trump's demand that...", "the announcement from Trump".
SPEECH_NOUNS = frozenset(
    [
        "claim",
        "statement",
        "demand",
        "announcement",
        "remarks",
        "remark",
        "comments",
        "comment",
        "post",
        "readout",
        "assertion",
        "insistence",
        "pledge",
        "promise",
        "proposal",
        "suggestion",
        "assessment",
        "view",
        "position",
    ]
)
SPEECH_WORDS = SPEECH_VERBS | SPEECH_NOUNS | {"according"}
QUANTIFIERS = frozenset({"one", "some", "many", "two", "three", "several", "most", "all", "each", "both"})
NON_SPEAKERS = frozenset({"it", "this", "that", "which", "there", "what", "these", "those", "who"})
ANAPHORIC_SOURCES = re.compile(
    r"^(?:the|that|this) (?:report|readout|statement|paper|newspaper|post|document)$", re.IGNORECASE
)
PRONOUN_SPEAKERS = frozenset({"he", "she", "they", "i", "we"})
ANAPHORIC_HEADS = re.compile(
    r"^(?:report|readout|statement|people|sources?|prince|king|emir|sheikh|premier|chancellor|governor)$",
    re.IGNORECASE,
)

_OPENERS = "“‘«"
_QUOTE_MARK = re.compile("[\"'“”‘’«»]")
_CLOSERS = "”’»"
_HEADLINE_COLON = re.compile(r"^([^:“”\"]{3,60}):\s")
# A sentence that carries on someone's reported speech: "It will also agree to invest ..."
_CONTINUATION = re.compile(r"^(?:It|They|He|She)\s+(?:will|would|also|could|is to|are to|had)\b")
_COLON_INTRO = re.compile(r"^\[?\s*([^:“”\"\[\]]{2,90}?):\s*[“\"‘']")


@dataclass(frozen=True)
class Attribution:
    """The speaker of one sentence and how it was found."""

    speaker: str  # as named in the text, or "author"
    rule_id: str  # attribution.quote / .reported / .according-to / .speech-noun / .colon / .author
    in_quote: bool = False
    name: str | None = None  # the person's name inside `speaker`, when there is one
    quotes: tuple[int, ...] = ()  # ids of the quotations this sentence is part of


def quote_regions(line: str) -> list[tuple[int, int]]:
    """Spans of quoted text in one paragraph (quote marks included); an unclosed quote runs to the end.

    >>> line = 'He said, “It is done. We agree,” and left.'
    >>> [line[s:e] for s, e in quote_regions(line)]
    ['“It is done. We agree,”']
    """
    regions: list[tuple[int, int]] = []
    open_at: int | None = None
    n = len(line)
    for mark in _QUOTE_MARK.finditer(line):  # other characters never open or close a quote
        i, ch = mark.start(), mark.group(0)
        prev = line[i - 1] if i else " "
        nxt = line[i + 1] if i + 1 < n else " "
        if ch in "'’" and prev.isalnum() and nxt.isalnum():
            continue  # an apostrophe: it's, Japan's
        if open_at is None:
            opens = ch in _OPENERS or (ch in "\"'" and not prev.isalnum() and not nxt.isspace())
            if opens and not (ch in "‘'" and prev.isalnum()):
                open_at = i
            continue
        closes = ch in _CLOSERS or ch == '"' or (ch == "'" and not nxt.isalnum())
        if ch in "’'" and not (prev in ".,!?;:…" or not nxt.isalnum()):
            closes = False
        if ch in "“‘" or (ch in "’'" and line[open_at] in '“"' and prev not in ".,!?…"):
            # a nested or sloppy single quote inside a double-quoted passage stays inside
            closes = False if ch not in "”" else closes
        if closes and i > open_at:
            regions.append((open_at, i + 1))
            open_at = None
    if open_at is not None:
        regions.append((open_at, n))
    return regions


def _subject_phrase(token) -> str:
    """The text of a subject token's subtree, trimmed of leading conjunctions and punctuation."""
    tokens = list(token.subtree)
    while tokens and (tokens[0].is_punct or tokens[0].lower_ in {"but", "and", "so", "yet"}):
        tokens = tokens[1:]
    while tokens and tokens[-1].is_punct:
        tokens = tokens[:-1]
    if not tokens:
        return ""
    return token.doc[tokens[0].i : tokens[-1].i + 1].text


def _subject_of(verb):
    """The subject token of a verb, climbing through conjoined and relative clauses."""
    for _ in range(4):
        subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass", "csubj")]
        agents = [c for c in verb.children if c.dep_ == "agent"]
        if agents and (not subjects or subjects[0].dep_ == "nsubjpass"):
            objects = [c for c in agents[0].children if c.dep_ == "pobj"]
            # "the deal announced by Japan" is narration; "reported by the Saudi Press Agency" is a source
            if objects and (
                subjects
                or load_actor_table().find_actor(_subject_phrase(objects[0]))
                or OFFICIAL_WORDS.search(_subject_phrase(objects[0]))
            ):
                return objects[0]
        if subjects:
            subject = subjects[0]
            if subject.lower_ in ("who", "which", "that") and verb.dep_ == "relcl":
                return verb.head
            return subject
        if verb.dep_ == "relcl":
            return verb.head
        if verb.dep_ in ("conj", "xcomp", "advcl") and verb.head is not verb:
            verb = verb.head
            continue
        return None
    return None


def _can_speak(token) -> bool:
    """Whether a subject's head word can be a source (a person, body, place or pronoun), not "the plan"."""
    if token.ent_type_ in ("PERSON", "ORG", "GPE", "NORP") or token.pos_ == "PROPN":
        return True
    if token.lower_ in PRONOUN_SPEAKERS:
        return True
    if token.lower_ in QUANTIFIERS:  # "one of the senior officials"
        for prep in (c for c in token.children if c.dep_ == "prep" and c.lower_ == "of"):
            if any(_can_speak(o) for o in prep.children if o.dep_ == "pobj"):
                return True
    word = token.text
    if OFFICIAL_WORDS.search(word) or THIRD_PARTY_WORDS.search(word) or ANAPHORIC_HEADS.match(word):
        return True
    return load_actor_table().find_actor(word) is not None or bool(load_actor_table().countries_in(word))


def _is_person_like(phrase: str, doc) -> bool:
    actor = load_actor_table().find_actor(phrase)
    if actor is not None:
        return actor.kind in ("person", "institution", "state_media")
    if any(e.label_ == "PERSON" and e.text in phrase for e in doc.ents):
        return True
    return bool(OFFICIAL_WORDS.search(phrase))


def _outside(token, regions: list[tuple[int, int]]) -> bool:
    return not any(s <= token.idx < e for s, e in regions)


def find_local_speaker(doc, regions: list[tuple[int, int]], headline: bool = False) -> tuple[str, str] | None:
    """The speaker named in one sentence outside its quotes: (phrase, rule_id) or None.

    `regions` are the sentence's quoted spans (offsets relative to the sentence).
    """
    text = doc_text(doc)
    colon = _COLON_INTRO.match(text)
    if colon and regions:
        return colon.group(1).strip(), "attribution.colon"
    if headline:  # "Japan's chief negotiator: only 1-2% is investment"
        label = _HEADLINE_COLON.match(text)
        verbs = [t for t in doc if t.idx < (label.end(1) if label else 0) and t.pos_ in ("VERB", "AUX")]
        if label and not verbs and _is_person_like(label.group(1), doc):
            return label.group(1).strip(), "attribution.headline-colon"
    best: tuple[int, str, str] | None = None
    words = doc_words(doc) if doc.has_annotation("DEP") else frozenset()
    if not words & SPEECH_WORDS:
        return surface_speaker(doc, regions)  # nothing the parse could attribute (or no parse)
    for token in doc:
        if not headline and not _outside(token, regions):
            continue
        candidate: tuple[str, str] | None = None
        if token.lower_ == "according" and token.i + 1 < len(doc) and doc[token.i + 1].lower_ == "to":
            objects = [c for c in doc[token.i + 1].children if c.dep_ == "pobj"]
            if objects:
                candidate = (_subject_phrase(objects[0]), "attribution.according-to")
        elif token.lemma_.lower() in SPEECH_VERBS and token.pos_ in ("VERB", "AUX", "NOUN", "PROPN"):
            if token.pos_ in ("NOUN", "PROPN") and token.dep_ not in ("ROOT",):
                continue
            if _descriptive(token):
                continue
            subject = _subject_of(token)
            if subject is not None and subject.lower_ not in NON_SPEAKERS and _can_speak(subject):
                phrase = _subject_phrase(subject)
                if token.lemma_.lower() in PLEDGE_SPEECH_VERBS and not _is_person_like(phrase, doc):
                    continue
                candidate = (phrase, "attribution.reported")
        elif token.lemma_.lower() in SPEECH_NOUNS and token.pos_ == "NOUN":
            owners = [c for c in token.children if c.dep_ == "poss"]
            for prep in (c for c in token.children if c.dep_ == "prep" and c.lower_ in ("from", "by")):
                owners += [c for c in prep.children if c.dep_ == "pobj"]
            owners = [
                o
                for o in owners
                if o.lower_ not in NON_SPEAKERS | {"its", "their", "his", "her"} and _can_speak(o)
            ]
            if owners:
                candidate = (_subject_phrase(owners[0]), "attribution.speech-noun")
        if candidate and candidate[0]:
            depth = _depth(token)
            if best is None or depth < best[0]:
                best = (depth, candidate[0], candidate[1])
    if best is None:
        return surface_speaker(doc, regions)
    return best[1], best[2]


# Inflected speech verbs for the surface fallback (the small parser often tags "Trump" as a verb
# or adjective and loses the subject, especially in headlines).
SPEECH_FORMS = (
    r"said|says|told|tells|stated|states|added|adds|claimed|claims|insisted|insists|emphasi[sz]ed|"
    r"noted|stressed|reiterated|repeated|repeats|confirmed|confirms|clarified|admitted|admits|conceded|"
    r"concedes|acknowledged|announced|announces|argued|argues|warned|warns|wrote|writes|posted|affirmed|"
    r"explained|threatened|threatens|vowed|vows|denied|denies|rejected|rejects|dismissed|expects|hopes|"
    r"framed|touted|boasted|declared|maintained|complained|predicted|pledged|pledges|promised|promises|"
    r"made (?:a|an|the|his|her|its|their) (?:\w+ )?(?:claim|statement|announcement|remarks?|pledge)"
)
_SURFACE_VERB = re.compile(rf"\b(?:{SPEECH_FORMS})\b", re.IGNORECASE)
_SURFACE_NOUN = re.compile(
    r"(?:’s|'s)\s+(?:\w+\s+)?(?:demand|claim|statement|announcement|remarks|comments|post|insistence|pledge)\b"
    r"|\b(?:demand|claim|statement|announcement|remarks|comments|post|pledge)s?\s+(?:from|by)\s+$",
    re.IGNORECASE,
)
_GROUP = re.compile(
    r"(?:(?:one|some|many|two|three|several|most|all|each|either|neither|both) of )?(?:(?:the|a|an|one|two|three|four|several|many|some|senior|top|other|another|[A-Z][\w’'.-]*)\s+){0,4}"
    r"(?:officials?|spokes(?:person|man|woman)|ministry|minister|negotiator|commission|office|government|"
    r"analysts?|experts?|critics?|economists?|lawmakers?)\b",
)
_GAP = re.compile(
    r"^(?:\s*,[^.;:“”\"]{0,70},)?\s*(?:\w+ly\s+|has\s+|had\s+|have\s+|also\s+|again\s+|then\s+){0,3}$"
)


_NESTED = re.compile(
    r"[“\"][^”\"]*?(?<![\w’'])(?P<who>(?:[A-Z][\w.’'-]*\s+){0,3}[A-Z][\w.’'-]*)\s+"
    r"(?:said|says|told (?:me|us|him|her|them|reporters)|added|wrote|declared)\s*[,:]?\s*‘(?P<inner>.+?)(?:’(?!\w)|$)"
)
_MONEY_MARK = re.compile(r"[$€¥£]|\b(?:USD|EUR|JPY|KRW|dollars?|won|yen|euros?)\b|\d")


def nested_speaker(text: str) -> str | None:
    """The speaker of a quote inside a quote, when the inner quote holds the sentence's figures:
    “Akazawa told me, ‘We will invest $550bn,’” Trump said -> "Akazawa".

    >>> nested_speaker("“Lee told us, ‘Korea will put in $350 billion,’” he said.")
    'Lee'
    >>> nested_speaker("“We will put in $350 billion,” he said.") is None
    True
    """
    if "‘" not in text:
        return None
    match = _NESTED.search(text)
    if not match:
        return None
    who, inner = match.group("who"), match.group("inner")
    outside = text[: match.start("inner")] + text[match.end("inner") :]
    if not _MONEY_MARK.search(inner) or _MONEY_MARK.search(outside):
        return None  # the figures are not (only) the inner speaker's
    table = load_actor_table()
    if table.find_actor(who) is None and len(who.split()) < 2:
        return None  # "Then" or "It": not a name
    return who


def surface_attribution_cue(text: str) -> bool:
    """Whether `surface_speaker` has a speech verb or noun to work from in `text` (no parse needed)."""
    return bool(_SURFACE_VERB.search(text) or _SURFACE_NOUN.search(text))


def _mentions(doc) -> list[tuple[int, int]]:
    """Spans in a sentence that can name a speaker: known actors, people, countries, officials."""
    text = doc_text(doc)
    table = load_actor_table()
    spans = [(m.start(), m.end()) for m in table._actor_re.finditer(text)]
    spans += [(e.start_char, e.end_char) for e in doc.ents if e.label_ in ("PERSON", "ORG", "NORP")]
    spans += [(c.start, c.end) for c in table.countries_in(text)]
    spans += [(m.start(), m.end()) for m in _GROUP.finditer(text)]
    return spans


def surface_speaker(doc, regions: list[tuple[int, int]], pledge_ok: bool = True) -> tuple[str, str] | None:
    """Fallback attribution from surface text: the speaker mention right before a speech verb
    ("Trump, reading from a paper, said"), right after one ("said one of the officials"), or owning
    a speech noun ("President Trump's demand that ...")."""
    text = doc_text(doc)
    if not (_SURFACE_VERB.search(text) or _SURFACE_NOUN.search(text)):
        return None  # no speech verb or noun: nothing to attribute (and mentions are dear to find)
    mentions = _mentions(doc)
    if not mentions:
        return None
    for verb in _SURFACE_VERB.finditer(text):
        if any(s <= verb.start() < e for s, e in regions):
            continue
        span = doc.char_span(verb.start(), verb.end(), alignment_mode="expand")
        if span is not None and _descriptive(span[0]):
            continue
        before = [(s, e) for s, e in mentions if e <= verb.start() and _GAP.match(text[e : verb.start()])]
        if before:
            end = max(e for _, e in before)
            start = min(s for s, e in before if e == end or (e >= end - 1))
            start = _extend_left(text, start, mentions)
            phrase = text[start:end]
            if verb.group(0).lower().startswith(("pledge", "promise")) and not _is_person_like(phrase, doc):
                continue
            return phrase, "attribution.surface"
        after = [(s, e) for s, e in mentions if 0 <= s - verb.end() <= 2]
        if after and verb.group(0).lower() in ("said", "says", "added", "wrote", "told"):
            s0 = min(s for s, _ in after)
            e0 = max(e for s, e in mentions if s >= s0 and e - s0 < 60)
            return text[s0:e0], "attribution.surface"
    for noun in _SURFACE_NOUN.finditer(text):
        before = [(s, e) for s, e in mentions if e == noun.start() or 0 <= noun.start() - e <= 1]
        if before:
            start, end = _extend_left(text, before[0][0], mentions), before[0][1]
            return text[start:end], "attribution.speech-noun"
    return None


def _extend_left(text: str, start: int, mentions: list[tuple[int, int]]) -> int:
    """Grow a mention over adjacent mentions and titles on its left ("U.S. President Donald Trump")."""
    changed = True
    while changed:
        changed = False
        for s, e in mentions:
            if s < start and 0 <= start - e <= 1:
                start, changed = s, True
        title = re.search(r"((?:[A-Z][\w.’'-]*\s+){1,4})$", text[:start])
        if title and title.start() < start:
            start, changed = title.start(), True
    return start


def _descriptive(token) -> bool:
    """A speech verb in a relative or adverbial clause with no content clause describes, it does not
    attribute: "deals Trump has touted", "where America expects"."""
    return token.dep_ in ("relcl", "advcl", "acl") and not any(
        c.dep_ in ("ccomp", "xcomp") for c in token.children
    )


def _depth(token) -> int:
    depth = 0
    while token.head is not token and depth < 50:
        token = token.head
        depth += 1
    return depth


def _person_name(phrase: str, doc) -> str | None:
    for ent in doc.ents:
        if ent.label_ == "PERSON" and ent.text in phrase:
            return ent.text
    actor = load_actor_table().find_actor(phrase)
    if actor is not None and actor.kind == "person":
        return actor.name
    return None


QuoteIndex = tuple[list[tuple[int, int]], dict[int, list[int]]]


def quote_index(text: str) -> QuoteIndex:
    """Quote regions in document offsets, and per paragraph the ids of its regions."""
    regions: list[tuple[int, int]] = []
    by_line: dict[int, list[int]] = {}  # paragraph -> ids of its quote regions (keeps this linear)
    offset = 0
    for index, line in enumerate(text.split("\n")):
        for s, e in quote_regions(line):
            by_line.setdefault(index, []).append(len(regions))
            regions.append((offset + s, offset + e))
        offset += len(line) + 1
    return regions, by_line


def _touching(sentence: Sentence, regions: list[tuple[int, int]], by_line: dict[int, list[int]]) -> list[int]:
    return [
        i
        for i in by_line.get(sentence.paragraph, [])
        if regions[i][0] < sentence.end and sentence.start < regions[i][1]
    ]


def sentence_quotes(
    text: str, sentences: list[Sentence], index: QuoteIndex | None = None
) -> list[tuple[int, ...]]:
    """Per sentence, the ids of the quotations it touches (cheap: no parse needed).

    >>> from extract.sentences import split_sentences
    >>> text = "H\\n“We pay. They decide,” he said. Fine."
    >>> sentence_quotes(text, split_sentences(text))
    [(), (0,), (0,), ()]
    """
    regions, by_line = index or quote_index(text)
    return [tuple(_touching(s, regions, by_line)) for s in sentences]


def _opens_quote_paragraph(sentences: list[Sentence], i: int, result: list[Attribution]) -> bool:
    """Whether sentence `i` opens its paragraph with a quotation mark and the sentence before it, the last
    of the previous paragraph, was a quotation with a named speaker."""
    if not i or not result or sentences[i - 1].paragraph in (0, sentences[i].paragraph):
        return False
    before = result[-1]
    return (
        before.in_quote
        and before.speaker != "author"
        and before.rule_id.startswith(("attribution.quote", "attribution.nested-quote"))
        and sentences[i].text[:1] in _OPENERS + "\"'"
    )


def attribute(
    text: str, sentences: list[Sentence], docs: list, index: QuoteIndex | None = None
) -> list[Attribution]:
    """One Attribution per sentence of a document (same order as `sentences`).

    `index` is the document's `quote_index`, when the caller already has it.
    """
    regions, by_line = index or quote_index(text)

    local: list[tuple[str, str] | None] = []
    sent_quotes: list[list[int]] = []
    in_quote: list[bool] = []
    for sentence, doc in zip(sentences, docs, strict=True):
        touching = _touching(sentence, regions, by_line)
        rel = [(max(0, regions[i][0] - sentence.start), regions[i][1] - sentence.start) for i in touching]
        quoted = sum(min(e, len(sentence.text)) - s for s, e in rel)
        starts_inside = any(regions[i][0] < sentence.start + 1 <= regions[i][1] for i in touching) or (
            bool(rel) and rel[0][0] <= 1
        )
        sent_quotes.append(touching)
        in_quote.append(bool(rel) and (quoted > 0.5 * len(sentence.text) or starts_inside))
        local.append(find_local_speaker(doc, rel, headline=sentence.paragraph == 0))

    # A quote's speaker is the first speaker named in any sentence the quote touches.
    quote_speaker: dict[int, tuple[str, str]] = {}
    for quotes, found in zip(sent_quotes, local, strict=True):
        if found:
            for q in quotes:
                quote_speaker.setdefault(q, found)

    result: list[Attribution] = []
    last_named: str | None = None
    last_person: str | None = None
    last_name: str | None = None
    last_para_quote_speaker: dict[int, str] = {}
    for sentence, doc, quotes, found, quoted in zip(
        sentences, docs, sent_quotes, local, in_quote, strict=True
    ):
        rule = "attribution.author"
        speaker: str | None = None
        if quoted:
            inherited = next((quote_speaker[q] for q in quotes if q in quote_speaker), None)
            pick = inherited or found
            if pick:
                speaker, rule = pick[0], "attribution.quote"
            elif sentence.paragraph in last_para_quote_speaker:
                speaker, rule = last_para_quote_speaker[sentence.paragraph], "attribution.quote-continued"
            elif _opens_quote_paragraph(sentences, len(result), result):
                # a paragraph that opens with an unattributed quote, right after a quoted sentence:
                # the same speaker goes on (how news runs a long quote over several paragraphs)
                speaker, rule = result[-1].speaker, "attribution.quote-continued"
            inner = nested_speaker(sentence.text)
            if inner:  # “Akazawa told me, ‘We will invest $550bn,’” he said: Akazawa's claim
                speaker, rule = inner, "attribution.nested-quote"
        elif found:
            speaker, rule = found
        elif (
            result
            and _CONTINUATION.match(sentence.text)
            and result[-1].rule_id.startswith(("attribution.reported", "attribution.surface"))
            and sentences[len(result) - 1].paragraph == sentence.paragraph
        ):
            speaker, rule = result[-1].speaker, "attribution.reported-continued"
        if speaker and speaker.lower() in ("he", "she"):
            speaker = last_person or last_named
            rule += "+pronoun"
        elif speaker and (speaker.lower() in PRONOUN_SPEAKERS or ANAPHORIC_SOURCES.match(speaker)):
            speaker = last_named
            rule += "+pronoun"
        if not speaker:
            result.append(Attribution("author", "attribution.author", quoted, None, tuple(quotes)))
            continue
        name = _person_name(speaker, doc) or (last_name if speaker == last_named else None)
        last_named, last_name = speaker, name
        if name or _is_person_like(speaker, doc) and not load_actor_table().countries_in(speaker):
            last_person = speaker
        if quoted:
            last_para_quote_speaker[sentence.paragraph] = speaker
        result.append(Attribution(speaker, rule, quoted, name, tuple(quotes)))
    return result
