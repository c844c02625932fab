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
        # another country opening a clause ends the sentence; the same country or a compound does not
        ("H\nIt goes to the U.S. Japan's envoy agreed.", ["H", "It goes to the U.S.", "Japan's envoy agreed."]),
        ("H\nHe flew to the U.S. South Korea has agreed.", ["H", "He flew to the U.S.", "South Korea has agreed."]),
        ("H\nThe U.S. Japan deal is done.", ["H", "The U.S. Japan deal is done."]),
        ("H\nOfficials in the U.S. Washington said.", ["H", "Officials in the U.S. Washington said."]),
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
        ("The minister said the sum was an estimate and not a state commitment.", "disputed"),
        ("The ministry said no such figure had been agreed.", "disputed"),
        ("Seoul has not agreed to the amount.", "disputed"),
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


# ---- the gate, the fast components, and gated == ungated ---------------------------------------
GULF_ARTICLE = """UAE commits $1.4tn to US over a decade, White House says
The United Arab Emirates has committed to a $1.4 trillion investment framework in the United States over the next 10 years, the White House said.
Sheikh Tahnoon bin Zayed told reporters the money would flow into artificial intelligence, energy and manufacturing.
“Projects will be run by Emirati companies. They will only fund what is commercially viable,” he said.
Emirati funds already hold about $1 trillion of American assets, according to Treasury data.
Qatar, for its part, signed deals worth $243.5 billion, and Saudi Arabia pledged $600 billion.
Oil prices fell 2% on Tuesday as traders weighed the outlook for demand.
The dirham has been pegged to the dollar since 1997.
"""

TAIWAN_ARTICLE = """Taipei says chip pledge is not a blank cheque
Taiwan agreed to invest $250 billion in the US under the trade pact, and to guarantee a further $250 billion in credit.
Vice Premier Cheng Li-chiun said the government cannot order companies to invest and that the figure reflects corporate plans.
She added that the credit guarantees would only be used if firms asked for them.
Analysts said the package may take years to materialise.
"""


def test_gate_keeps_money_and_pledge_cues_and_drops_the_rest(extractor):
    sentences = split_sentences(GULF_ARTICLE)
    flags = extractor.gate.candidates(sentences)
    chosen = {s.text[:25] for s, f in zip(sentences, flags, strict=True) if f}
    assert "The United Arab Emirates " in chosen and "Qatar, for its part, sign" in chosen
    assert "Oil prices fell 2% on Tue" not in chosen and "The dirham has been pegge" not in chosen


SPLIT_ARTICLE = """Tokyo details profit split in $550bn fund
Japan will put $550 billion into a US fund, Akazawa said on Friday.
The details were set out over dinner. Profits will be split 90:10 after the payback, he said.
Lutnick: "90% of profits will go to the U.S."
Toyota projects a lower net profit for the year.
"""


def test_gate_needs_a_term_or_a_voice_for_weak_references(extractor):
    from extract.attribution import sentence_quotes

    sentences = split_sentences(SPLIT_ARTICLE)
    flags = extractor.gate.candidates(sentences, sentence_quotes(SPLIT_ARTICLE, sentences))
    chosen = [s.text for s, f in zip(sentences, flags, strict=True) if f]
    picked = lambda start: any(text.startswith(start) for text in chosen)  # noqa: E731
    assert picked("Profits will be split")  # a ratio on one token ("90:10") is a term
    assert picked('Lutnick: "90% of profits')  # "# % of profits": the symbol counts as a word
    # narration with a weak reference ("details", "profit") and no term: the author speaks, no claim
    assert not picked("The details were set") and not picked("Toyota projects")


@pytest.mark.parametrize(
    ("lemma", "form"),
    [("commit", "committed"), ("pay", "paid"), ("invest", "investing"), ("buy", "bought"), ("fund", "funds")],
)
def test_gate_inflections(lemma, form):
    from extract.gate import inflections

    assert form in inflections(lemma)


def test_quote_context_is_parsed(extractor):
    from extract.attribution import sentence_quotes

    text = "H\n“It is a fund. It is ours,” said the minister, adding that the weather was fine."
    sentences = split_sentences(text)
    chosen = extractor.gate.select(text, sentences, sentence_quotes(text, sentences))
    assert chosen == [False, True, True]


