"""Money parsing: value, currency, ranges, bracketed equivalents, and what is not a pledge amount."""

import pytest

from extract.amounts import find_money, is_excluded_context, parse_amount

B = 1e9
T = 1e12


@pytest.mark.parametrize(
    ("text", "value", "currency", "high"),
    [
        ("$550 billion", 550 * B, "USD", None),
        ("USD 550 billion", 550 * B, "USD", None),
        ("US$550 billion", 550 * B, "USD", None),
        ("$550bn", 550 * B, "USD", None),
        ("$600B", 600 * B, "USD", None),
        ("550 billion dollars", 550 * B, "USD", None),
        ("350 Billion Dollars", 350 * B, "USD", None),
        ("$1.4 trillion", 1.4 * T, "USD", None),
        ("$1.4tn", 1.4 * T, "USD", None),
        ("Korea's $350-billion fund", 350 * B, "USD", None),
        ("a 550-billion-dollar vehicle", 550 * B, "USD", None),
        ("half a trillion dollars", 0.5 * T, "USD", None),
        ("€600bn", 600 * B, "EUR", None),
        ("500 trillion won", 500 * T, "KRW", None),
        ("¥80 trillion ($550 billion)", 550 * B, "USD", None),
        ("$350bn (£264.1bn)", 350 * B, "USD", None),
        ("$350-400 billion", 350 * B, "USD", 400 * B),
        ("between $350 billion and $400 billion", 350 * B, "USD", 400 * B),
        ("from $20 million to as much as $5 billion", 20e6, "USD", 5 * B),
        ("up to $550 billion", 550 * B, "USD", None),
        ("more than $600 billion", 600 * B, "USD", None),
        ("roughly $1.2 trillion", 1.2 * T, "USD", None),
        ("a fund of $2,500 million", 2.5 * B, "USD", None),
        ("USD 400 billion", 400 * B, "USD", None),
        ("$1.4 tn", 1.4 * T, "USD", None),
        ("US$20bn", 20 * B, "USD", None),
        ("SAR 1.5 trillion", 1.5 * T, "SAR", None),
        ("€ 750bn", 750 * B, "EUR", None),
        ("around ₩500 trillion", 500 * T, "KRW", None),
        ("3 trillion yen, or about $20 billion", 20 * B, "USD", None),
        ("¥10 trillion (approximately $68 billion)", 68 * B, "USD", None),
        ("between US$1 trillion and US$1.4 trillion", 1 * T, "USD", 1.4 * T),
        ("$100-$200 billion", 100 * B, "USD", 200 * B),
        ("as much as $1.2 trillion", 1.2 * T, "USD", None),
        ("nearly 600 billion euros", 600 * B, "EUR", None),
    ],
)
def test_parse_amount(text, value, currency, high):
    got_value, got_currency, got_high = parse_amount(text)
    assert got_value == pytest.approx(value)
    assert got_currency == currency
    assert got_high == (pytest.approx(high) if high else None)


@pytest.mark.parametrize(
    "text",
    [
        "a 15% tariff",
        "only 1-2% of it",
        "tariffs of 25 percent",
        "2.3 million vehicles",
        "the index rose 1.5%",
        "",
        "9" * 100_000,
        "$" * 10_000,
    ],
)
def test_no_money(text):
    assert [m for m in find_money(text) if m.currency] == []


def test_bare_amount_keeps_no_currency():
    (money,) = find_money("the 600 billion to spend as he likes")
    assert (money.value, money.currency) == (600 * B, None)


def test_qualifier_is_kept():
    assert find_money("over $600bn")[0].qualifier == "over"


@pytest.mark.parametrize(
    ("text", "excluded"),
    [
        ("the country holds foreign reserves of $410 billion", True),
        ("exporters would save about $70 billion in duties", True),
        ("the carmaker booked $3 billion in profit", True),
        ("annual energy exports are worth around $250 billion", True),
        ("Seoul agreed to invest $350 billion in the US", False),
        ("Qatar has direct investment holdings of roughly $50 billion in America", True),
        ("Emirati funds already hold about $1tn of US assets", True),
        ("the group bought a Texas refinery for $2 billion in 2019", True),
        ("the levies would take a bite of roughly $4 billion", True),
        ("profit fell to $8 billion, down from the $10 billion it forecast", True),
        ("the carmaker lost $1 billion, out of its annual earnings", True),
        ("Riyadh will buy $142 billion of US weapons", False),
        ("the bloc will buy $750 billion of energy", False),
    ],
)
def test_excluded_context(text, excluded):
    money = next(m for m in find_money(text) if m.currency)
    assert is_excluded_context(text, money) is excluded
