"""Country and actor look-up, and the side a speaker is on in a given deal."""

from datetime import date

import pytest

from extract.actors import load_actor_table, side_for_country, speaker_side


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Tokyo", "JPN"),
        ("Seoul", "KOR"),
        ("Brussels", "EU"),
        ("Riyadh", "SAU"),
        ("Abu Dhabi", "ARE"),
        ("Doha", "QAT"),
        ("Taipei", "TWN"),
        ("Japanese", "JPN"),
        ("South Korean", "KOR"),
        ("European", "EU"),
        ("Emirati", "ARE"),
        ("Washington", "USA"),
        ("U.S.", "USA"),
    ],
)
def test_country_code(name, code):
    assert load_actor_table().country_code(name) == code


def test_longest_country_form_wins():
    codes = [
        m.code for m in load_actor_table().countries_in("North Korea fired missiles; South Korea pledged")
    ]
    assert codes == ["PRK", "KOR"]


@pytest.mark.parametrize(
    ("speaker", "pledger", "side"),
    [
        ("U.S. President Donald Trump", "JPN", "us"),
        ("Commerce Secretary Howard Lutnick", "KOR", "us"),
        ("the White House", "SAU", "us"),
        ("the vice president", "JPN", "us"),
        ("Downing Street", "GBR", "partner"),
        ("No 10", "GBR", "partner"),
        ("the energy secretary", "KOR", "us"),
        ("Ryosei Akazawa", "JPN", "partner"),
        ("Japan's chief trade negotiator", "JPN", "partner"),
        ("two senior European Commission officials", "EU", "partner"),
        ("the Saudi Press Agency", "SAU", "partner"),
        ("Korea's presidential office", "KOR", "partner"),
        ("officials", "KOR", "partner"),
        ("Tokyo", "JPN", "partner"),
        ("analysts", "JPN", "third_party"),
        ("a researcher at a Seoul brokerage", "KOR", "third_party"),
        ("Reuters", "EU", "third_party"),
        ("Chinese officials", "JPN", "third_party"),
        ("Ryosei Akazawa", "KOR", "third_party"),
        ("author", "JPN", "author"),
    ],
)
def test_speaker_side(speaker, pledger, side):
    assert speaker_side(speaker, pledger, date(2025, 9, 1)) == side


def test_former_officeholder_is_third_party():
    assert speaker_side("Fumio Kishida", "JPN", date(2025, 9, 1)) == "third_party"
    assert speaker_side("Fumio Kishida", "JPN", date(2023, 9, 1)) == "partner"


def test_known_names_take_the_side_of_their_introduction():
    known = {"Hiro Tanabe": "Japan's vice trade minister Hiro Tanabe"}
    assert speaker_side("Hiro Tanabe", "JPN", None, known) == "partner"


@pytest.mark.parametrize(("country", "side"), [("USA", "us"), ("KOR", "partner"), ("CHN", "third_party")])
def test_side_for_country(country, side):
    assert side_for_country(country, "KOR") == side


def test_term_end_for_timeframes():
    assert load_actor_table().term_end("Trump", date(2025, 8, 1)) == date(2029, 1, 20)


@pytest.mark.parametrize(
    ("phrase", "when", "pledger", "holder"),
    [
        ("the president", date(2025, 8, 1), "JPN", "Donald Trump"),
        ("the US president", date(2024, 8, 1), "KOR", "Joe Biden"),
        ("the commerce secretary", date(2025, 8, 1), "JPN", "Howard Lutnick"),
        ("the commerce secretary", date(2023, 5, 1), "JPN", "Gina Raimondo"),
        ("the vice president", date(2025, 9, 1), "JPN", "JD Vance"),
        ("Japan's top trade negotiator", date(2025, 7, 1), "JPN", "Ryosei Akazawa"),
        ("Japan's prime minister", date(2025, 9, 1), "JPN", "Shigeru Ishiba"),
        ("Japan's prime minister", date(2025, 11, 1), "JPN", "Sanae Takaichi"),
        ("the prime minister", date(2025, 11, 1), "JPN", "Sanae Takaichi"),
        ("South Korea's president", date(2025, 2, 1), "KOR", "Yoon Suk Yeol"),
        ("South Korea's president", date(2025, 9, 1), "KOR", "Lee Jae-myung"),
        ("Saudi Arabia's crown prince", None, "SAU", "Mohammed bin Salman"),
        ("the emir", date(2025, 5, 1), "QAT", "Tamim bin Hamad Al Thani"),
        # not one office-holder: indefinite, former, unknown date for a title several people held
        ("a senior trade negotiator", date(2025, 7, 1), "JPN", None),
        ("former president", date(2025, 7, 1), "KOR", None),
        ("the president", None, "JPN", None),
        ("A White House official", date(2025, 8, 1), "JPN", None),
    ],
)
def test_office_holder_on_the_article_date(phrase, when, pledger, holder):
    assert load_actor_table().office_holder(phrase, when, pledger) == holder


@pytest.mark.parametrize(
    ("phrase", "name", "speaker"),
    [
        ("President Donald Trump", "Donald Trump", "Donald Trump"),
        ("Commerce Secretary Howard Lutnick", "Howard Lutnick", "Howard Lutnick"),
        ("Trump", "Trump", "Donald Trump"),  # a known surname -> the full name
        ("Akazawa", "Akazawa", "Ryosei Akazawa"),
        ("Korean President Lee Jae Myung", "Lee Jae Myung", "Lee Jae Myung"),  # as the text writes it
        ("Park Min-ho", "Park Min-ho", "Park Min-ho"),  # unknown people stay as written
        ("the president", None, "Donald Trump"),
        ("A White House official", None, "A White House official"),
        ("two EU officials", None, "two EU officials"),
        ("Tokyo, which has promised to invest $550bn", None, "Tokyo"),
    ],
)
def test_display_name(phrase, name, speaker):
    assert load_actor_table().display_name(phrase, name, date(2025, 8, 1), "JPN") == speaker


def test_actor_rows_have_dates_where_offices_change_hands():
    table = load_actor_table()
    for name in (
        "Donald Trump",
        "Joe Biden",
        "Shigeru Ishiba",
        "Sanae Takaichi",
        "Yoon Suk Yeol",
        "Lee Jae-myung",
    ):
        actor = table.find_actor(name)
        assert actor is not None and actor.terms, name
    assert not table.find_actor("Joe Biden").in_office(date(2025, 2, 1))
    assert table.find_actor("Shigeru Ishiba").in_office(date(2025, 10, 1))
    assert not table.find_actor("Shigeru Ishiba").in_office(date(2025, 11, 1))
