"""Complaint statistics that match the public record: one state vocabulary across the FTC's
and the FCC's data, complaints per 100,000 residents, fiscal years October–September, the
FCC's call types, and complaints about one's own number being spoofed kept out of the
caller rankings.

Ground truth: the FTC's and FCC's published column names and values (the builders write
them), the Census Bureau's Vintage 2024 table NST-EST2024-POP (residents on July 1, 2024,
restated here), and the federal fiscal year (FY2025: 1 October 2024 to 30 September 2025).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from robotrace.cli import main
from robotrace.evidence.imports import evidence_files, import_evidence
from robotrace.stats.complaints import Period, complaint_stats
from robotrace.stats.states import populations, state_name
from tests.evidence.builders import fcc_csv, fcc_row, ftc_csv, ftc_row

#: NST-EST2024-POP, July 1, 2024.
ILLINOIS, TEXAS, CALIFORNIA, PUERTO_RICO = 12_710_158, 31_290_831, 39_431_263, 3_203_295
UNITED_STATES = 340_110_988  # the 50 states and the District of Columbia
SPOOFED = "My own number is being spoofed"


def store(tmp_path: Path, ftc: list[dict[str, str]], fcc: list[dict[str, str]]) -> Path:
    analytics = tmp_path / "analytics"
    files = [ftc_csv(tmp_path / "ftc.csv", *ftc), fcc_csv(tmp_path / "fcc.csv", *fcc)]
    for path, kind in zip(files, ("ftc", "fcc"), strict=True):
        summary = import_evidence(evidence_files([path], kind), analytics)
        assert not summary.errors
    return analytics


def ftc(n: int, **fields: str) -> dict[str, str]:
    return ftc_row(**({"Company_Phone_Number": f"312555{n:04d}"} | fields))


def fcc(n: int, **fields: str) -> dict[str, str]:
    return fcc_row(**({"id": str(n), "caller_id_number": f"312555{n:04d}"} | fields))


# --- The state vocabulary and the Census table ----------------------------------------------


def test_codes_and_names_of_states_dc_and_territories_read_as_one_name():
    assert state_name("NY") == state_name("ny") == state_name("New York") == "New York"
    assert state_name(" new  york ") == "New York"
    assert state_name("DC") == state_name("District of Columbia") == "District of Columbia"
    assert state_name("PR") == "Puerto Rico"
    # The FTC's data and the report form write "U.S. Virgin Islands"; the FCC writes VI.
    assert state_name("U.S. Virgin Islands") == state_name("VI") == "Virgin Islands"
    assert state_name("GU") == "Guam" and state_name("MP") == "Northern Mariana Islands"
    assert state_name("Ontario") == "Ontario" and state_name("") is None


def test_the_population_table_is_the_census_bureaus_vintage_2024():
    table = populations()
    assert len(table) == 52  # 50 states, DC, Puerto Rico
    assert table["Illinois"].residents == ILLINOIS and table["Illinois"].code == "IL"
    assert table["California"].residents == CALIFORNIA
    assert table["Puerto Rico"].residents == PUERTO_RICO
    states_and_dc = sum(p.residents for name, p in table.items() if name != "Puerto Rico")
    assert states_and_dc == UNITED_STATES


def test_the_population_table_ships_with_the_package_and_names_its_source():
    import robotrace.stats

    path = Path(robotrace.stats.__file__).parent / "data" / "state_population_2024.csv"
    head = path.read_text("utf-8").splitlines()[:8]
    assert any("NST-EST2024-POP" in line for line in head)
    assert any("July 1, 2024" in line for line in head)
    pyproject = (Path(__file__).parents[2] / "pyproject.toml").read_text("utf-8")
    assert '"stats/data/*.csv"' in pyproject


# --- Counting ----------------------------------------------------------------------------------


def test_ftc_names_and_fcc_codes_are_counted_as_one_state_per_100000_residents(tmp_path):
    analytics = store(
        tmp_path,
        [ftc(1, Consumer_State="Illinois"), ftc(2, Consumer_State="Texas")],
        [fcc(3, state="IL"), fcc(4, state="il"), fcc(5, state="TX"), fcc(6, state="ZZ")],
    )
    got = complaint_stats(analytics, date(2020, 1, 1), date(2022, 1, 1))
    states = {c.value: c.complaints for c in got.states.top}
    assert states == {"Illinois": 3, "Texas": 2, "ZZ": 1}
    assert [(r.state, r.code, r.complaints, r.population) for r in got.per_100k] == [
        ("Illinois", "IL", 3, ILLINOIS),
        ("Texas", "TX", 2, TEXAS),
    ]
    assert got.per_100k[0].per_100k == pytest.approx(3 * 100_000 / ILLINOIS)
    assert got.per_100k[1].per_100k == pytest.approx(2 * 100_000 / TEXAS)


def test_a_fiscal_year_runs_from_october_to_september():
    fy2025 = Period.fiscal_year(2025)
    assert (fy2025.start, fy2025.end) == (date(2024, 10, 1), date(2025, 10, 1))
    assert fy2025.fiscal_year_number == 2025
    assert Period(date(2024, 10, 1), date(2025, 9, 30)).fiscal_year_number is None
    # Compared with the fiscal year before, 366 days long (2024 is a leap year).
    assert fy2025.previous() == Period(date(2023, 10, 1), date(2024, 10, 1))
    with pytest.raises(ValueError):
        Period.fiscal_year(1066)


def test_fiscal_year_statistics_count_complaints_filed_from_october_to_september(tmp_path):
    filed = {
        "2023-10-01 00:00:00": "FY2024",
        "2024-09-30 23:59:59": "FY2024",
        "2024-10-01 00:00:00": "FY2025",
        "2025-09-30 23:59:59": "FY2025",
        "2025-10-01 00:00:00": "FY2026",
    }
    rows = [ftc(n, Created_Date=t) for n, t in enumerate(filed)]
    analytics = store(tmp_path, rows, [fcc(99, ticket_created="2025-03-01T10:00:00.000")])
    year = Period.fiscal_year(2025)
    got = complaint_stats(analytics, year.start, year.end)
    assert got.fiscal_year == 2025 and got.complaints == 3  # two FTC, one FCC
    assert got.change["complaints"].previous == 2
    assert got.previous_period == Period(date(2023, 10, 1), date(2024, 10, 1))
    assert [c.value for c in got.per_month] == ["2024-10", "2025-03", "2025-09"]


def test_own_number_spoofed_complaints_are_counted_but_not_ranked_as_callers(tmp_path):
    victim = "3125550100"  # a consumer whose own number was shown to others
    analytics = store(
        tmp_path,
        [ftc(1), ftc(1, Created_Date="2020-04-02 10:00:01")],
        [
            fcc(1),
            fcc(2, issue=SPOOFED, caller_id_number=victim),
            fcc(3, issue=SPOOFED.lower(), caller_id_number=victim),
            fcc(4, issue=SPOOFED, caller_id_number=victim),
            fcc(5, issue=SPOOFED, caller_id_number=""),
        ],
    )
    got = complaint_stats(analytics, date(2020, 1, 1), date(2022, 1, 1))
    assert got.complaints == 7
    assert [(c.value, c.complaints) for c in got.numbers.top] == [("3125550001", 3)]
    assert got.numbers.spoofed_own_number == 4
    numbers = got.numbers
    assert numbers.rest + numbers.fragments + numbers.empty == 0
    assert {c.value: c.complaints for c in got.subjects.top}[SPOOFED] == 3  # as written


def test_the_fccs_call_types_are_ranked_as_written(tmp_path):
    types = ["Robocall", "Robocall", "Prerecorded Voice", "Live Voice", "Text Message", ""]
    analytics = store(
        tmp_path,
        [ftc(0)],
        [fcc(n, type_of_call_or_messge=t) for n, t in enumerate(types, start=1)],
    )
    got = complaint_stats(analytics, date(2020, 1, 1), date(2022, 1, 1), top=3)
    assert [(c.value, c.complaints) for c in got.call_types.top] == [
        ("Robocall", 2),
        ("Live Voice", 1),
        ("Prerecorded Voice", 1),
    ]
    assert (got.call_types.rest, got.call_types.unknown) == (1, 2)  # FTC's and the empty one
    # "Robocall" is a robocall: FTC Y, two Robocall, one Prerecorded Voice.
    assert (got.robocalls.yes, got.robocalls.no, got.robocalls.unknown) == (4, 2, 1)


# --- robotrace stats --fiscal-year ------------------------------------------------------------


def test_the_cli_counts_a_fiscal_year_and_prints_the_rates_per_100000(tmp_path):
    rows = [
        ftc(1, Created_Date="2024-09-30 23:59:59", Consumer_State="Illinois"),  # FY2024
        ftc(2, Created_Date="2024-10-01 00:00:00", Consumer_State="Illinois"),
        ftc(3, Created_Date="2025-09-30 23:59:59", Consumer_State="Texas"),
    ]
    analytics = store(tmp_path, rows, [fcc(4, ticket_created="2025-01-02T10:00:00.000")])
    command = ["stats", "complaints", "--analytics-dir", str(analytics), "--fiscal-year", "2025"]
    result = CliRunner().invoke(main, [*command, "--json"])
    assert result.exit_code == 0, result.output
    got = json.loads(result.output)
    assert got["period"] == {"start": "2024-10-01", "end": "2025-10-01"}
    assert (got["fiscal_year"], got["complaints"]) == (2025, 3)
    assert got["previous_period"] == {"start": "2023-10-01", "end": "2024-10-01"}
    # One each: Illinois, Texas, and the FCC's FL (23,372,215 residents); fewest people first.
    assert [(r["state"], r["population"]) for r in got["per_100k"]] == [
        ("Illinois", ILLINOIS),
        ("Florida", 23_372_215),
        ("Texas", TEXAS),
    ]
    summary = CliRunner().invoke(main, command)
    assert summary.exit_code == 0, summary.output
    assert "FY2025: 3 complaints filed 2024-10-01 to 2025-10-01" in summary.output
    assert "per 100,000" in summary.output and "NST-EST2024-POP" in summary.output


def test_the_cli_refuses_a_fiscal_year_with_from_or_to(tmp_path):
    command = ["stats", "complaints", "--analytics-dir", str(tmp_path), "--fiscal-year", "2025"]
    result = CliRunner().invoke(main, [*command, "--from", "2024-01-01"])
    assert result.exit_code == 2 and "leave out --from/--to" in result.output
    result = CliRunner().invoke(main, ["stats", "complaints", "--fiscal-year", "25"])
    assert result.exit_code == 2 and "--fiscal-year" in result.output
