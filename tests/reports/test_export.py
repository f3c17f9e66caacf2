"""The export of reports carries the FTC's eight public columns and nothing personal: read
back with the csv module, checked against what was typed, and imported as FTC data."""

from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner

from robotrace.cli import main
from robotrace.evidence.columns import FTC_COMPLAINT_COLUMNS
from robotrace.store import models
from robotrace.store.db import transaction

from .builders import api_body, send_page

#: What two people typed, each with something personal in every personal field.
FIRST = {
    "calling_number": "(202) 555-0143",
    "called_number": "312-555-0199",
    "name": "Jane Q. Reporter",
    "email": "jane.reporter@example.net",
    "transcript": "Officer Hardy said my social security number 123-45-6789 was suspended.",
}
SECOND = {
    "calling_number": "+18005550100",
    "called_number": "(415) 555-0123",
    "name": "Rob Roe",
    "email": "rob@example.org",
    "transcript": "They knew my address on Maple Street and offered a warranty.",
    "called_at": "2026-04-29T08:00:00-07:00",
    "recorded_message": False,
    "subject": "Warranties & protection plans",
    "state": "",
}
PERSONAL = [
    "Jane", "Reporter", "jane.reporter@example.net", "Rob Roe", "rob@example.org",
    "3125550199", "555-0199", "4155550123", "555-0123", "Hardy", "123-45-6789", "Maple",
    "warranty.", "RT-",
]  # fmt: skip


def file_two_reports(portal) -> list[str]:
    page = send_page(portal.client("203.0.113.7"), **FIRST)
    assert page.status_code == 303, page.text
    api = portal.client("198.51.100.20").post("/api/v1/reports", json=api_body(**SECOND))
    assert api.status_code == 201, api.text
    return [page.headers["location"].rsplit("/", 1)[1], api.json()["reference"]]


def export(engine, *options: str) -> str:
    url = engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(main, ["reports", "export", "--database-url", url, *options])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_export_has_the_ftc_columns_and_the_typed_calls_values(portal, engine):
    file_two_reports(portal)
    rows = list(csv.reader(io.StringIO(export(engine))))
    assert rows[0] == list(FTC_COMPLAINT_COLUMNS)
    assert rows[1:] == [
        # 14:15 EDT → 18:15 UTC; the consumer's area code, never the whole number
        ["2025550143", "2026-05-01 12:00:00", "2026-04-30 18:15:00", "", "Illinois", "312",
         "Imposters", "Y"],
        ["8005550100", "2026-05-01 12:00:00", "2026-04-29 15:00:00", "", "", "415",
         "Warranties & protection plans", "N"],
    ]  # fmt: skip


def test_the_export_carries_no_personal_data(portal, engine):
    references = file_two_reports(portal)
    text = export(engine)
    found = [word for word in [*PERSONAL, *references] if word in text]
    assert found == []


def test_the_api_export_is_the_same_file_for_readers_and_refused_to_providers(portal, engine):
    file_two_reports(portal)
    coordinator = portal.signed_in("coord@example.org")
    answer = coordinator.get("/api/v1/reports/export")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.text == export(engine)
    provider = portal.signed_in("noc@aaaa.example")
    assert provider.get("/api/v1/reports/export").status_code == 403


def test_the_export_reads_back_as_ftc_do_not_call_data(portal, engine, tmp_path):
    file_two_reports(portal)
    path = tmp_path / "reports.csv"
    export(engine, "--out", str(path))
    store = tmp_path / "ftc-store"
    result = CliRunner().invoke(
        main, ["evidence", "import", str(path), "--analytics-dir", str(store), "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["added"], summary["files"][0]["format"]) == (2, "ftc")


def test_the_export_takes_the_days_received_and_writes_its_file_whole(portal, engine, tmp_path):
    file_two_reports(portal)
    path = tmp_path / "may.csv"
    export(engine, "--from", "2026-05-02", "--out", str(path))
    assert path.read_text() == ",".join(FTC_COMPLAINT_COLUMNS) + "\n"
    assert len(export(engine, "--from", "2026-05-01", "--to", "2026-05-02").splitlines()) == 3
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["may.csv"]


def test_the_reporters_are_in_their_own_table_only(portal, engine):
    file_two_reports(portal)
    with transaction(engine) as session:
        senders = {(s.name, s.email) for s in session.query(models.ReportSender)}
        calls = [c.transcript for c in session.query(models.Call)]
    assert senders == {(FIRST["name"], FIRST["email"]), (SECOND["name"], SECOND["email"])}
    assert not any("Jane Q. Reporter" in text or "Rob Roe" in text for text in calls)


def test_a_cell_a_spreadsheet_would_run_is_defused_and_the_number_is_left_alone():
    # issue 24: every CSV export defuses formulas through one helper (robotrace.csvcells)
    from robotrace.reports.export import write_csv

    row = dict.fromkeys(FTC_COMPLAINT_COLUMNS, "")
    row.update(Company_Phone_Number="18005550100", Subject='=HYPERLINK("http://x.example")')
    row.update(Consumer_City="@SUM(1+9)")
    out = io.StringIO()
    assert write_csv(iter([row]), out) == 1
    [read] = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert read["Subject"] == "'" + '=HYPERLINK("http://x.example")'
    assert read["Consumer_City"] == "'@SUM(1+9)"
    assert read["Company_Phone_Number"] == "18005550100"
