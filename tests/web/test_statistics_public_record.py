"""The statistics page and API with the public record's figures: fiscal years (October to
September), complaints per 100,000 residents (Census Bureau, Vintage 2024), FTC names and
FCC codes as one state, the FCC's call types, and own-number-spoofed complaints kept out of
the number ranking."""

from __future__ import annotations

from fastapi.testclient import TestClient

from robotrace.evidence.imports import evidence_files, import_evidence
from tests.evidence.builders import fiscal_year_complaints
from tests.web.test_statistics import Tables

#: NST-EST2024-POP, July 1, 2024.
ILLINOIS, FLORIDA = 12_710_158, 23_372_215


def stored(world, tmp_path) -> None:
    """FY2025 holds three Illinois complaints (two FTC, one FCC "IL") and two Florida ones
    (FCC "FL", one about the consumer's own number being spoofed); FY2024 one."""
    ftc, fcc = fiscal_year_complaints(tmp_path)
    analytics = tmp_path / "analytics"
    for path, kind in ((ftc, "ftc"), (fcc, "fcc")):
        assert not import_evidence(evidence_files([path], kind), analytics).errors
    world.app.state.analytics_dir = analytics


def test_the_api_counts_a_fiscal_year_per_100000_residents(world, tmp_path):
    stored(world, tmp_path)
    got = TestClient(world.app).get("/api/v1/statistics?fiscal_year=2025").json()
    assert got["period"] == {"start": "2024-10-01", "end": "2025-10-01"}
    assert (got["fiscal_year"], got["complaints"]) == (2025, 5)
    assert got["change"]["complaints"]["previous"] == 1
    rates = [(r["state"], r["code"], r["complaints"], r["population"]) for r in got["per_100k"]]
    assert rates == [("Illinois", "IL", 3, ILLINOIS), ("Florida", "FL", 2, FLORIDA)]
    assert got["numbers"]["spoofed_own_number"] == 1
    assert "3055550100" not in [c["value"] for c in got["numbers"]["top"]]
    call_types = {c["value"]: c["complaints"] for c in got["call_types"]["top"]}
    assert call_types == {"Prerecorded Voice": 2, "Robocall": 1}


def test_a_fiscal_year_must_be_a_year_and_alone(world, tmp_path):
    stored(world, tmp_path)
    client = TestClient(world.app)
    for query in ("fiscal_year=twenty", "fiscal_year=25", "fiscal_year=2025&from=2025-01-01"):
        answer = client.get(f"/api/v1/statistics?{query}")
        assert answer.status_code == 400, query
        assert "fiscal_year" in answer.json()["detail"]
    assert client.get("/statistics?fiscal_year=%F0%9F%98%80").status_code == 400


def test_the_page_shows_the_fiscal_year_the_rates_and_what_it_left_out(world, tmp_path):
    stored(world, tmp_path)
    page = TestClient(world.app).get("/statistics?fiscal_year=2025")
    assert page.status_code == 200
    html = Tables(page.text)
    assert html.texts["fig-period"].startswith("Fiscal year 2025: 2024-10-01 to 2025-10-01")
    header, *rows = html.tables["table-per-100k"]
    assert header == ["State", "Complaints", "Residents", "Per 100,000"]
    assert rows == [
        ["Illinois IL", "3", "12,710,158", f"{3e5 / ILLINOIS:,.2f}"],
        ["Florida FL", "2", "23,372,215", f"{2e5 / FLORIDA:,.2f}"],
    ]
    assert "NST-EST2024-POP" in html.texts["per-100k"]
    assert html.texts["spoofed-own-number"].startswith("1 complaint said")
    assert 'value="2025"' in page.text  # the control keeps the year asked for
