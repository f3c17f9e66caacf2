import pytest

from robotrace.blocking.trunks import load_trunks, parse_trunks

ROWS = [
    {"source": "192.0.2.0/24", "tgrp": "", "trunk_context": "", "ocn": "aaaa"},
    {"source": "192.0.2.7", "tgrp": "", "trunk_context": "", "ocn": "BBBB"},
    {"source": "", "tgrp": "tg-17", "trunk_context": "gw.example", "ocn": "CCCC"},
    {"source": "", "tgrp": "tg-17", "trunk_context": "", "ocn": "DDDD"},
    {"source": "2001:db8::/32", "tgrp": "", "trunk_context": "", "ocn": "EEEE"},
    # An ingress SBC: names no upstream itself, and stamps tgrp on what it passes on.
    {"source": "198.51.100.10", "tgrp": "", "trunk_context": "", "ocn": "", "trust_tgrp": "1"},
    # A gateway that may carry exactly two trunk groups.
    {"source": "203.0.113.5", "tgrp": "", "trunk_context": "", "ocn": "FFFF"},
    {"source": "203.0.113.5", "tgrp": "tg-g", "trunk_context": "", "ocn": "GGGG"},
    {"source": "203.0.113.0/24", "tgrp": "tg-h", "trunk_context": "", "ocn": "HHHH"},
]


def test_a_source_address_maps_by_its_most_specific_network():
    table = parse_trunks(ROWS)
    assert table.resolve("192.0.2.7") == "BBBB"
    assert table.resolve("192.0.2.8") == "AAAA"
    assert table.resolve("2001:db8::1") == "EEEE"


# Issue 24 item 4: a tgrp in the Request-URI overrode the source-address mapping, so a
# blocked upstream escaped its block by adding ";tgrp=<an allowed provider's group>".


PLAIN = ROWS[:5]  # rows as tables were written before trust_tgrp


def test_a_tgrp_from_a_source_row_that_does_not_trust_it_changes_nothing():
    table = parse_trunks(PLAIN, tgrp_is_ocn=True)
    assert table.resolve("192.0.2.7", "tg-17", "gw.example") == "BBBB"
    assert table.resolve("192.0.2.7", "tg-17") == "BBBB"
    assert table.resolve("192.0.2.7", "CCCC") == "BBBB"  # a tgrp that is another's OCN


def test_a_tgrp_from_an_address_no_row_names_gives_no_upstream():
    table = parse_trunks(PLAIN, tgrp_is_ocn=True)
    assert table.resolve("10.9.9.9", "tg-17", "gw.example") is None
    assert table.resolve("10.9.9.9", "CCCC") is None


def test_a_trusting_source_row_reads_the_tgrp_with_its_context_first():
    table = parse_trunks(ROWS)
    assert table.resolve("198.51.100.10", "tg-17", "GW.example") == "CCCC"
    assert table.resolve("198.51.100.10", "tg-17", "other.example") == "DDDD"
    assert table.resolve("198.51.100.10", "tg-99") is None  # an SBC names no upstream itself
    assert table.resolve("198.51.100.10") is None


def test_a_source_row_with_a_tgrp_allows_that_group_from_that_network_only():
    table = parse_trunks(ROWS)
    assert table.resolve("203.0.113.5", "tg-g") == "GGGG"
    assert table.resolve("203.0.113.5", "tg-17") == "FFFF"  # not one of its groups
    assert table.resolve("203.0.113.5") == "FFFF"
    assert table.resolve("203.0.113.5", "tg-h") == "FFFF"  # the /32 decides, not the /24
    assert table.resolve("203.0.113.9", "tg-h") == "HHHH"
    assert table.resolve("203.0.113.9", "tg-g") is None
    assert table.resolve("192.0.2.7", "tg-g") == "BBBB"


def test_a_tgrp_equal_to_a_known_ocn_names_that_provider_only_when_turned_on():
    assert parse_trunks(ROWS).resolve("198.51.100.10", "bbbb") is None  # off by default
    table = parse_trunks(ROWS, tgrp_is_ocn=True)
    assert table.resolve("198.51.100.10", "bbbb") == "BBBB"
    assert table.resolve("198.51.100.10", "ZZZZ", known_ocns={"ZZZZ"}) == "ZZZZ"


def test_a_caller_without_a_source_address_is_taken_at_its_tgrp():
    table = parse_trunks(ROWS)
    assert table.resolve(None, "tg-17", "gw.example") == "CCCC"
    assert table.resolve("", "tg-17") == "DDDD"
    assert table.resolve(None, "bbbb") is None
    assert parse_trunks(ROWS, tgrp_is_ocn=True).resolve(None, "bbbb") == "BBBB"


def test_an_unknown_trunk_resolves_to_nothing():
    table = parse_trunks(ROWS)
    assert table.resolve("198.51.100.1", "tg-99") is None
    assert table.resolve("not-an-ip") is None


@pytest.mark.parametrize(
    ("row", "says"),
    [
        ({"source": "nonsense", "ocn": "X"}, "not an IP address"),
        ({"source": "", "tgrp": "", "ocn": "X"}, "needs a source or a tgrp"),
        ({"source": "192.0.2.1", "ocn": ""}, "needs an ocn"),
        ({"source": "", "tgrp": "tg-1", "ocn": "", "trust_tgrp": "1"}, "trust_tgrp belongs"),
        ({"source": "192.0.2.1", "tgrp": "t", "ocn": "X", "trust_tgrp": "1"}, "trust_tgrp"),
        ({"source": "192.0.2.1", "ocn": "X", "trust_tgrp": "maybe"}, "must be 1 or 0"),
        ({"source": "192.0.2.0/24", "ocn": "X"}, "has a row already"),
    ],
)
def test_a_bad_row_names_its_line_and_what_is_wrong(row, says):
    with pytest.raises(ValueError, match=f"line 3: .*{says}"):
        parse_trunks([ROWS[0], row])


def test_the_table_loads_from_a_csv_file_with_or_without_the_trust_column(tmp_path):
    old = tmp_path / "old.csv"
    old.write_text("source,tgrp,trunk_context,ocn\n203.0.113.5,,,FFFF\n,tg-1,,GGGG\n")
    table = load_trunks(old)
    assert (table.resolve("203.0.113.5", "tg-1"), table.resolve(None, "tg-1")) == (
        "FFFF",
        "GGGG",
    )
    new = tmp_path / "new.csv"
    new.write_text("source,tgrp,trunk_context,ocn,trust_tgrp\n10.0.0.1,,,,1\n,tg-1,,GGGG,\n")
    assert load_trunks(new).resolve("10.0.0.1", "tg-1") == "GGGG"
    assert load_trunks("").resolve("203.0.113.5") is None
