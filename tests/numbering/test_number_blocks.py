"""Number blocks from the NANP reports, in the layouts NANPA and the Pooling Administrator
publish them (headers as in their files: docs/formats.md, "Number blocks"), and who a number
was assigned to."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from robotrace.cli import main
from robotrace.clock import SystemClock
from robotrace.numbering.blocks import (
    CENTRAL_OFFICE_CODES,
    THOUSANDS_BLOCKS,
    NumberingFormatError,
    read_number_blocks,
)
from robotrace.numbering.store import holder_of, import_blocks
from robotrace.providers.registry import named_provider
from robotrace.providers.store import add_named_provider
from robotrace.rows import BadRowsError
from robotrace.store.db import session_factory

CODES_HEADER = [
    "State",
    "NPA-NXX",
    "OCN",
    "Company",
    "RateCenter",
    "EffectiveDate",
    "Use",
    "AssignDate",
    "Initial/Growth",
    "Pooled Code",
    "In Service File Updated 12/01/2026",
]
BLOCKS_HEADER = [
    "Region",
    "State",
    "NPA",
    "NXX",
    "X",
    "STATUS",
    "Code Holder",
    "Contaminated (Y or N)",
    "Contaminated TNs not Available for Assignment",
    "Rate Center",
    "Block Effective Date",
    "Block Available Date",
    "Assigned To",
    "OCN",
    "Date Assigned",
]


def codes_file(path: Path, *rows: tuple[str, str, str, str, str]) -> Path:
    """Rows of (state, NPA-NXX, OCN, company, Use)."""
    lines = ["\t".join(CODES_HEADER)]
    for state, code, ocn, company, use in rows:
        lines.append(
            "\t".join([state, code, ocn, company, "HOUSTON", "01/01/1999", use, "", "I", "N", ""])
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def blocks_file(path: Path, *rows: tuple[str, str, str, str, str, str]) -> Path:
    """Rows of (state, NPA, NXX, X, OCN, assigned to); all assigned."""
    lines = [",".join(BLOCKS_HEADER)]
    for state, npa, nxx, x, ocn, company in rows:
        cells = ["Southwest", state, npa, nxx, x, "AS", "CODE HOLDER", "N", "", "HOUSTON"]
        cells += ["03/15/2012", "", f'"{company}"', ocn, "03/01/2012"]
        lines.append(",".join(cells))
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def test_the_central_office_code_report_gives_one_block_per_assigned_code(tmp_path):
    path = codes_file(
        tmp_path / "allutlzd.txt",
        ("TX", "713-342", "9A1B", "Lone Star Telco", "AS"),
        ("TX", "713-343", "", "", "UA"),
    )
    found = read_number_blocks(path)
    assert found.format == CENTRAL_OFFICE_CODES
    assert [(b.prefix, b.ocn, b.company, b.state) for b in found.blocks] == [
        ("713342", "9A1B", "Lone Star Telco", "TX")
    ]
    assert found.not_assigned == 1
    assert found.blocks[0].effective_on.isoformat() == "1999-01-01"


def test_the_pooling_report_gives_thousands_blocks_with_their_assignee(tmp_path):
    path = blocks_file(
        tmp_path / "blocks.txt", ("TX", "713", "342", "9", "981E", "Bandwidth, Inc.")
    )
    found = read_number_blocks(path)
    assert found.format == THOUSANDS_BLOCKS
    assert [(b.prefix, b.ocn, b.company) for b in found.blocks] == [
        ("7133429", "981E", "Bandwidth, Inc.")
    ]


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (("TX", "713-042", "9A1B", "x", "AS"), "NPA-NXX"),
        (("TX", "713-342", "AB", "x", "AS"), "OCN"),
        (("TX", "713-342", "9A1B", "bell\x1b[2J", "AS"), "control characters"),
    ],
)
def test_a_bad_row_is_refused_with_its_file_and_line(tmp_path, row, reason):
    path = codes_file(tmp_path / "allutlzd.txt", ("TX", "713-341", "9A1B", "ok", "AS"), row)
    with pytest.raises(BadRowsError) as refused:
        read_number_blocks(path, shown="upload.txt")
    [error] = refused.value.errors
    assert (error.file, error.line) == ("upload.txt", 3)
    assert reason in error.reason


def test_a_block_assigned_twice_to_different_carriers_is_refused(tmp_path):
    path = blocks_file(
        tmp_path / "blocks.txt",
        ("TX", "713", "342", "9", "981E", "One"),
        ("TX", "713", "342", "9", "7777", "Two"),
    )
    with pytest.raises(BadRowsError, match="assigned twice"):
        read_number_blocks(path)


def test_a_file_of_another_kind_is_refused_by_its_header(tmp_path):
    path = tmp_path / "rmd.csv"
    path.write_text("rmd_number,business_name\nRMD0000001,Acme\n", encoding="utf-8")
    with pytest.raises(NumberingFormatError):
        read_number_blocks(path)


def test_a_number_belongs_to_its_thousands_block_before_its_code(engine, tmp_path):
    codes = codes_file(tmp_path / "c.txt", ("TX", "713-342", "9A1B", "Lone Star Telco", "AS"))
    blocks = blocks_file(tmp_path / "b.txt", ("TX", "713", "342", "9", "981E", "Pooled CLEC"))
    with session_factory(engine)() as session:
        for path in (codes, blocks):
            import_blocks(session, read_number_blocks(path), SystemClock().now())
        pooled = holder_of(session, "(713) 342-9979")
        whole_code = holder_of(session, "+1 713 342 1234")
        assert (pooled.ocn, pooled.prefix) == ("981E", "7133429")
        assert (whole_code.ocn, whole_code.prefix) == ("9A1B", "713342")
        assert holder_of(session, "+1 212 555 0100") is None
        assert holder_of(session, "+44 20 7946 0958") is None
        assert holder_of(session, "hello") is None


def test_the_holder_is_named_as_the_provider_registered_under_its_ocn(engine, tmp_path):
    codes = codes_file(tmp_path / "c.txt", ("TX", "713-342", "9A1B", "Lone Star Telco", "AS"))
    with session_factory(engine)() as session:
        provider = add_named_provider(
            session, named_provider("Lone Star Telco", ocn="9a1b"), "test", SystemClock()
        )
        import_blocks(session, read_number_blocks(codes), SystemClock().now())
        holder = holder_of(session, "7133425555")
        assert (holder.provider_key, holder.provider_name) == (provider.key, "Lone Star Telco")


def test_importing_again_changes_nothing_and_a_newer_file_replaces_its_states_only(
    engine, tmp_path
):
    first = codes_file(
        tmp_path / "1.txt",
        ("TX", "713-342", "9A1B", "Lone Star Telco", "AS"),
        ("TX", "713-343", "9A1B", "Lone Star Telco", "AS"),
        ("NY", "212-555", "1234", "Empire Tel", "AS"),
    )
    newer_texas = codes_file(
        tmp_path / "2.txt",
        ("TX", "713-342", "5555", "New Holder", "AS"),
        ("TX", "713-344", "9A1B", "Lone Star Telco", "AS"),
    )
    with session_factory(engine)() as session:
        now = SystemClock().now()
        done = import_blocks(session, read_number_blocks(first), now)
        assert (done.added, done.updated, done.removed, done.unchanged) == (3, 0, 0, 0)
        again = import_blocks(session, read_number_blocks(first), now)
        assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, 3)
        texas = import_blocks(session, read_number_blocks(newer_texas), now)
        assert (texas.added, texas.updated, texas.removed) == (1, 1, 1)
        assert holder_of(session, "7133420000").ocn == "5555"
        assert holder_of(session, "7133430000") is None
        assert holder_of(session, "2125550100").ocn == "1234"


def test_the_command_imports_and_looks_up_with_json(db_url, engine, tmp_path):
    codes = codes_file(tmp_path / "c.txt", ("TX", "713-342", "9A1B", "Lone Star Telco", "AS"))
    runner = CliRunner()
    imported = runner.invoke(
        main, ["numbering", "import", str(codes), "--database-url", db_url, "--json"]
    )
    assert imported.exit_code == 0, imported.output
    assert json.loads(imported.stdout)[0]["added"] == 1
    looked = runner.invoke(
        main, ["numbering", "lookup", "713-342-0000", "hello", "--database-url", db_url, "--json"]
    )
    assert looked.exit_code == 1
    found, missing = json.loads(looked.stdout)
    assert (found["number"], found["ocn"]) == ("+17133420000", "9A1B")
    assert missing == {"number": "hello", "error": "not a North American number"}


def test_the_command_refuses_a_bad_file_and_imports_nothing(db_url, engine, tmp_path):
    good = codes_file(tmp_path / "good.txt", ("TX", "713-342", "9A1B", "Lone Star Telco", "AS"))
    bad = codes_file(
        tmp_path / "bad.txt", ("TX", "713-343", "9A1B", "x", "AS"), ("TX", "1", "x", "x", "AS")
    )
    runner = CliRunner()
    refused = runner.invoke(
        main, ["numbering", "import", str(good), str(bad), "--database-url", db_url]
    )
    assert refused.exit_code == 1
    assert f"{bad}:3:" in refused.stderr
    with session_factory(engine)() as session:
        assert holder_of(session, "7133420000") is None
