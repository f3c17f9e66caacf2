import random
import re

import duckdb
import pytest

from robotrace.numbers import (
    InvalidNumber,
    digits_key,
    digits_key_sql,
    match_key,
    normalize,
    spellings,
    try_normalize,
)

NANP_SPELLINGS = [
    "+12025550143",
    "2025550143",
    "12025550143",
    "1-202-555-0143",
    "(202) 555-0143",
    "202.555.0143",
    " +1 202 555 0143 ",
    "tel:+1-202-555-0143",
    "tel:+1-202-555-0143;phone-context=example.com",
    "sip:+12025550143@host;user=phone",
    "<sip:+12025550143@192.0.2.1:5060>",
    "SIPS:12025550143@host",
    "0012025550143",
    "01112025550143",
]
GARBAGE = ["0000000000", "123", "anonymous", "", "   ", "+", "restricted@host", "٢٠٢٥٥٥٠١٤٣"]
FOREIGN = {
    "+4930123456": "4930123456",
    "00442079460958": "442079460958",
    "+33 1 23 45 67 89": "33123456789",
    "011 52 55 1234 5678": "525512345678",
}


@pytest.mark.parametrize("spelling", NANP_SPELLINGS)
def test_digits_key_gives_every_spelling_of_a_nanp_number_its_ten_digits(spelling: str) -> None:
    assert digits_key(spelling) == "2025550143"


@pytest.mark.parametrize(("spelling", "key"), FOREIGN.items())
def test_digits_key_keeps_the_country_code_of_foreign_numbers(spelling: str, key: str) -> None:
    assert digits_key(spelling) == key


def test_digits_key_never_raises_on_garbage() -> None:
    assert [digits_key(g) for g in GARBAGE] == ["00000000", "123", "", "", "", "", "", ""]
    assert digits_key(None) == ""


def _random_spellings(count: int) -> list[str]:
    rng = random.Random(3)
    alphabet = "0123456789+-()., ;:@<>telsipTELSIPx#*\n\t"
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24))) for _ in range(count)]


def test_digits_key_sql_agrees_with_digits_key_on_a_broad_corpus() -> None:
    corpus = [*NANP_SPELLINGS, *GARBAGE, *FOREIGN, None, *_random_spellings(2000)]
    connection = duckdb.connect()
    connection.execute("CREATE TABLE corpus (n INTEGER, raw VARCHAR)")
    connection.executemany("INSERT INTO corpus VALUES (?, ?)", list(enumerate(corpus)))
    rows = connection.execute(f"SELECT n, {digits_key_sql('raw')} FROM corpus ORDER BY n")
    in_sql = [key for _, key in rows.fetchall()]
    assert in_sql == [digits_key(raw) for raw in corpus]


@pytest.mark.parametrize(
    "spelling",
    [
        "2025550143",
        "(202) 555-0143",
        "1-202-555-0143",
        "+12025550143",
        "tel:+1-202-555-0143;npdi",
        "sip:+12025550143@host;user=phone",
        "<sip:+12025550143@gw.example;user=phone>",
        " 202.555.0143 ",
    ],
)
def test_normalize_gives_e164_for_every_spelling_of_a_us_number(spelling: str) -> None:
    assert normalize(spelling) == "+12025550143"


@pytest.mark.parametrize(
    ("spelling", "region", "e164"),
    [
        ("030 1234567", "DE", "+49301234567"),
        ("020 7183 8750", "GB", "+442071838750"),
        ("+44 20 7183 8750", "US", "+442071838750"),
        ("tel:+49-30-1234567", "US", "+49301234567"),
    ],
)
def test_normalize_reads_foreign_numbers_with_a_country_hint(spelling, region, e164) -> None:
    assert normalize(spelling, region) == e164


