"""STIR/SHAKEN accountability in the portal and the API: the world of
tests/stats/test_shaken_accountability.py, the DNO list from the ``blocker_dno_file`` setting;
the expected calls are those the definitions name there."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from pathlib import Path

import pytest

from robotrace.store.db import transaction
from tests.stats.test_shaken_accountability import DNO_NUMBER, ROWS, build, expected_by_spc

REGULATOR = "fcc@example.org"
PERIOD = "from=2025-01-01&to=2026-01-01"


@pytest.fixture
def shaken_world(world, engine, tmp_path: Path):
    dno = tmp_path / "dno.txt"
    dno.write_text(f"{DNO_NUMBER}\n")
    world.app.state.settings = replace(world.app.state.settings, blocker_dno_file=str(dno))
    with transaction(engine) as session:
        build(session)
    return world


def test_the_api_gives_each_signers_calls_with_their_reasons(shaken_world, api_for):
    body = api_for(REGULATOR, write=False).get(f"/api/v1/statistics/shaken?{PERIOD}").json()
    assert body["checked"] == {"dno": True, "unassigned": True}
    callers = {r.caller for r in ROWS}
    got = {
        s["spc"]: sorted((e["calling_number"], tuple(e["reasons"])) for e in s["evidence"])
        for s in body["signers"]
        if s["evidence"]
    }
    by_ref = {r.ref: r for r in ROWS}
    want = {
        spc: sorted((by_ref[ref].caller, reasons) for ref, reasons in refs.items())
        for spc, refs in expected_by_spc().items()
    }
    assert got == want and all(e[0] in callers for rows in got.values() for e in rows)


def test_the_api_answers_one_signer_and_leaves_out_the_calls_when_asked(shaken_world, api_for):
    api = api_for(REGULATOR, write=False)
    body = api.get(f"/api/v1/statistics/shaken?{PERIOD}&signer=4444&evidence=false").json()
    assert [s["spc"] for s in body["signers"]] == ["4444"]
    assert "evidence" not in body["signers"][0]
    assert body["signers"][0]["flagged"] == len(expected_by_spc()["4444"])


def test_the_export_is_a_csv_of_one_signers_calls_named_for_it(shaken_world, api_for):
    api = api_for(REGULATOR, write=False)
    response = api.get(f"/api/v1/statistics/shaken.csv?{PERIOD}&signer=2222")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    name = "robotrace-shaken-2222-2025-01-01-2026-01-01.csv"
    assert f'filename="{name}"' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {r["spc"] for r in rows} == {"2222"}
    assert len(rows) == len(expected_by_spc()["2222"])


@pytest.mark.parametrize(
    "query",
    ["from=2025-13-01", "from=2025-06-01&to=2025-06-01", "signer=%3DHYPERLINK(1)", "signer=ab"],
)
def test_bad_query_values_are_refused_with_what_was_wrong(shaken_world, api_for, query):
    response = api_for(REGULATOR, write=False).get(f"/api/v1/statistics/shaken?{query}")
    assert response.status_code == 400
    assert response.json()["detail"]


def test_a_provider_may_not_read_another_signers_record(shaken_world, api_for):
    api = api_for("noc@aaaa.example", write=False)
    assert api.get("/api/v1/statistics/shaken").status_code == 403
    assert api.get("/api/v1/statistics/shaken.csv").status_code == 403


def test_the_page_shows_each_signers_counts_and_links_its_export(shaken_world, client_for):
    page = client_for(REGULATOR).get(f"/statistics/shaken?{PERIOD}")
    assert page.status_code == 200
    for spc, refs in expected_by_spc().items():
        assert f'id="signer-{spc}"' in page.text
        assert f"/api/v1/statistics/shaken.csv?signer={spc}&amp;{PERIOD.replace('&', '&amp;')}" in (
            page.text
        )
        assert f"{spc}" in page.text and f"{len(refs)} call" in page.text


def test_an_unreadable_dno_list_is_an_error_that_names_it_not_a_silent_skip(
    world, api_for, tmp_path: Path
):
    missing = tmp_path / "no-such-dno.txt"
    world.app.state.settings = replace(world.app.state.settings, blocker_dno_file=str(missing))
    response = api_for(REGULATOR, write=False).get("/api/v1/statistics/shaken")
    assert response.status_code == 500
    assert "Do-Not-Originate" in response.json()["detail"]


def test_the_page_writes_call_times_for_people_and_in_utc(shaken_world, client_for):
    page = client_for(REGULATOR).get(f"/statistics/shaken?{PERIOD}&signer=4444").text
    # lent-october's call: 2025-10-10 15:00 UTC is 11:00 EDT in the default display zone.
    assert "10 Oct 2025, 11:00:00 EDT" in page and "2025-10-10 15:00:00 UTC" in page
