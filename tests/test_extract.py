"""Sentence splitting, cue patterns and the claim extractor on short hand-written articles."""

from datetime import date

import pytest

from extract.claims import Extractor, extract_claims
from extract.cues import CONCEPTS, PatternError, pattern_data, phrase_to_pattern
from extract.model import CLAIM_FIELDS
from extract.sentences import split_sentences
from extract.timeframes import timeframe_until


@pytest.fixture(scope="module")
def extractor():
    return Extractor()


# ---- sentences -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("Head. Line\nIt rose. It fell.", ["Head. Line", "It rose.", "It fell."]),
        ("H\nMoney went to the U.S. Air Force base.", ["H", "Money went to the U.S. Air Force base."]),
        ("H\nIt was sent to the U.S. The fund grew.", ["H", "It was sent to the U.S.", "The fund grew."]),
        (
            "H\nHe said, “We pay. They decide.” Then he left.",
            ["H", "He said, “We pay.", "They decide.”", "Then he left."],
        ),
        (
            "H\nOn Sept. 25 Mr. Lee spoke to Donald J. Trump.",
            ["H", "On Sept. 25 Mr. Lee spoke to Donald J. Trump."],
        ),
        ("H\n- A bullet point about $5bn.", ["H", "A bullet point about $5bn."]),
        (
            "H\n'It is a gift. …We can invest it,' he said.",
            ["H", "'It is a gift.", "…We can invest it,' he said."],
        ),
        ("", []),
    ],
)
def test_split_sentences(text, sentences):
    found = split_sentences(text)
    assert [s.text for s in found] == sentences
    assert all(text[s.start : s.end] == s.text for s in found)


# ---- cue patterns ----------------------------------------------------------------------------
def test_pattern_files_are_valid_and_documented():
    for name in CONCEPTS:
        data = pattern_data(name)
        for group in data["groups"]:
            assert group["doc"] and group["patterns"]
            for item in group["patterns"]:
                assert "pattern" in item or phrase_to_pattern(item["phrase"])


def test_bad_phrase_is_rejected():
    with pytest.raises(PatternError):
        phrase_to_pattern("*3 loans")


def cue_labels(extractor, concept: str, sentence: str) -> set[str]:
    doc = extractor.nlp(sentence)
    return {h.label for h in extractor.concepts[concept].hits(doc)}


@pytest.mark.parametrize(
    ("sentence", "label"),
    [
        ("Officials have not confirmed the full amount.", "disputed"),
        ("It's not that the money will be wired in one go.", "disputed"),
        ("The commitments are in no way binding.", "disputed"),
        ("The bloc can't guarantee the figure.", "disputed"),
        ("Only 3% to 4% would be actual equity.", "disputed"),
        ("Most of the package will come as loans and guarantees.", "disputed"),
        ("The sums would come entirely from private firms.", "disputed"),
        ("Our losses would be limited to a small sum.", "disputed"),
        ("In practice, the package is export credit.", "disputed"),
        ("It depends on the intentions of investors.", "disputed"),
        ("The schedule remains unclear.", "hedged"),
        ("The plan has yet to be finalized.", "hedged"),
        ("The money may flow more slowly.", "hedged"),
        ("It wasn't immediately clear how the sum would be raised.", "hedged"),
    ],
)
def test_stance_cues(extractor, sentence, label):
    assert label in cue_labels(extractor, "stance", sentence)


@pytest.mark.parametrize(
    "sentence",
    ["Riyadh will invest $100 billion in American factories.", "The kingdom agreed to buy the jets."],
)
def test_no_stance_cue_means_asserted(extractor, sentence):
    assert cue_labels(extractor, "stance", sentence) == set()


@pytest.mark.parametrize(
    ("sentence", "label"),
    [
        ("The money will be invested at my direction.", "us"),
        ("The fund will be owned and controlled by the United States.", "us"),
        ("We can invest it in anything we want.", "us"),
        ("It depends on the intentions of the private companies.", "partner"),
        ("Money will go through existing corporate channels.", "partner"),
        ("Any project needs Seoul's consent.", "partner"),
        ("The administration will select the projects.", "select"),
    ],
)
def test_control_cues(extractor, sentence, label):
    assert label in cue_labels(extractor, "control", sentence)


@pytest.mark.parametrize(
    ("phrase", "published", "until"),
    [
        ("over the next four years", date(2025, 5, 1), date(2029, 5, 1)),
        ("within three years", date(2025, 5, 1), date(2028, 5, 1)),
        ("by 2030", None, date(2030, 12, 31)),
        ("by the end of 2028", None, date(2028, 12, 31)),
        ("during President Trump's term", date(2025, 8, 1), date(2029, 1, 20)),
        ("upfront", date(2025, 8, 1), None),
        ("over the next four years", None, None),
    ],
)
def test_timeframe_until(phrase, published, until):
    assert timeframe_until(phrase, published) == until


