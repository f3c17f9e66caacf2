"""The enforcement API: regulators write, staff read, providers see only their own letters."""

from __future__ import annotations

from datetime import timedelta

from robotrace.store.db import transaction
from robotrace.traceback.store import save_traceback
from tests.enforcement.builders import through

from .conftest import T0

REGULATOR = "fcc@example.org"
BRAVO = "noc@bbbb.example"  # the gateway in these tests
ALPHA = "noc@aaaa.example"


def bravo_carried(engine, when, tb_id):
    with transaction(engine) as session:
        save_traceback(session, through("BBBB", when, tb_id))


def issue(api_for, engine, **body):
    bravo_carried(engine, T0 - timedelta(days=2), "TB-000101")
    bravo_carried(engine, T0 - timedelta(days=5), "TB-000102")
    body = body or {"provider": "BBBB", "campaigns": ["covid-test-kits"]}
    return api_for(REGULATOR).post("/api/v1/letters", json=body)


def test_the_regulator_issues_a_letter(world, api_for, engine):
    response = issue(api_for, engine)
    assert response.status_code == 201, response.text
    letter = response.json()
    assert response.headers["location"] == f"/api/v1/letters/{letter['id']}"
    assert letter["status"] == "issued" and letter["provider_key"] == "BBBB"
    assert letter["mitigate_by"] == "2020-05-03T12:00:00Z"
    assert letter["report_by"] == "2020-05-15T12:00:00Z"
    assert [r["traceback_id"] for r in letter["evidence"]] == ["TB-000102", "TB-000101"]
    assert letter["evidence"][0]["roles"] == ["gateway"]


def test_only_a_regulator_with_a_write_token_issues_letters(world, api_for, engine):
    bravo_carried(engine, T0 - timedelta(days=2), "TB-000101")
    body = {"provider": "BBBB", "campaigns": ["covid-test-kits"]}
    assert api_for("coord@example.org").post("/api/v1/letters", json=body).status_code == 403
    assert api_for(REGULATOR, write=False).post("/api/v1/letters", json=body).status_code == 403
    assert api_for(BRAVO).post("/api/v1/letters", json=body).status_code == 403


def test_a_letter_without_evidence_or_provider_is_422(world, api_for, engine):
    regulator = api_for(REGULATOR)
    nothing = regulator.post("/api/v1/letters", json={"provider": "BBBB", "campaigns": ["x"]})
    assert nothing.status_code == 422
    assert "no traceback in the last 60 days" in nothing.json()["detail"]
    unknown = regulator.post("/api/v1/letters", json={"provider": "ZZZZ", "campaigns": ["x"]})
    assert (unknown.status_code, unknown.json()) == (422, {"detail": "no provider 'ZZZZ'"})


def test_a_provider_sees_its_own_letters_only(world, api_for, engine):
    letter_id = issue(api_for, engine).json()["id"]
    bravo, alpha = api_for(BRAVO), api_for(ALPHA)
    assert [x["id"] for x in bravo.get("/api/v1/letters").json()] == [letter_id]
    assert alpha.get("/api/v1/letters").json() == []
    missing = alpha.get("/api/v1/letters/999999")
    theirs = alpha.get(f"/api/v1/letters/{letter_id}")
    assert (theirs.status_code, theirs.json()) == (missing.status_code, missing.json())
    assert theirs.status_code == 404
    assert alpha.get(f"/api/v1/letters/{letter_id}.pdf").status_code == 404


