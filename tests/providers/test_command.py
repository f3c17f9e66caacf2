"""``robotrace providers``: import of the FCC's RMD export (the real sample where
``../shared/data`` is present, small local files otherwise), list, show, remove and
reinstate — on SQLite and PostgreSQL, through the command line as an operator runs it."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine

from robotrace.cli import main
from robotrace.clock import SystemClock
from robotrace.enforcement.publish import latest_blocklist
from robotrace.providers.registry import Provider, named_provider, write_providers_csv
from robotrace.providers.rmd import RMD_EXPORT_COLUMNS, RmdFiling, read_rmd_export, write_rmd_export
from robotrace.providers.store import add_named_provider, resolve_key
from robotrace.store.db import session_factory

SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "data" / "rmd-sample.csv"
needs_sample = pytest.mark.skipif(
    not SAMPLE.is_file(), reason=f"the real RMD sample is not here ({SAMPLE})"
)
CYRILLIC_EM = "\u041c"  # "М": looks like the Latin M


# --- Builders -----------------------------------------------------------------------------


def filing_row(number: str, frn: str, name: str, **values: str) -> dict[str, str]:
    """One filing as the FCC's export writes it; keyword arguments replace its values."""
    row = {
        "number": number,
        "frn": frn,
        "business_name": name,
        "business_address": "223 Broadway PO Box 789 Davenport Oklahoma 74026",
        "foreign_voice_provider": "No",
        "country": "United States of America",
        "robocall_mitigation_contact_name": "Steve Guest",
        "contact_title": "President",
        "contact_department": "Management",
        "contact_telephone_number": "9183772241",
        "contact_phone_extension": "12",
        "implementation": "Partial STIR/SHAKEN Implementation - Performing Robocall Mitigation",
        "voice_service_provider_choice": "Yes",
        "gateway_provider_choice": "No",
        "intermediate_provider_choice": "Yes",
        "last_updated": "2024-02-23",
    }
    return row | values