@pytest.mark.parametrize("article", [ARTICLE, GULF_ARTICLE, TAIWAN_ARTICLE, SPLIT_ARTICLE])
def test_gated_and_ungated_give_the_same_claims(extractor, article):
    ungated = Extractor(nlp=extractor.nlp, gated=False)
    meta = {"doc": "x", "published_at": "2025-05-20"}
    (gated_claims,) = extractor.extract_many([(article, meta)])
    (all_claims,) = ungated.extract_many([(article, meta)])
    key = lambda c: (c.start, c.end, c.pledger, c.amount)  # noqa: E731
    assert sorted(map(key, gated_claims)) == sorted(map(key, all_claims))


def test_fast_attribute_ruler_equals_spacy(extractor):
    from extract.nlp import FastAttributeRuler

    nlp = extractor.nlp
    texts = [
        *(s.text for s in split_sentences(ARTICLE + GULF_ARTICLE + TAIWAN_ARTICLE)),
        "There is no money, and there were no loans; I ain't gonna say it, let's go.",
        "  Spaces\t and\n\nnewlines  ",
    ]
    fast = FastAttributeRuler(nlp.get_pipe("attribute_ruler"))

    def annotate(ruler) -> list:
        out = []
        for text in texts:
            doc = nlp.make_doc(text)
            for name, proc in nlp.pipeline:
                if name in ("attribute_ruler", "ner"):
                    doc = ruler(doc) if name == "attribute_ruler" else doc
                else:
                    doc = proc(doc)
            out.append([(t.pos_, str(t.morph), t.lemma_) for t in doc])
        return out

    assert annotate(fast) == annotate(nlp.get_pipe("attribute_ruler"))


def test_fast_lemmatizer_equals_spacy(extractor):
    from extract.nlp import FastLemmatizer

    nlp = extractor.nlp
    texts = [
        *(s.text for s in split_sentences(ARTICLE + GULF_ARTICLE + TAIWAN_ARTICLE + SPEAKER_ARTICLE)),
        "She has been saying they were leaving; the leaves fell, and better men had better plans.",
        "The funds were funding funds that fund the funded.",
        "",
    ]
    fast = FastLemmatizer(nlp.get_pipe("lemmatizer"))

    def lemmas(lemmatizer) -> list:
        out = []
        for _ in range(2):  # the second round answers from the cache
            for text in texts:
                doc = nlp.make_doc(text)
                for name, proc in nlp.pipeline:
                    if name == "lemmatizer":
                        doc = lemmatizer(doc)
                    elif name != "ner":
                        doc = proc(doc)
                out.append([t.lemma_ for t in doc])
        return out

    assert lemmas(fast) == lemmas(nlp.get_pipe("lemmatizer"))


def test_parser_skipped_only_where_the_parse_is_not_read(extractor):
    from extract.gate import Gate

    assert not Gate.needs_parser("The fund will be run by a public bank.")
    assert not Gate.needs_parser("Loans and loan guarantees make up most of the package.")
    for text in (
        "Akazawa said the fund is set.",
        "The ministry told reporters the fund is set.",  # irregular speech verb
        "Investment decisions rest with the companies.",  # read through the parse
        "Trump's demand that Japan pay up.",  # speech noun
        "According to officials, the fund is set.",
    ):
        assert Gate.needs_parser(text), text


@pytest.mark.parametrize(
    ("sentence", "name", "label"),
    [
        ("US President Donald Trump said the money was his.", "Donald Trump", "PERSON"),
        ("Vice Premier Cheng Li-chiun spoke on Monday.", "Cheng Li-chiun", "PERSON"),
        ("The Trade Ministry said so.", "Trade Ministry", "ORG"),
        ("Khalid Al-Falih told reporters the fund was ready.", "Khalid Al-Falih", "PERSON"),
    ],
)
def test_names_from_proper_noun_runs(extractor, sentence, name, label):
    from extract.names import mark_names

    doc = extractor.nlp.make_doc(sentence)
    for _name, proc in extractor.components:
        doc = proc(doc)
    assert (name, label) in {(e.text, e.label_) for e in mark_names(doc).ents}


# ---- other deals, our own sentences ------------------------------------------------------------
def test_several_pledgers_in_one_sentence_and_stocks_are_not_pledges(extractor):
    claims = extractor.extract(GULF_ARTICLE, doc="gulf", published_at="2025-05-20")
    found = {(c.pledger, c.amount) for c in claims}
    assert {("ARE", 1.4e12), ("QAT", 243.5e9), ("SAU", 600e9)} <= found
    assert not [c for c in claims if c.sentence.startswith(("Emirati funds already", "Oil prices"))]
    (framework,) = [c for c in claims if c.amount == 1.4e12 and c.sentence.startswith("The United")]
    assert framework.speaker_side == "us" and framework.timeframe


