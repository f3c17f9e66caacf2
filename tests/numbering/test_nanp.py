import duckdb
import pytest

from robotrace.numbering.nanp import (
    NanpRules,
    assignable_spelling_sql,
    international_sql,
    is_international,
    nanp_problem,
    nanp_problem_sql,
    number_class_sql,
    number_problem,
)
from robotrace.numbers import digits_key, digits_key_sql, fast_digits_key_sql

CASES = {
    "+12025550143": ("nanp", None),
    "(202) 555-0143": ("nanp", None),
    "sip:+12025550143@gw.example;user=phone": ("nanp", None),
    "+18005550100": ("nanp", None),  # toll free is assignable
    "1235550143": ("nanp", "NPA starts with 0 or 1"),
    "0235550143": ("nanp", "NPA starts with 0 or 1"),
    "2021550143": ("nanp", "NXX starts with 0 or 1"),
    "2020550143": ("nanp", "NXX starts with 0 or 1"),
    "9115550143": ("nanp", "N11 NPA"),
    "2024110143": ("nanp", "N11 NXX"),
    "+12914550143": ("nanp", "reserved NPA"),
    "3725550143": ("nanp", "reserved NPA"),
    "9655550143": ("nanp", "reserved NPA"),
    "+4930123456": ("international", None),
    "011442079460958": ("international", None),
    "+44123": ("garbage", "not an E.164 length"),
    "0000": ("garbage", "not an E.164 length"),
    "12345": ("garbage", "not a 10-digit NANP number"),
    "": ("empty", None),
    "anonymous": ("empty", None),
}


@pytest.mark.parametrize("raw", sorted(CASES))
def test_each_number_gets_its_class_and_problem(raw):
    assert number_problem(raw, NanpRules()) == CASES[raw]


def test_the_fictional_555_range_is_assignable_unless_the_toggle_says_otherwise():
    assert number_problem("+12025550143", NanpRules()) == ("nanp", None)
    on = NanpRules(fictional_555=True)
    assert number_problem("+12025550143", on) == ("nanp", "fictional 555-01XX")
    assert number_problem("+12025550200", on) == ("nanp", None)


def test_n11_and_reserved_npa_rules_can_be_turned_off():
    off = NanpRules(n11=False, reserved_npa=False)
    assert number_problem("2024110143", off) == ("nanp", None)
    assert number_problem("3725550143", off) == ("nanp", None)


@pytest.mark.parametrize("rules", [NanpRules(), NanpRules(False, False, True)])
def test_the_sql_twin_classifies_every_case_like_python(rules):
    raws = [*CASES, "+12025550143", "2025550100"]
    sql = number_class_sql("raw", digits_key_sql("raw"), rules)
    query = f"SELECT raw, {sql} FROM (SELECT unnest($1::VARCHAR[]) AS raw)"
    rows = duckdb.execute(query, [raws]).fetchall()
    for raw, got in rows:
        kind, problem = number_problem(raw, rules)
        want = "invalid" if kind == "nanp" and problem else kind
        assert got == want, (raw, digits_key(raw))


SPELLINGS = [
    *CASES,
    "12025550143",
    "+0012025550143",
    "0012025550143",
    "011442079460958",
    "+011 44 20 7946 0958",
    "0 0 4 4 2079460958",
    "001",
    "0111",
    "+1",
    "+",
    "12",
    "+44 (0)20 7946 0958",
    "<sip:2025550143@host>",
    "sip:anonymous@anonymous.invalid",
    "２０２５５５０１４３",  # full-width digits are not ASCII digits
    "+1-202-555-0143;ext=12",
    None,
]


def test_the_fast_sql_key_equals_digits_key_for_every_spelling():
    query = f"SELECT raw, {fast_digits_key_sql('raw')} FROM (SELECT unnest($1::VARCHAR[]) AS raw)"
    for raw, key in duckdb.execute(query, [SPELLINGS]).fetchall():
        assert key == digits_key(raw), raw


def test_the_sql_international_test_equals_pythons():
    query = f"SELECT raw, {international_sql('raw')} FROM (SELECT unnest($1::VARCHAR[]) AS raw)"
    for raw, international in duckdb.execute(query, [SPELLINGS]).fetchall():
        assert international == is_international(raw), raw


@pytest.mark.parametrize(
    "rules", [NanpRules(), NanpRules(False, False, True), NanpRules(True, False, False)]
)
def test_the_assignable_key_pattern_accepts_exactly_what_python_accepts(rules):
    # Every NPA with a few NXX/line pairs, and every NXX with a few NPAs: 6,000 keys cover
    # each 3-digit code on both sides and the fictional 555-01XX lines.
    keys = [f"{code:03d}{rest}" for code in range(1000) for rest in ("5550143", "2110100")]
    keys += [
        f"{npa}{code:03d}{line}"
        for code in range(1000)
        for npa, line in (("202", "0143"), ("911", "0100"))
    ]
    keys += [f"202555{line:04d}" for line in range(0, 300)]
    sql = f"SELECT k, NOT ({nanp_problem_sql('k', rules)}) FROM (SELECT unnest($1) AS k)"
    for key, assignable in duckdb.execute(sql, [keys]).fetchall():
        assert assignable == (nanp_problem(key, rules) is None), key


@pytest.mark.parametrize("rules", [NanpRules(), NanpRules(False, False, True)])
def test_the_fast_spelling_test_implies_an_assignable_number_and_its_last_ten_digits(rules):
    raws = [
        *SPELLINGS,
        "12025550143",
        "2025550143",
        "+12025550100",
        "+2025550143",
        "1 2025550143",
        "+1202555014",
        "112025550143",
        "+19115550143",
        "2025550143 ",
    ]
    sql = f"SELECT raw, {assignable_spelling_sql('raw', rules)} FROM (SELECT unnest($1) AS raw)"
    fast = dict(duckdb.execute(sql, [raws]).fetchall())
    for raw in raws:
        kind, problem = number_problem(raw, rules)
        plain = raw is not None and raw.lstrip("+").isdigit() and raw.isascii()
        expected = (
            plain
            and kind == "nanp"
            and problem is None
            and (len(raw) == 10 or (raw.startswith(("1", "+1")) and len(raw) in (11, 12)))
        )
        assert fast[raw] == expected, raw
        if fast[raw]:
            assert digits_key(raw) == raw[-10:]
