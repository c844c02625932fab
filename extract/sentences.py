"""Split a document into sentences the way a careful reader would, keeping character offsets.

Rules (why a hand-written splitter and not spaCy's parser-based one: the parser splits inside
quotations, drops closing quotes onto the next sentence and merges bracketed quotes; news readers
and the annotation guidelines do neither):

- line 1 is the headline and is one sentence, whatever punctuation it holds;
- a line break always ends a sentence (articles are stored one paragraph per line);
- inside a line, a sentence ends at ``.``, ``!``, ``?`` or ``…`` followed by any closing quotes or
  brackets, then whitespace, then something that can open a sentence (a capital, a digit, an
  opening quote or bracket, a currency sign);
- abbreviations ("Mr.", "Sept.", "Corp.") and initials ("Donald J. Trump") do not end a sentence;
  dotted acronyms ("U.S.", "U.K.") and company/month abbreviations end one only when the next word
  is a typical sentence opener ("... sent to the U.S. The fund ..."), and a dotted acronym also
  when another country's name follows ("... in the U.S. Japan's envoy said ...").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Titles before a name never end a sentence.
TITLES = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "sen",
    "rep",
    "gov",
    "gen",
    "lt",
    "col",
    "st",
    "sr",
    "jr",
    "rev",
    "hon",
}
# These end a sentence only when a typical opener follows.
SOFT_ABBREVIATIONS = {
    "inc", "corp", "co", "ltd", "plc", "llc", "no", "vs", "approx", "est", "etc",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
}  # fmt: skip
SENTENCE_OPENERS = {
    "a", "an", "the", "but", "and", "or", "so", "yet", "still", "however", "meanwhile", "it", "its",
    "he", "she", "they", "we", "i", "you", "this", "that", "these", "those", "there", "in", "on", "at",
    "as", "if", "while", "when", "after", "before", "for", "from", "with", "without", "under", "of",
    "his", "her", "their", "our", "my", "officials", "some", "many", "both", "all", "no", "not",
    "despite", "although", "though", "since", "because", "instead", "moreover", "also", "even",
    "what", "who", "how", "why", "where", "asked", "speaking", "according", "last", "earlier", "later",
}  # fmt: skip

# Verbs that, right after a country's name, make it the subject of a new clause.
CLAUSE_VERBS = {
    "has", "have", "had", "is", "was", "will", "would", "could", "can", "may", "must", "should", "said",
    "says", "agreed", "agrees", "pledged", "pledges", "promised", "committed", "announced", "insisted",
    "denied", "rejected", "signed", "plans", "wants", "did", "does",
}  # fmt: skip

CLOSERS = "\"'”’»)]"
# Candidate boundary: terminal punctuation, closers, whitespace, then an opener-like character.
_BOUNDARY = re.compile(
    r"([.!?…]+)([" + re.escape(CLOSERS) + r"]*)(\s+)(?=[\"'“‘«(\[$€£¥₩…A-Z0-9\u00C0-\u024F])"
)
# A list bullet is not part of the sentence it introduces.
_BULLET = re.compile(r"^\s*(?:[-•*▪–]\s+)?")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")
_WORD_AFTER = re.compile(r"[\"'“‘«(\[]*([A-Za-z]+)")


@dataclass(frozen=True)
class Sentence:
    """One sentence: its text and its character offsets in the document (text == doc[start:end])."""

    start: int
    end: int
    text: str
    paragraph: int  # index of the line it stands on; 0 is the headline line


def _is_boundary(line: str, match: re.Match[str]) -> bool:
    """Decide whether a candidate boundary really ends a sentence (see the module docstring)."""
    if match.group(1) != ".":
        return True
    # Only the last word matters; a bounded window keeps this linear on endless lines.
    before = _WORD_BEFORE.search(line[max(0, match.start(1) - 40) : match.start(1)])
    if not before:
        return True
    word = before.group(1)
    after = _WORD_AFTER.match(line, match.end())
    next_word = after.group(1).lower() if after else ""
    bare = word.rstrip(".").lower()
    if bare in TITLES:
        return False
    if len(word) == 1 and word.isupper():  # an initial: "Donald J. Trump"
        return False
    if "." in word or bare in SOFT_ABBREVIATIONS:  # "U.S.", "e.g.", "Corp."
        return next_word in SENTENCE_OPENERS or ("." in word and _names_other_country(line, match, word))
    return True


def _names_other_country(line: str, match: re.Match[str], word: str) -> bool:
    """Whether the text after a dotted acronym opens a clause about another country: its name in the
    possessive or as a subject ("... in the U.S. Japan's envoy said ...", "... to the U.S. South Korea
    has agreed ..."), where "U.S. Japan" cannot be one noun phrase ("the U.S. Japan deal" can)."""
    from extract.actors import load_actor_table

    table = load_actor_table()
    after = line[match.end() : match.end() + 60].lstrip("\"'“‘«([")
    mentions = table.countries_in(after)
    if not mentions or mentions[0].start != 0 or mentions[0].code in (table.country_code(word), table.country_code(word + ".")):
        return False
    rest = after[mentions[0].end :]
    if rest[:2] in ("'s", "’s"):
        return True
    following = _WORD_AFTER.match(rest.lstrip())
    return bool(following) and following.group(1).lower() in CLAUSE_VERBS


def split_line(line: str, offset: int) -> list[tuple[int, int]]:
    """Split one line (no newline inside) into (start, end) spans, offsets shifted by `offset`.

    >>> split_line("It rose. He said so.", 0)
    [(0, 8), (9, 20)]
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(line):
        if not _is_boundary(line, match):
            continue
        end = match.start(3)
        if line[start:end].strip():
            spans.append((start, end))
        start = match.end()
    if line[start:].strip():
        spans.append((start, len(line)))
    result = []
    for s, e in spans:
        chunk = line[s:e]
        lead = len(chunk) - len(_BULLET.sub("", chunk, count=1))
        trail = len(chunk) - len(chunk.rstrip())
        result.append((offset + s + lead, offset + e - trail))
    return result


def split_sentences(text: str) -> list[Sentence]:
    """Split a document (headline on line 1, then the body) into sentences with offsets.

    >>> [s.text for s in split_sentences("Japan pledges $1bn. Or not\\nHe said: “It is done. We agree.”")]
    ['Japan pledges $1bn. Or not', 'He said: “It is done.', 'We agree.”']
    """
    sentences: list[Sentence] = []
    offset = 0
    for index, line in enumerate(text.split("\n")):
        if index == 0:
            stripped = line.strip()
            if stripped:
                lead = len(line) - len(line.lstrip())
                sentences.append(Sentence(lead, lead + len(stripped), stripped, 0))
        else:
            for s, e in split_line(line, offset):
                sentences.append(Sentence(s, e, text[s:e], index))
        offset += len(line) + 1
    return sentences
