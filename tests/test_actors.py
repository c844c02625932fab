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