def test_partner_control_and_disputed_stance(extractor):
    claims = extractor.extract(TAIWAN_ARTICLE, doc="twn", published_at="2025-09-01")
    assert {c.pledger for c in claims} == {"TWN"}
    (cheng,) = [c for c in claims if c.sentence.startswith("Vice Premier")]
    assert (cheng.speaker_side, cheng.control) == ("partner", "partner")
    (analysts,) = [c for c in claims if c.sentence.startswith("Analysts")]
    assert (analysts.speaker_side, analysts.stance) == ("third_party", "hedged")


# ---- hostile text: bounded, linear work --------------------------------------------------------
def test_work_grows_linearly_with_length(extractor):
    """Counted work, not wall-clock: sentences tokenized and parsed grow in proportion to the input,
    and junk (one endless line, currency signs) is never parsed."""
    unit = "H\n" + GULF_ARTICLE.split("\n", 1)[1]
    counts = []
    for copies in (1, 4):
        extractor.stats.clear()
        extractor.extract(unit + "\n".join([GULF_ARTICLE.split("\n", 1)[1]] * (copies - 1)), doc="x")
        counts.append((extractor.stats["sentences"], extractor.stats["parsed_words"]))
    (s1, p1), (s4, p4) = counts
    assert 3.5 * s1 <= s4 <= 4.5 * s1 and p4 <= 4.5 * p1
    extractor.stats.clear()
    extractor.extract("H\n" + "9" * 200_000 + " " + "$" * 100_000, doc="junk")
    assert extractor.stats["parsed_words"] == 0


HOSTILE_SCRIPT = """
import sys
from extract.claims import Extractor
e = Extractor()
import resource
pledge = "Japan will invest $5bn in the U.S. and Korea may pay ₩3tn, officials said.\\n"
filler = "The weather in the north was mild and markets were calm during a quiet day of trading.\\n"
texts = [
    "H\\n" + (pledge + filler * 199) * 600,  # about 10 MB: prose with a pledge every 200 lines
    "H\\n" + "7" * 100_000,
    "H\\n" + "$€¥₩£" * 20_000,
    "Заголовок\\n" + "日本は5500億ドルを投資する。한국은 3500억 달러. Россия " * 5_000,
    "Titre\\nLe Japon investira 550 milliards de dollars aux États-Unis, a dit le ministre. " * 200,
]
for text in texts:
    claims = e.extract(text, doc="hostile")
    assert isinstance(claims, list)
assert len(texts[0]) > 10_000_000
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
assert peak_mb < 1024, peak_mb
print("ok", len(texts))
"""


def test_hostile_inputs_complete_in_a_subprocess():
    """A 10 MB article, 100,000 digits, only currency signs, mixed scripts, a French article;
    peak memory stays under 1 GB.

    The bound is generous (a subprocess timeout, not a timing assertion): it fails only if some
    input makes the work super-linear, which would take hours rather than the usual minute or two.
    """
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    result = subprocess.run(
        [sys.executable, "-c", HOSTILE_SCRIPT], capture_output=True, text=True, timeout=1500, cwd=root
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "ok 5"


SPEAKER_ARTICLE = """Tokyo's $550bn promise under scrutiny
Japan agreed to invest $550 billion in the United States under the tariff deal.
Commerce Secretary Howard Lutnick said the $550 billion would be spent at the direction of the US.
Japan's top trade negotiator said the fund would be mostly loans and loan guarantees.
The president said Japan would invest $550 billion in American projects.
Akazawa said the investment would depend on the intentions of private companies.
"""


@pytest.mark.parametrize(
    ("start", "published", "speaker"),
    [
        ("Commerce Secretary", "2025-08-01", "Howard Lutnick"),
        ("Japan's top trade", "2025-08-01", "Ryosei Akazawa"),
        ("The president said", "2025-08-01", "Donald Trump"),
        ("The president said", "2024-08-01", "Joe Biden"),
        ("Akazawa said", "2025-08-01", "Ryosei Akazawa"),
    ],
)
def test_claim_speaker_is_the_person(extractor, start, published, speaker):
    claims = extractor.extract(SPEAKER_ARTICLE, doc="speakers", published_at=published)
    found = {c.speaker for c in claims if c.sentence.startswith(start)}
    assert found == {speaker}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Tokyo backs Europe\nJapan pledged $20 billion to the EU for hydrogen projects.",
            {("JPN", "EU", 20e9)},
        ),
        (
            "Riyadh's plan\nSaudi Arabia will invest $600bn in the United States over four years.",
            {("SAU", "USA", 600e9)},
        ),
        ("Gulf money\nThe UAE committed $1.4tn to the U.S. over the next decade.", {("ARE", "USA", 1.4e12)}),
        ("Gulf money\nDoha unveiled a $10bn Qatari fund for the UK on Tuesday.", {("QAT", "GBR", 10e9)}),
        (  # "similar to Japan's": a comparison, not a destination
            "Seoul and Tokyo\nKorea will invest $350 billion in the U.S., similar to Japan's $550 billion.",
            {("KOR", "USA", 350e9), ("JPN", "USA", 550e9)},
        ),
        (  # no destination stated: the US
            "Seoul's offer\nSouth Korea agreed to a $350 billion investment package.",
            {("KOR", "USA", 350e9)},
        ),
    ],
)
def test_recipient_from_the_text(extractor, text, expected):
    claims = extractor.extract(text, doc="recipient", published_at="2025-08-01")
    assert {(c.pledger, c.recipient, c.amount) for c in claims if c.amount} == expected