@pytest.mark.parametrize(
    ("spelling", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        (None, "empty"),
        ("sip:@host", "no number"),
        ("anonymous", "anonymous"),
        ("9999999999", "not a valid number"),
        ("123", "123"),
    ],
)
def test_invalid_or_empty_input_is_reported_never_guessed(spelling, reason) -> None:
    with pytest.raises(InvalidNumber, match=reason):
        normalize(spelling)
    assert try_normalize(spelling) is None


def test_match_key_is_e164_for_valid_numbers_and_digits_for_spoofed_ones() -> None:
    assert match_key("(202) 555-0143") == match_key("tel:+1-202-555-0143") == "+12025550143"
    assert match_key("000-000-0000") == "0000000000"
    assert match_key("Anonymous") == "anonymous"


def _digits_key_by_the_rules(raw: str | None) -> str:
    """digits_key's three rules, stated with regular expressions, as its docstring says."""
    text = re.sub(r"[@;][\s\S]*$", "", raw or "")
    digits = re.sub(r"^(?:011|00)", "", re.sub(r"[^0-9]", "", text))
    nanp = re.match(r"^1([0-9]{10})$", digits)
    return nanp.group(1) if nanp else digits


def test_the_digits_key_fast_paths_follow_the_rules_on_random_spellings():
    rng = random.Random(2)
    alphabet = "0123456789+-() @;:sipteu\n１"
    cases: list[str | None] = [None, "", "+", "sip:", "tel:+", "sip:@", "sips:+1202", "+011"]
    for _ in range(20_000):
        cases.append("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 16))))
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(0, 14)))
        scheme = rng.choice(["sip:", "tel:", "", "sips:"])
        prefix = rng.choice(["+1", "1", "", "00", "011", "+44", "+"])
        cases.append(scheme + prefix + digits + rng.choice(["", "@h", ";x=1", "@a;b"]))
    for raw in cases:
        assert digits_key(raw) == _digits_key_by_the_rules(raw), raw


def test_a_caller_id_is_e164_even_when_no_country_assigns_it():
    from robotrace.numbers import caller_id

    # 234-000-0000: a possible NANP number that is not a valid one (exchange 000): spoofed
    # caller IDs are often like that, and they are what a traceback traces.
    assert caller_id("(234) 000-0000") == "+12340000000"
    assert caller_id("tel:+1-202-555-0143") == "+12025550143"
    for withheld in ("", " anonymous ", "Restricted", "PRIVATE", None):
        assert caller_id(withheld) == "anonymous"


def test_text_that_cannot_be_a_number_is_no_caller_id():
    from robotrace.numbers import InvalidNumber, caller_id, traced_numbers

    for bad in ("hello", "0000", "+1"):
        with pytest.raises(InvalidNumber, match="calling number"):
            caller_id(bad)
    with pytest.raises(InvalidNumber, match="called number"):
        traced_numbers("+12025550143", "(713) 342-99")
    # A called line in an unassigned block (test and honeypot lines) is kept, in E.164.
    assert traced_numbers("anonymous", "(234) 000-0000") == ("anonymous", "+12340000000")


def test_a_north_american_number_is_spelled_the_five_ways_call_records_write_it():
    # The spellings the issue names, written by hand.
    assert spellings("+17135551234") == (
        "+17135551234",
        "7135551234",
        "17135551234",
        "(713) 555-1234",
        "713-555-1234",
    )


@pytest.mark.parametrize("number", ["+17135551234", "+12025550143", "+12340000000"])
def test_every_north_american_spelling_is_the_same_number_to_the_bulk_matcher(number):
    assert {digits_key(s) for s in spellings(number)} == {digits_key(number)}


def test_a_foreign_number_is_spelled_in_e164_and_its_own_countrys_formats():
    assert spellings("+442079460958") == ("+442079460958", "+44 20 7946 0958", "020 7946 0958")


@pytest.mark.parametrize("text", ["anonymous", "12", "0000"])
def test_text_that_is_no_number_is_spelled_only_as_itself(text):
    assert spellings(text) == (text,)


def test_no_number_has_no_spellings():
    assert spellings("") == () and spellings(None) == ()
