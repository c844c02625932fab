"""Who says it: quotes over several sentences, reported speech, 'according to', pronouns."""

import pytest

from extract.attribution import attribute, quote_regions
from extract.nlp import load_nlp
from extract.sentences import split_sentences


@pytest.fixture(scope="module")
def nlp():
    return load_nlp()


def speakers(nlp, text: str) -> list[tuple[str, str]]:
    sentences = split_sentences(text)
    docs = list(nlp.pipe([s.text for s in sentences]))
    return [(s.text, a.speaker) for s, a in zip(sentences, attribute(text, sentences, docs), strict=True)]


@pytest.mark.parametrize(
    ("line", "quoted"),
    [
        ("He said, “We will pay. Then we rest,” and left.", ["“We will pay. Then we rest,”"]),
        ("'We are done,' she said.", ["'We are done,'"]),
        ('"It is a gift," he said, "a big one."', ['"It is a gift,"', '"a big one."']),
        ("Japan's plan isn't a gift.", []),
        ("He said: “It runs on", ["“It runs on"]),
    ],
)
def test_quote_regions(line, quoted):
    assert [line[s:e] for s, e in quote_regions(line)] == quoted


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # reported speech, subject before the verb
        (
            "Seoul trade minister Park Min-ho said the fund would be mostly loans.",
            "Seoul trade minister Park Min-ho",
        ),
        # 'according to'
        (
            "According to Korean finance officials, the money will flow over ten years.",
            "Korean finance officials",
        ),
        # inverted attribution after a quote
        (
            "“We cannot promise the full sum,” said a senior Commission official.",
            "a senior Commission official",
        ),
        # a narrated position of a side
        ("Japanese officials have not confirmed the figure.", "Japanese officials"),
        # plain narration
        ("The fund is the centrepiece of the deal.", "author"),
    ],
)
def test_single_sentence_speaker(nlp, body, expected):
    ((_, speaker),) = speakers(nlp, "Headline here\n" + body)[1:]
    assert speaker == expected


def test_multi_sentence_quote_takes_the_closing_attribution(nlp):
    text = "Headline\n“The bloc cannot guarantee it. Firms decide where to invest,” said Olof Gill."
    assert [sp for _, sp in speakers(nlp, text)[1:]] == ["Olof Gill", "Olof Gill"]


def test_pronoun_resolves_to_last_named_speaker(nlp):
    text = (
        "Headline\nRyosei Akazawa said the fund would mostly be loans. “Japan just collects fees,” he added."
    )
    assert [sp for _, sp in speakers(nlp, text)[1:]] == ["Ryosei Akazawa", "Ryosei Akazawa"]


def test_colon_introduced_quote(nlp):
    text = "Headline\nLutnick: “The president decides where the money goes.”"
    assert speakers(nlp, text)[1][1] == "Lutnick"


@pytest.mark.parametrize(
    ("headline", "expected"),
    [
        ("EU admits it cannot guarantee $600bn pledge", "EU"),
        ("Trump says Korea will pay $350bn upfront", "Trump"),
        ("Korea agrees to invest $350bn in US shipyards", "author"),
    ],
)
def test_headline_forms(nlp, headline, expected):
    assert speakers(nlp, headline + "\nBody text follows here.")[0][1] == expected


def test_description_is_not_attribution(nlp):
    text = "Headline\nLike other deals the president has touted, the pact may not last."
    assert speakers(nlp, text)[1][1] == "author"


@pytest.mark.parametrize(
    ("line", "speaker"),
    [
        ("“Lee told us, ‘Korea will put in $350 billion,’” Trump said.", "Lee"),
        (
            "“Prime Minister Ishiba said, ‘We will invest $550 billion,’ and he meant it,” Trump said.",
            "Prime Minister Ishiba",
        ),
        ("“We will put in $350 billion,” he said.", None),  # no inner quote
        ("“Lee told us, ‘It is a deal,’ and then we got $350 billion,” Trump said.", None),  # figures outside
    ],
)
def test_nested_quote_speaker(line, speaker):
    from extract.attribution import nested_speaker

    assert nested_speaker(line) == speaker


def test_nested_quote_is_credited_to_the_inner_speaker(nlp):
    text = "Trump on Korea\nKorea pledged $350 billion.\n“Lee told me, ‘Korea will give $350 billion,’” Trump said.\n"
    assert speakers(nlp, text)[2][1] == "Lee"


def test_a_quote_paragraph_after_a_quote_goes_on_with_its_speaker(nlp):
    text = (
        "EU figure 'cannot be guaranteed'\n"
        "“It is not something a public authority can promise,” the official said.\n"
        "“It rests on what private companies intend.”\n"
        "The markets were calm.\n"
        "“This is a separate quote nobody owns.”"
    )
    got = dict(speakers(nlp, text))
    assert got["“It rests on what private companies intend.”"] == "the official"
    # after narration, an unattributed quote is not given to the last speaker
    assert got["“This is a separate quote nobody owns.”"] == "author"
