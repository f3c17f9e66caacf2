"""The public statistics page, its API, the scorecards page and the Vega script — figures
checked against the csv-module count of tests/stats/test_complaints.py, read back from the
HTML with the standard library's parser."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from robotrace.evidence.imports import evidence_files, import_evidence
from tests.evidence.builders import ftc_csv, ftc_row
from tests.stats.test_complaints import complaints_csv, expected, read_rows

START, END = date(2020, 3, 1), date(2020, 5, 1)


class Tables(HTMLParser):
    """Rows of every ``<table id=…>`` (cell texts), and the text of every element by id."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.texts: dict[str, str] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._open: list[tuple[str, str | None]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        found = dict(attrs).get("id")
        if tag == "table" and found:
            self._table = found
            self.tables[found] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table:
            self._cell = []
        if tag not in ("input", "br", "meta", "link", "img"):
            self._open.append((tag, found))
            if found:
                self.texts.setdefault(found, "")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._table and self._cell is not None:
            self.tables[self._table][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        if tag == "table":
            self._table = None
        while self._open:
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        for _, found in self._open:
            if found:
                self.texts[found] += data

    def body(self, table: str) -> list[tuple[str, int]]:
        return [(row[0], int(row[1])) for row in self.tables[table][1:]]


def ranked(want: dict) -> list[tuple[str, int]]:
    rows = [(c["value"], c["complaints"]) for c in want["top"]]
    if want["rest"]:
        rows.append(("(others)", want["rest"]))
    if want["unknown"]:
        rows.append(("(none given)", want["unknown"]))
    return rows


@pytest.fixture
def stored_csv(world, tmp_path):
    """The complaints CSV, imported into the app's analytics store."""
    path = complaints_csv(tmp_path / "ftc.csv")
    world.app.state.analytics_dir = tmp_path / "analytics"
    import_evidence(evidence_files([path], "ftc"), tmp_path / "analytics")
    return path


def test_the_public_page_shows_the_counted_figures(world, stored_csv):
    page = TestClient(world.app).get(f"/statistics?from={START}&to={END}")
    assert page.status_code == 200
    want = expected(read_rows(stored_csv), START, END, 10, set())
    html = Tables(page.text)
    assert int(html.texts["fig-complaints"]) == want["complaints"]
    assert html.body("table-days") == [(c["value"], c["complaints"]) for c in want["per_day"]]
    assert html.body("table-weeks") == [(c["value"], c["complaints"]) for c in want["per_week"]]
    assert html.body("table-months") == [(c["value"], c["complaints"]) for c in want["per_month"]]
    for table, figure in (
        ("table-subjects", "subjects"),
        ("table-states", "states"),
        ("table-area-codes", "area_codes"),
    ):
        assert html.body(table) == ranked(want[figure]), table
    numbers = want["numbers"]
    assert html.body("table-numbers") == ranked({**numbers, "unknown": 0})
    share = want["robocalls"]["share"]
    assert html.texts["fig-robocall-share"].startswith(f"{share * 100:.1f} %")
    assert "What enforcement changed" not in page.text  # the public sees no enforcement
    for name in ("complaints-per-day", "subjects", "states", "robocalls"):
        assert f'id="spec-{name}"' in page.text


def test_without_a_period_the_page_shows_the_latest_days(world, stored_csv):
    last = max(r["day"] for r in read_rows(stored_csv))
    end = last + timedelta(days=1)
    start = end - timedelta(days=28)  # the statistics_days default
    html = Tables(TestClient(world.app).get("/statistics").text)
    want = expected(read_rows(stored_csv), start, end, 10, set())
    assert int(html.texts["fig-complaints"]) == want["complaints"]
    assert html.texts["fig-period"].startswith(f"{start} to {end}")


def test_the_api_gives_the_same_figures_to_anyone(world, stored_csv):
    response = TestClient(world.app).get(f"/api/v1/statistics?from={START}&to={END}&top=3")
    assert response.status_code == 200
    assert response.json() == expected(read_rows(stored_csv), START, END, 3, set())
    bad = TestClient(world.app).get("/api/v1/statistics?from=2020-13-01")
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.json()["detail"]
    backwards = TestClient(world.app).get("/api/v1/statistics?from=2020-04-01&to=2020-03-01")
    assert backwards.status_code == 400


def test_an_empty_store_says_so(world, tmp_path):
    world.app.state.analytics_dir = tmp_path / "nothing"
    page = TestClient(world.app).get("/statistics")
    assert page.status_code == 200 and 'id="no-complaints"' in page.text


def test_staff_see_the_enforcement_section_and_providers_do_not(
    world, stored_csv, client_for, api_for
):
    coordinator = client_for("coord@example.org").get("/statistics").text
    assert 'id="effects"' in coordinator and "No letter or block authorization" in coordinator
    assert 'id="effects"' not in client_for("noc@aaaa.example").get("/statistics").text
    assert api_for("fcc@example.org").get("/api/v1/statistics/effects").json() == []
    assert api_for("noc@aaaa.example").get("/api/v1/statistics/effects").status_code == 403
    assert TestClient(world.app).get("/api/v1/statistics/effects").status_code == 401


def test_scorecards_for_readers_of_all(world, client_for, api_for):
    page = client_for("fcc@example.org").get("/scorecards")
    assert page.status_code == 200
    groups, roles, *rows = Tables(page.text).tables["table-scorecards"]
    at = {name: i for i, name in enumerate(groups[:2] + roles)}  # provider, tracebacks, …
    # TB-000001 is open at AAAA: one traceback, one hop request, no answer yet.
    assert [(r[0].split()[0], r[1], r[at["Requests"]], r[at["Answered"]]) for r in rows] == [
        ("AAAA", "1", "1", "0")
    ]
    cards = api_for("coord@example.org").get("/api/v1/scorecards").json()
    assert [(c["key"], c["tracebacks"], c["hop_requests"]["pending"]) for c in cards] == [
        ("AAAA", 1, 1)
    ]
    assert client_for("noc@aaaa.example").get("/scorecards").status_code == 403
    assert TestClient(world.app).get("/scorecards", follow_redirects=False).status_code == 303


def test_the_vega_script_is_served_from_the_package(world):
    client = TestClient(world.app)
    page = client.get("/statistics").text
    (path,) = re.findall(r'src="(/assets/vega-[^"]+\.js)"', page)
    script = client.get(path)
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert "window.vegaEmbed" in script.text and "immutable" in script.headers["cache-control"]
    assert client.get("/assets/vega-0.0.0.js").status_code == 404
    assert "cdn" not in page.lower()


def test_a_subject_cannot_close_the_chart_script(world, tmp_path):
    path = ftc_csv(
        tmp_path / "ftc.csv",
        ftc_row(Subject="</script><script>alert(1)</script>"),
        ftc_row(Subject="Imposters & <friends>", Created_Date="2020-04-02 11:00:00"),
    )
    world.app.state.analytics_dir = tmp_path / "analytics"
    import_evidence(evidence_files([path], "ftc"), tmp_path / "analytics")
    page = TestClient(world.app).get("/statistics").text
    assert "<script>alert(1)" not in page
    spec = re.search(r'<script type="application/json" id="spec-subjects">(.*?)</script>', page)
    assert spec is not None
    values = [row["value"] for row in json.loads(spec.group(1))["data"]["values"]]
    assert "</script><script>alert(1)</script>" in values  # the text itself is intact


def test_the_period_report_for_readers_of_all(world, client_for, api_for):
    # The world's one traceback (TB-000001, open at AAAA) was opened on 1 May 2020, the
    # clock's day: the default period (the year so far) holds it, April does not.
    report = api_for("fcc@example.org").get("/api/v1/period-report").json()
    assert report["period"] == {"start": "2020-01-01", "end": "2020-05-02"}
    assert (report["tracebacks"], report["closed"], report["providers_identified"]) == (1, 0, 1)
    april = api_for("fcc@example.org").get("/api/v1/period-report?from=2020-04-01&to=2020-05-01")
    assert april.json()["tracebacks"] == 0
    coordinator = client_for("coord@example.org")
    html = Tables(coordinator.get("/period-report").text)
    assert html.texts["fig-tracebacks"].startswith("1tracebacks opened (0 closed)")
    pdf = coordinator.get("/period-report.pdf?from=2020-05-01&to=2020-06-01")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    assert "robotrace-period-report-2020-05-01-2020-06-01.pdf" in pdf.headers["content-disposition"]
    assert client_for("noc@aaaa.example").get("/period-report").status_code == 403
    assert api_for("noc@aaaa.example").get("/api/v1/period-report").status_code == 403
    assert coordinator.get("/period-report?from=2020-05-01&to=2020-05-01").status_code == 400
