"""The db_text files: Kamailio's format, escaped, written whole, only when changed, and
always newer than the last version (db_text reloads on a grown modification time)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from robotrace.blocking.kamailio.dbtext import escape, write_database
from robotrace.blocking.kamailio.tables import Address, Tables


def test_a_colon_and_a_backslash_are_escaped_and_a_nul_refused() -> None:
    assert escape("url=https://x.example/a\\b") == "url=https\\://x.example/a\\\\b"
    with pytest.raises(ValueError):
        escape("a\0b")


def test_the_tables_are_written_in_db_text_form(tmp_path: Path) -> None:
    tables = Tables(block={"p:BBBB": 'SIP;cause=603;text="v=analytics1"'}, addresses=(
        Address("192.0.2.0", 24, "AAAA"), Address("198.51.100.10", 32, ""),
    ))  # fmt: skip
    assert sorted(write_database(tmp_path, tables)) == [
        "rtaddress", "rtallow", "rtblock", "rtgroups", "rtwhy", "version",
    ]  # fmt: skip
    assert (tmp_path / "rtblock").read_text().splitlines() == [
        "key_name(string) key_type(int) value_type(int) key_value(string) expires(int)",
        'p\\:BBBB:0:0:SIP;cause=603;text="v=analytics1":0',
    ]
    assert (tmp_path / "rtaddress").read_text().splitlines()[1:] == [
        "1:1:192.0.2.0:24:0:AAAA",
        "2:1:198.51.100.10:32:0:-",
    ]


def test_only_changed_tables_are_rewritten_and_each_rewrite_is_a_newer_second(
    tmp_path: Path,
) -> None:
    write_database(tmp_path, Tables(block={"p:BBBB": "x"}))
    before = os.stat(tmp_path / "rtblock").st_mtime
    allow_before = os.stat(tmp_path / "rtallow").st_mtime_ns
    assert write_database(tmp_path, Tables(block={"p:BBBB": "x"})) == []
    assert write_database(tmp_path, Tables(block={"p:CCCC": "y"})) == ["rtblock"]
    assert int(os.stat(tmp_path / "rtblock").st_mtime) > int(before)
    assert os.stat(tmp_path / "rtallow").st_mtime_ns == allow_before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no partial files