def test_recipient_defaults_to_the_deal_of_the_article(extractor):
    text = (
        "Japan to back EU green push\n"
        "Japan pledged $20 billion to the EU for hydrogen projects, officials said.\n"
        "The fund will be run by a state bank, the ministry said.\n"
    )
    claims = extractor.extract(text, doc="eu-deal", published_at="2025-08-01")
    fund = [c for c in claims if c.sentence.startswith("The fund")]
    assert fund and {c.recipient for c in fund} == {"EU"}


@pytest.mark.parametrize(
    ("text", "start", "pledgers"),
    [
        (
            "Allies line up\nTokyo, Brussels and Seoul all promised to invest in the United States.\n",
            "Tokyo, Brussels",
            {"JPN", "EU", "KOR"},
        ),
        (
            "Allies line up\nJapan agreed to invest $550 billion in the U.S.\n"
            "Korea has pledged $350 billion.\n"
            "Japan and Korea both said the investments would be made within Trump's term.\n",
            "Japan and Korea",
            {"JPN", "KOR"},
        ),
        (  # a country named in passing is not a second pledger
            "Japan deal\nJapan agreed to invest $550 billion in the U.S.\n"
            "Japan's fund, unlike Korea's, will be run by a state bank.\n",
            "Japan's fund",
            {"JPN"},
        ),
    ],
)
def test_several_pledgers_without_amounts(extractor, text, start, pledgers):
    claims = extractor.extract(text, doc="several", published_at="2025-08-01")
    assert {c.pledger for c in claims if c.sentence.startswith(start)} == pledgers


def test_a_company_is_a_claim_only_as_part_of_the_national_pledge(extractor):
    text = (
        "Japan details projects\n"
        "Japan agreed to invest $550 billion in the US.\n"
        "Toyota will invest $10 billion as part of Japan's package, officials said.\n"
        "Toyota said it would build a $10 billion plant in Texas.\n"
        "SoftBank will put $25 billion into the fund, the ministry said.\n"
        "Hyundai separately announced $26 billion for its Georgia plant."
    )
    got = {(c.sentence[:12], c.pledger, c.amount) for c in extractor.extract(text, doc="x")}
    assert ("Toyota will ", "JPN", 10e9) in got and ("SoftBank wil", "JPN", 25e9) in got
    assert not any(s.startswith(("Toyota said", "Hyundai sepa")) for s, _, _ in got)


def test_another_pledge_of_the_same_figure_is_its_own_claim(extractor):
    text = (
        "Taiwan deal\n"
        "Taiwanese companies will invest $250 billion in the United States, and the government will guarantee "
        "another $250 billion in credit, the Commerce Department said.\n"
        "The $250 billion investment, the $250 billion figure officials cite, is large, Taiwan said."
    )
    claims = extractor.extract(text, doc="x")
    first, second = (c for c in claims if c.sentence.startswith("Taiwanese"))
    assert first.amount == second.amount == 250e9 and first.claim_id != second.claim_id
    assert sum(c.sentence.startswith("The $250") for c in claims) == 1  # the same figure twice is one claim