# ---- the extractor ---------------------------------------------------------------------------
ARTICLE = """Seoul says only a sliver of $350bn US fund will be cash
South Korea agreed to invest $350 billion in the United States as part of a tariff deal, the two governments said.
The package includes $150 billion for shipbuilding and $200 billion in other investments.
“Most of it will come as loans and guarantees, not cash,” said Kim Min-ho, a senior official at Seoul's finance ministry.
President Donald Trump said the money would be invested at his direction.
The schedule of the payments remains unclear.
Car sales in the country rose 4% last month, and the central bank kept rates on hold.
"""


def test_extractor_on_a_short_article(extractor):
    claims = extractor.extract(ARTICLE, doc="seoul", published_at="2025-08-01T09:00:00+09:00")
    assert all(c.sentence == ARTICLE[c.start : c.end] for c in claims)
    assert {c.pledger for c in claims} == {"KOR"}
    by_sentence: dict[str, list] = {}
    for c in claims:
        by_sentence.setdefault(c.sentence[:20], []).append(c)
    assert "Car sales in the coun" not in by_sentence
    package = sorted(c.amount for c in by_sentence["The package includes"])
    assert package == [150e9, 200e9]
    (quote,) = by_sentence["“Most of it will com"]
    assert (quote.speaker_side, quote.stance, quote.amount) == ("partner", "disputed", None)
    assert quote.conditions
    (trump,) = by_sentence["President Donald Tru"]
    assert (trump.speaker_side, trump.control, trump.stance) == ("us", "us", "asserted")
    (unclear,) = by_sentence["The schedule of the "]
    assert (unclear.speaker_side, unclear.stance) == ("author", "hedged")
    assert all(c.rule_id.startswith("claim.") for c in claims)
    assert set(claims[0].to_dict()) == set(CLAIM_FIELDS)


@pytest.mark.parametrize(
    ("sentence", "stance"),
    [
        ("Qatar agreed to invest $500 billion in the U.S., although no timetable was given.", "asserted"),
        ("Qatar agreed to invest $500 billion in the U.S., but the timetable remains unclear.", "hedged"),
        ("Qatar listed what projects could get $500 billion of its US investment.", "asserted"),
        ("Qatar may invest $500 billion in the U.S.", "hedged"),
    ],
)
def test_hedges_outside_the_pledge_are_muted(extractor, sentence, stance):
    claims = extractor.extract("Gulf news\n" + sentence, doc="q")
    assert [c.stance for c in claims if c.sentence == sentence] == [stance]


def test_one_record_per_pledger_and_amount(extractor):
    text = (
        "Deals\nTrump said Japan is paying $550 billion and Korea $350 billion, and Japan $550 billion again."
    )
    claims = extractor.extract(text, doc="two")
    assert sorted((c.pledger, c.amount) for c in claims) == [("JPN", 550e9), ("KOR", 350e9)]


def test_distractor_article_gives_no_claims(extractor):
    text = (
        "Carmaker cuts profit forecast\n"
        "The Japanese carmaker expects net profit of 2.1 trillion yen, down from 2.5 trillion yen.\n"
        "US tariffs will cost it $9 billion this year, the company said."
    )
    assert extractor.extract(text, doc="earnings") == []


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "9" * 100_000,
        "日本は5500億ドルを投資する。\n한국은 3500억 달러",
        "$$$ ¥¥ €€ ((( “““",
        "\n\n\n",
        "A" * 5000,
        "H\n" + "Japan will invest $5bn in the U.S. " * 3000,
        "H\n" + "“" * 50_000,
        "H\n" + "‘a’ " * 20_000,
    ],
)
def test_hostile_text_never_raises(extractor, text):
    assert isinstance(extractor.extract(text, doc="hostile"), list)


def test_extract_many_matches_extract(extractor):
    items = [(ARTICLE, {"doc": "a", "published_at": "2025-08-01"}), ("", {"doc": "b"})]
    many = list(extractor.extract_many(items))
    assert len(many) == 2 and many[1] == []
    single = extractor.extract(ARTICLE, doc="a", published_at="2025-08-01")
    assert [c.to_dict() for c in many[0]] == [c.to_dict() for c in single]


def test_extract_claims_from_article(extractor):
    from crawlers.items import Article

    body = ARTICLE.split("\n", 1)[1]
    article = Article(
        url="https://example.org/x",
        canonical_url="https://example.org/x",
        outlet="example",
        title=ARTICLE.split("\n", 1)[0],
        body=body,
        published_at="2025-08-01T00:00:00+00:00",
    )
    claims = extract_claims(article, extractor)
    assert claims and all(c.doc == "https://example.org/x" == c.article_url for c in claims)