def export_csv(path: Path, rows: Iterable[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=RMD_EXPORT_COLUMNS, restval="")
        writer.writeheader()
        writer.writerows(rows)
    return path


def small_export(path: Path) -> Path:
    return export_csv(
        path,
        [
            filing_row("RMD0002619", "1700905", "Central Oklahoma Telephone Co., LLC",
                       other_dba_names="Central Oklahoma Telephone Co."),
            filing_row("RMD0013852", "33848292", "Newby Technologies, LLC",
                       last_recertified="2020-01-15"),
            filing_row("RMD0009375", "31625684", "Nomad Technology Group",
                       foreign_voice_provider="Yes", country="Canada",
                       last_recertified=date.today().isoformat()),
        ],
    )  # fmt: skip


def cli(db_url: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["providers", *args, "--database-url", db_url])


def ok_json(db_url: str, *args: str) -> object:
    result = cli(db_url, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def listed(db_url: str, *args: str) -> list[dict]:
    found = ok_json(db_url, "list", *args)
    assert isinstance(found, list)
    return found


def blocklist_entries(engine: Engine) -> list[dict]:
    with session_factory(engine)() as session:
        published = latest_blocklist(session)
        return json.loads(published.body)["entries"] if published else []


# --- The real sample ----------------------------------------------------------------------


def sample_truth() -> tuple[list[dict[str, str]], int]:
    """The sample's rows as Python's csv module reads them, and how many companies they
    are: filings sharing an RMD number or an FRN are one company (a union-find)."""
    with SAMPLE.open(newline="", encoding="utf-8-sig") as stream:
        rows = list(csv.DictReader(stream))
    parent = list(range(len(rows)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[tuple[str, str], int] = {}
    for i, row in enumerate(rows):
        for identifier in (("rmd", row["number"].upper()), ("frn", row["frn"].zfill(10))):
            if identifier[1].strip("0") and identifier in first:
                parent[root(i)] = root(first[identifier])
            first.setdefault(identifier, i)
    return rows, len({root(i) for i in range(len(rows))})


@needs_sample
def test_the_real_sample_imports_every_filing_with_no_refused_row(engine, db_url):
    rows, companies = sample_truth()
    done = ok_json(db_url, "import", str(SAMPLE))
    assert (done["format"], done["refused"], done["added"]) == ("rmd-export", [], len(rows))
    assert len(rows) == 250
    providers = listed(db_url)
    assert len(providers) == companies == done["providers_added"]
    numbers = [n for p in providers for n in p["rmd_numbers"]]
    assert sorted(numbers) == sorted(row["number"].upper() for row in rows)
    frns = {f for p in providers for f in p["frns"]}
    assert frns == {row["frn"].zfill(10) for row in rows if row["frn"]}
    names = {n for p in providers for n in (p["business_name"], *p["other_names"])}
    assert {row["business_name"].strip() for row in rows} <= names
    assert {p["status"] for p in providers} == {"listed"}
    foreign = sum(row["foreign_voice_provider"] == "Yes" for row in rows)
    assert sum(p["foreign"] for p in providers) == foreign


@needs_sample
def test_the_same_sample_imported_again_changes_nothing(engine, db_url, tmp_path: Path):
    ok_json(db_url, "import", str(SAMPLE))
    before = listed(db_url)
    again = ok_json(db_url, "import", str(SAMPLE))
    assert (again["added"], again["updated"], again["unchanged"]) == (0, 0, 250)
    assert again["same_as"] is not None and again["not_in_export"] == 0
    copy = tmp_path / "rmd-copy.csv"
    copy.write_bytes(SAMPLE.read_bytes())
    said = cli(db_url, "import", str(copy))
    assert said.exit_code == 0 and "nothing changed (250 filings unchanged)" in said.stdout
    assert listed(db_url) == before


@needs_sample
def test_filers_missing_from_a_second_export_are_not_in_export(engine, db_url, tmp_path):
    ok_json(db_url, "import", str(SAMPLE))
    filings = read_rmd_export(SAMPLE).filings
    gone = {filings[0].number, filings[100].number, filings[249].number}
    second = tmp_path / "rmd-later.csv"
    write_rmd_export(second, [f for f in filings if f.number not in gone])
    done = ok_json(db_url, "import", str(second))
    assert (done["added"], done["updated"], done["not_in_export"]) == (0, 0, 3)
    assert done["unchanged"] == 247
    missing = listed(db_url, "--status", "not-in-export")
    assert sorted(n for p in missing for n in p["rmd_numbers"]) == sorted(gone)
    assert len(listed(db_url, "--status", "listed")) == 247


# --- Import: bad rows and hostile input ---------------------------------------------------


def test_a_bad_row_is_named_with_its_line_and_nothing_changes(engine, db_url, tmp_path: Path):
    path = export_csv(
        tmp_path / "rmd.csv",
        [
            filing_row("RMD0000001", "1700905", "Good Telephone"),
            filing_row("", "1700906", "No Number Telecom"),
            filing_row("RMD0000003", "17O0907", "Letter O Networks"),
        ],
    )
    result = cli(db_url, "import", str(path))
    assert result.exit_code == 1
    assert f"{path}:3: number is empty" in result.stdout
    assert f"{path}:4: malformed FRN '17O0907'" in result.stdout
    assert "2 bad row(s); nothing imported" in result.stderr
    assert listed(db_url) == []


def test_skip_bad_rows_imports_the_rest_and_names_the_refused_line(engine, db_url, tmp_path):
    path = export_csv(
        tmp_path / "rmd.csv",
        [filing_row("", "1700906", "No Number Telecom"), filing_row("RMD0000001", "5", "Good")],
    )
    done = ok_json(db_url, "import", str(path), "--skip-bad-rows")
    assert done["added"] == 1
    assert done["refused"] == [f"{path}:2: number is empty"]
    said = cli(db_url, "import", str(export_csv(tmp_path / "b.csv", [filing_row("", "7", "X")])),
               "--skip-bad-rows")  # fmt: skip
    assert said.exit_code == 0 and f"{tmp_path / 'b.csv'}:2: number is empty" in said.stdout
    assert [p["key"] for p in listed(db_url)] == ["RMD0000001"]


def test_the_json_of_a_refused_file_lists_every_bad_row(engine, db_url, tmp_path: Path):
    path = export_csv(tmp_path / "rmd.csv", [filing_row("RMD1", "1", "Short Number")])
    result = cli(db_url, "import", str(path), "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "imported": False,
        "errors": [
            {
                "file": str(path),
                "line": 2,
                "reason": "number 'RMD1' is not an RMD number (RMD and 7 digits)",
            }
        ],
    }


def test_a_look_alike_cyrillic_rmd_number_is_a_bad_row(engine, db_url, tmp_path: Path):
    look_alike = f"R{CYRILLIC_EM}D0000001"
    path = export_csv(tmp_path / "rmd.csv", [filing_row(look_alike, "1", "Homoglyph Telecom")])
    result = cli(db_url, "import", str(path))
    assert result.exit_code == 1
    assert f"{path}:2: number {look_alike!r} is not an RMD number" in result.stdout
    assert cli(db_url, "show", look_alike).exit_code == 1


def test_huge_fields_and_markup_in_names_are_kept_as_text(engine, db_url, tmp_path: Path):
    markup = "<script>alert(1)</script> [bold red]Evil[/bold red] \x1b[31mRed"
    huge = "; ".join(f"Дочерняя компания {i} 電信" for i in range(4000))  # ~ 100,000 chars
    path = export_csv(
        tmp_path / "rmd.csv",
        [
            filing_row(
                "RMD0000001", "1", markup, previous_dba_names=huge, business_address="x" * 50_000
            )
        ],
    )
    assert ok_json(db_url, "import", str(path))["added"] == 1
    shown = ok_json(db_url, "show", "RMD0000001")
    assert shown["business_name"] == markup.strip()
    assert len(shown["other_names"]) == 4000 and shown["other_names"][-1].endswith("電信")
    assert shown["business_address"] == "x" * 50_000
    table = cli(db_url, "list")
    assert table.exit_code == 0 and "[bold red]Evil" in table.stdout
    assert "\x1b" not in table.stdout
    text = cli(db_url, "show", "RMD0000001")
    assert "<script>alert(1)</script> [bold red]Evil[/bold red] \\x1b[31mRed" in text.stdout


def test_robotraces_own_providers_csv_still_imports_as_unlisted(engine, db_url, tmp_path):
    path = tmp_path / "providers.csv"
    write_providers_csv(path, [Provider(key="", business_name="Old Telco", ocns=("1AB2",))])
    done = ok_json(db_url, "import", str(path))
    assert (done["format"], done["added"]) == ("providers-csv", 1)
    (provider,) = listed(db_url, "--status", "unlisted")
    assert (provider["key"], provider["ocns"], provider["rmd_numbers"]) == ("1AB2", ["1AB2"], [])


def test_the_import_needs_a_migrated_store(tmp_path: Path):
    path = small_export(tmp_path / "rmd.csv")
    (tmp_path / "new.db").touch()  # a database without tables (a missing file: NoStore)
    result = cli(f"sqlite:///{tmp_path / 'new.db'}", "import", str(path))
    assert result.exit_code == 2 and "robotrace db upgrade" in result.stderr


# --- list and show ------------------------------------------------------------------------


def test_list_says_each_providers_identifiers_status_and_recertification(engine, db_url, tmp_path):
    ok_json(db_url, "import", str(small_export(tmp_path / "rmd.csv")))
    by_key = {p["key"]: p for p in listed(db_url)}
    assert by_key["RMD0002619"] == {
        "key": "RMD0002619",
        "business_name": "Central Oklahoma Telephone Co., LLC",
        "other_names": ["Central Oklahoma Telephone Co."],
        "rmd_numbers": ["RMD0002619"],
        "frns": ["0001700905"],
        "ocns": [],
        "foreign": False,
        "country": "United States of America",
        "status": "listed",
        "recertification_overdue": None,
    }
    assert by_key["RMD0013852"]["recertification_overdue"] is True
    assert by_key["RMD0009375"]["recertification_overdue"] is False
    assert by_key["RMD0009375"]["foreign"] is True
    table = cli(db_url, "list")
    assert table.exit_code == 0 and "3 provider(s)" in table.stdout
    assert "recertification overdue" in table.stdout


@pytest.mark.parametrize("name", ["RMD0002619", "rmd0002619", "1700905", "0001700905"])
def test_show_finds_a_provider_by_any_identifier(engine, db_url, tmp_path: Path, name: str):
    ok_json(db_url, "import", str(small_export(tmp_path / "rmd.csv")))
    shown = ok_json(db_url, "show", name)
    assert shown["key"] == "RMD0002619"
    assert shown["rmd_contact"] == {
        "name": "Steve Guest",
        "title": "President",
        "department": "Management",
        "telephone": "9183772241",
        "extension": "12",
    }
    assert shown["roles"] == ["voice_service_provider", "intermediate_provider"]
    assert shown["implementation"].startswith("Partial STIR/SHAKEN Implementation - ")
    assert shown["rmd"]["status"] == "listed" and shown["rmd"]["removal_order"] is None
    assert [e["what"] for e in shown["history"]] == ["added"]


def test_show_prints_the_provider_for_a_person(engine, db_url, tmp_path: Path):
    ok_json(db_url, "import", str(small_export(tmp_path / "rmd.csv")))
    result = cli(db_url, "show", "RMD0013852")
    assert result.exit_code == 0
    assert result.stdout.startswith("RMD0013852: Newby Technologies, LLC\n")
    assert "RMD contact: name Steve Guest, title President" in result.stdout
    assert "last recertified: 2020-01-15 (overdue)" in result.stdout


def test_an_unknown_provider_is_one_line_and_a_failure(engine, db_url):
    result = cli(db_url, "show", "RMD9999999")
    assert result.exit_code == 1
    assert result.output == "Error: no provider is known by 'RMD9999999'\n"


# --- Removal and reinstatement ------------------------------------------------------------


def test_a_removal_puts_an_rmd_removed_entry_on_the_block_list(engine, db_url, tmp_path):
    ok_json(db_url, "import", str(small_export(tmp_path / "rmd.csv")))
    done = ok_json(db_url, "remove", "1700905", "--order", "DA 25-694", "--at", "2024-05-01")
    assert (done["provider"], done["order"]) == ("RMD0002619", "DA 25-694")
    assert done["removed_at"] == "2024-05-01T00:00:00Z"
    (entry,) = blocklist_entries(engine)
    assert (entry["provider"], entry["scope"], entry["reason_code"]) == (
        "RMD0002619", "no_direct_traffic", "rmd_removed"
    )  # fmt: skip
    assert (entry["rmd_order"], entry["authorization_id"]) == ("DA 25-694", None)
    assert entry["effective_at"] == "2024-05-01T00:00:00Z"
    assert listed(db_url, "--status", "removed")[0]["key"] == "RMD0002619"
    shown = ok_json(db_url, "show", "RMD0002619")
    assert (shown["rmd"]["status"], shown["rmd"]["removal_order"]) == ("removed", "DA 25-694")


def test_a_reinstatement_lifts_the_entry(engine, db_url, tmp_path: Path):
    ok_json(db_url, "import", str(small_export(tmp_path / "rmd.csv")))
    ok_json(db_url, "remove", "RMD0002619", "--order", "DA 25-694")
    result = cli(db_url, "reinstate", "RMD0002619", "--reference", "DA 25-900")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("RMD0002619 reinstated in the RMD by DA 25-900, effective ")
    assert blocklist_entries(engine) == []
    shown = ok_json(db_url, "show", "RMD0002619")
    assert shown["status"] == "listed"
    assert [e["what"] for e in shown["history"]] == ["added", "removed", "reinstated"]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["remove", "RMD9999999", "--order", "DA 25-694"], "no provider 'RMD9999999'"),
        (["remove", "RMD0002619", "--order", "  "], "the removal order is required"),
        (["remove", "RMD0002619", "--order", "<b>DA</b>"], "must be printable text"),
        (["reinstate", "RMD0002619", "--reference", "DA 1"], "RMD0002619 is not removed"),
    ],
)
def test_a_refused_removal_or_reinstatement_is_one_line(engine, db_url, tmp_path, args, said):
    ok_json(db_url, "import", str(small_export(tmp_path / "rmd.csv")))
    result = cli(db_url, *args)
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and said in result.output
    assert result.output.count("\n") == 1
    assert blocklist_entries(engine) == []


def test_a_provider_is_not_removed_twice(engine, db_url, tmp_path: Path):
    ok_json(db_url, "import", str(small_export(tmp_path / "rmd.csv")))
    ok_json(db_url, "remove", "RMD0002619", "--order", "DA 25-694")
    result = cli(db_url, "remove", "RMD0002619", "--order", "DA 25-695")
    assert result.exit_code == 1 and "removed from the RMD already" in result.output


def test_a_bad_time_is_a_usage_error(engine, db_url):
    result = cli(db_url, "remove", "RMD0002619", "--order", "DA 25-694", "--at", "noon")
    assert result.exit_code == 2 and "--at" in result.stderr


def test_identify_merges_an_upstream_named_by_name_with_the_filing_that_holds_the_number(
    db_url, engine, tmp_path
):
    with session_factory(engine)() as session:
        named = add_named_provider(
            session, named_provider("Quiet Reseller"), "test", SystemClock(), by="AAAA"
        )
        key = named.key
        session.commit()
    export = tmp_path / "rmd.csv"
    write_rmd_export(export, [RmdFiling(0, "RMD0031337", "0033550001", "Quiet Reseller LLC")])
    assert cli(db_url, "import", str(export)).exit_code == 0
    done = ok_json(db_url, "identify", key, "--kind", "rmd", "rmd0031337")
    assert done == {"provider": key, "merged": ["RMD0031337"]}
    with session_factory(engine)() as session:
        assert resolve_key(session, "RMD0031337") == key
    refused = cli(db_url, "identify", key, "--kind", "rmd", "RМD0031337")
    assert refused.exit_code != 0 and "not an RMD number" in refused.output