def test_the_letter_pdf_is_rendered_for_its_provider(world, api_for, engine):
    letter_id = issue(api_for, engine).json()["id"]
    pdf = api_for(BRAVO).get(f"/api/v1/letters/{letter_id}.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_the_provider_files_a_mitigation_report_the_regulator_reads(world, api_for, engine):
    letter_id = issue(api_for, engine).json()["id"]
    path = f"/api/v1/letters/{letter_id}/mitigation-report"
    filed = api_for(BRAVO).post(path, json={"text": "We cut off the customer's trunk 7."})
    assert filed.status_code == 201, filed.text
    assert filed.json()["late"] is False
    assert api_for(ALPHA).post(path, json={"text": "not ours"}).status_code == 404
    assert api_for(REGULATOR).post(path, json={"text": "x"}).status_code == 403
    letter = api_for(REGULATOR).get(f"/api/v1/letters/{letter_id}").json()
    assert [r["text"] for r in letter["mitigation_reports"]] == [
        "We cut off the customer's trunk 7."
    ]


def test_deciding_before_the_deadline_is_409_and_after_it_decides(world, api_for, engine):
    letter_id = issue(api_for, engine).json()["id"]
    regulator = api_for(REGULATOR)
    early = regulator.post(f"/api/v1/letters/{letter_id}/decide")
    assert early.status_code == 409 and "has not passed" in early.json()["detail"]
    world.clock.advance(timedelta(hours=48, seconds=1))
    decided = regulator.post(f"/api/v1/letters/{letter_id}/decide")
    assert decided.status_code == 200 and decided.json()["status"] == "complied"


def test_evidence_and_candidates_are_for_readers_of_all(world, api_for, engine):
    bravo_carried(engine, T0 - timedelta(days=2), "TB-000101")
    evidence = api_for("coord@example.org").get("/api/v1/enforcement/evidence/bbbb")
    assert evidence.status_code == 200
    assert evidence.json()["tracebacks"] == 1
    assert evidence.json()["rows"][0]["caller_id"] == "+12025550143"
    ranked = api_for(REGULATOR).get("/api/v1/enforcement/candidates?window_days=30").json()
    assert [(c["key"], c["tracebacks"]) for c in ranked] == [("BBBB", 1), ("FFFF", 1)]
    assert api_for(BRAVO).get("/api/v1/enforcement/candidates").status_code == 403
    assert api_for(BRAVO).get("/api/v1/enforcement/evidence/BBBB").status_code == 403


def test_the_ladder_ends_in_a_block_list_entry_and_lifting_removes_it(world, api_for, engine):
    letter_id = issue(api_for, engine).json()["id"]
    regulator = api_for(REGULATOR)
    body = {"provider": "BBBB", "reason": "still carrying covid-test-kits"}
    refused = regulator.post("/api/v1/authorizations", json=body)
    assert refused.status_code == 409
    bravo_carried(engine, T0 + timedelta(hours=50), "TB-000103")
    world.clock.advance(timedelta(hours=49))
    decided = regulator.post(f"/api/v1/letters/{letter_id}/decide").json()
    assert decided["status"] == "noncompliant"
    assert [r["traceback_id"] for r in decided["after_deadline"]] == ["TB-000103"]
    created = regulator.post("/api/v1/authorizations", json=body)
    assert created.status_code == 201, created.text
    auth = created.json()
    assert (auth["scope"], auth["status"], auth["letter_id"]) == ("provider", "active", letter_id)
    listed = api_for(ALPHA).get("/api/v1/blocklist").json()
    assert [(e["provider"], e["authorization_id"]) for e in listed["entries"]] == [
        ("BBBB", auth["id"])
    ]
    assert [a["id"] for a in api_for(BRAVO).get("/api/v1/authorizations").json()] == [auth["id"]]
    assert api_for(ALPHA).get("/api/v1/authorizations").json() == []
    lifted = regulator.post(f"/api/v1/authorizations/{auth['id']}/lift")
    assert lifted.status_code == 200 and lifted.json()["lifted_by"] == f"regulator:{REGULATOR}"
    after = api_for(ALPHA).get("/api/v1/blocklist").json()
    assert after["entries"] == [] and after["version"] == listed["version"] + 1
    assert regulator.post(f"/api/v1/authorizations/{auth['id']}/lift").status_code == 409


def test_a_bad_scope_or_number_is_422(world, api_for):
    regulator = api_for(REGULATOR)
    bad_scope = regulator.post("/api/v1/authorizations", json={"provider": "BBBB", "scope": "all"})
    assert bad_scope.status_code == 422
    body = {"provider": "BBBB", "scope": "no_direct_traffic", "numbers": ["+12025550143"]}
    assert regulator.post("/api/v1/authorizations", json=body).status_code == 422
