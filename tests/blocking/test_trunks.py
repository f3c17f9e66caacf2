import pytest

from robotrace.blocking.trunks import load_trunks, parse_trunks

ROWS = [
    {"source": "192.0.2.0/24", "tgrp": "", "trunk_context": "", "ocn": "aaaa"},
    {"source": "192.0.2.7", "tgrp": "", "trunk_context": "", "ocn": "BBBB"},
    {"source": "", "tgrp": "tg-17", "trunk_context": "gw.example", "ocn": "CCCC"},
    {"source": "", "tgrp": "tg-17", "trunk_context": "", "ocn": "DDDD"},
    {"source": "2001:db8::/32", "tgrp": "", "trunk_context": "", "ocn": "EEEE"},
]


def test_a_source_address_maps_by_its_most_specific_network():
    table = parse_trunks(ROWS)
    assert table.resolve("192.0.2.7") == "BBBB"
    assert table.resolve("192.0.2.8") == "AAAA"
    assert table.resolve("2001:db8::1") == "EEEE"


def test_a_trunk_group_maps_with_its_context_before_any_context_and_before_the_source():
    table = parse_trunks(ROWS)
    assert table.resolve("192.0.2.7", "tg-17", "GW.example") == "CCCC"
    assert table.resolve("192.0.2.7", "tg-17", "other.example") == "DDDD"


def test_a_tgrp_equal_to_a_known_ocn_names_that_provider_unless_turned_off():
    table = parse_trunks(ROWS)
    assert table.resolve(None, "bbbb") == "BBBB"
    assert table.resolve(None, "ZZZZ", known_ocns={"ZZZZ"}) == "ZZZZ"
    assert parse_trunks(ROWS, tgrp_is_ocn=False).resolve(None, "BBBB") is None


def test_an_unknown_trunk_resolves_to_nothing():
    table = parse_trunks(ROWS)
    assert table.resolve("198.51.100.1", "tg-99") is None
    assert table.resolve("not-an-ip") is None


def test_a_bad_row_names_its_line():
    with pytest.raises(ValueError, match="line 3"):
        parse_trunks([ROWS[0], {"source": "nonsense", "ocn": "X"}])
    with pytest.raises(ValueError, match="line 2"):
        parse_trunks([{"source": "", "tgrp": "", "ocn": "X"}])


def test_the_table_loads_from_a_csv_file(tmp_path):
    path = tmp_path / "trunks.csv"
    path.write_text("source,tgrp,trunk_context,ocn\n203.0.113.5,,,FFFF\n,tg-1,,GGGG\n")
    table = load_trunks(path)
    assert (table.resolve("203.0.113.5"), table.resolve(None, "tg-1")) == ("FFFF", "GGGG")
    assert load_trunks("").resolve("203.0.113.5") is None
