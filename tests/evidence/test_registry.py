"""One registry of evidence formats: each recognised by its first line, none twice."""

from __future__ import annotations

import pytest

from robotrace.evidence.columns import FTC_COMPLAINT_COLUMNS, HONEYPOT_COLUMNS
from robotrace.evidence.registry import (
    EvidenceFormat,
    evidence_format,
    evidence_formats,
    recognise,
    register,
)

from .builders import FCC_COLUMNS, FCC_DISPLAY_COLUMNS, invite


def test_the_built_in_formats_are_registered_with_where_their_rows_go():
    formats = evidence_formats()
    assert {name: f.target for name, f in formats.items()} == {
        "ftc": "complaints",
        "fcc": "complaints",
        "honeypot": "calls",
        "sip": "calls",
    }


@pytest.mark.parametrize(
    ("first_line", "name", "expected"),
    [
        (",".join(FTC_COMPLAINT_COLUMNS), "a.csv", "ftc"),
        ("\ufeff" + ",".join(c.lower() for c in FTC_COMPLAINT_COLUMNS), "a.csv", "ftc"),
        (",".join(FCC_COLUMNS), "a.csv", "fcc"),
        (",".join(f'"{c}"' for c in FCC_DISPLAY_COLUMNS), "a.csv", "fcc"),
        (",".join(HONEYPOT_COLUMNS), "a.csv", "honeypot"),
        (invite().splitlines()[0], "capture.txt", "sip"),
        ("", "capture.sip", "sip"),
        ("name,age", "a.csv", None),
        ("", "a.csv", None),
    ],
)
def test_each_format_is_recognised_by_its_first_line(tmp_path, first_line, name, expected):
    path = tmp_path / name
    path.write_text(first_line + "\nmore\n", encoding="utf-8")
    found = recognise(path)
    assert (found.name if found else None) == expected


def test_a_format_name_is_registered_once():
    ftc = evidence_format("ftc")
    with pytest.raises(ValueError, match="registered already"):
        register(EvidenceFormat("ftc", "again", "complaints", ftc.recognises, ftc.read))


def test_an_unknown_format_is_named_with_the_known_ones():
    with pytest.raises(ValueError, match="unknown evidence format 'xls' \\(known: ftc, fcc"):
        evidence_format("xls")
