"""The legal process log in the portal and the API: a regulator records, corrects and
withdraws subpoenas and CIDs; readers of all read them; providers get 403; every write is
in the audit log; the period report counts what was issued in its period."""

from __future__ import annotations

from sqlalchemy import select

from robotrace.store import models
from robotrace.store.db import transaction

ENTRY = {
    "issued_on": "2020-04-20",
    "agency": "FCC Enforcement Bureau",
    "kind": "subpoena",
    "provider": "BBBB",
    "reference": "EB-TCD-20-0001",
    "note": "call detail records for the covid campaign",
}


def _audit(engine, action: str) -> list[models.AuditEvent]:
    with transaction(engine) as session:
        query = select(models.AuditEvent).where(models.AuditEvent.action == action)
        return list(session.scalars(query))


def test_a_regulator_records_an_entry_in_the_portal_and_coordinators_read_it(
    world, client_for, engine
):
    regulator = client_for("fcc@example.org")
    form = regulator.get("/legal-process")
    assert form.status_code == 200 and 'id="record-form"' in form.text
    # The registry lookup: the form suggests the registry's providers.
    assert '<option value="BBBB">Bravo Wholesale</option>' in form.text
    data = {**ENTRY, "tracebacks": world.traceback_id, "csrf_token": regulator.csrf}
    done = regulator.post("/legal-process", data=data, follow_redirects=False)
    assert done.status_code == 303
    page = regulator.get(done.headers["location"])
    assert "EB-TCD-20-0001" in page.text and "Bravo Wholesale" in page.text

    coordinator = client_for("coord@example.org")
    listed = coordinator.get("/legal-process")
    assert "EB-TCD-20-0001" in listed.text and 'id="record-form"' not in listed.text
    [event] = _audit(engine, "legal_process.recorded")
    assert event.actor == "regulator:fcc@example.org"
    assert event.provider_key == "BBBB" and event.details["tracebacks"] == [world.traceback_id]


def test_a_provider_gets_403_on_every_page_and_route(world, client_for, api_for):
    provider = client_for("noc@bbbb.example")
    assert provider.get("/legal-process").status_code == 403
    data = {**ENTRY, "csrf_token": provider.csrf}
    assert provider.post("/legal-process", data=data).status_code == 403
    api = api_for("noc@bbbb.example")
    assert api.get("/api/v1/legal-process").status_code == 403
    assert api.post("/api/v1/legal-process", json=ENTRY).status_code == 403


def test_a_coordinator_reads_but_may_not_record(world, api_for):
    coordinator = api_for("coord@example.org")
    assert coordinator.get("/api/v1/legal-process").json() == []
    assert coordinator.post("/api/v1/legal-process", json=ENTRY).status_code == 403


def test_bad_entries_say_what_was_wrong_and_write_nothing(world, client_for, api_for, engine):
    api = api_for("fcc@example.org")
    cases = {
        "provider": ({**ENTRY, "provider": "ZZZZ"}, "no provider in the registry is 'ZZZZ'"),
        "traceback": ({**ENTRY, "tracebacks": ["TB-999999"]}, "no traceback TB-999999"),
        "campaign": ({**ENTRY, "campaigns": ["nope"]}, "no campaign nope"),
        "future": ({**ENTRY, "issued_on": "2020-05-02"}, "is after today (2020-05-01)"),
        "agency": ({**ENTRY, "agency": "   "}, "name the agency"),
    }
    for what, (body, said) in cases.items():
        answer = api.post("/api/v1/legal-process", json=body)
        assert answer.status_code == 422, what
        assert said in answer.json()["detail"], (what, answer.json())
    assert api.post("/api/v1/legal-process", json={**ENTRY, "kind": "letter"}).status_code == 422
    regulator = client_for("fcc@example.org")
    page = regulator.post(
        "/legal-process", data={**ENTRY, "provider": "ZZZZ", "csrf_token": regulator.csrf}
    )
    assert page.status_code == 422 and "Not recorded: no provider in the registry" in page.text
    assert 'value="EB-TCD-20-0001"' in page.text  # what was typed stays in the form
    with transaction(engine) as session:
        assert session.scalars(select(models.LegalProcess)).all() == []
    assert _audit(engine, "legal_process.recorded") == []


def test_the_api_records_edits_and_withdraws_each_audit_logged(world, api_for, engine):
    api = api_for("fcc@example.org")
    made = api.post("/api/v1/legal-process", json={**ENTRY, "provider": "CCCC"})
    assert made.status_code == 201, made.text
    entry = made.json()
    assert entry["provider"] == {"key": "CCCC", "name": "Charlie Gateway"}
    assert (entry["kind"], entry["status"], entry["issued_on"]) == (
        "subpoena",
        "issued",
        "2020-04-20",
    )
    edited = api.post(f"/api/v1/legal-process/{entry['id']}", json={**ENTRY, "kind": "cid"})
    assert edited.status_code == 200 and edited.json()["kind"] == "cid"
    assert edited.json()["provider"]["key"] == "BBBB"
    [change] = _audit(engine, "legal_process.edited")
    assert change.details["changed"]["kind"] == {"from": "subpoena", "to": "cid"}
    assert set(change.details["changed"]) == {"kind", "provider_id"}
    gone = api.post(f"/api/v1/legal-process/{entry['id']}/withdraw", json={"reason": "typo"})
    assert gone.json()["status"] == "withdrawn" and gone.json()["withdrawn_reason"] == "typo"
    assert _audit(engine, "legal_process.withdrawn")[0].details["reason"] == "typo"
    again = api.post(f"/api/v1/legal-process/{entry['id']}/withdraw", json={"reason": "x"})
    assert again.status_code == 409
    assert api.post(f"/api/v1/legal-process/{entry['id']}", json=ENTRY).status_code == 409
    assert api.get("/api/v1/legal-process/999999").status_code == 404


def test_the_period_report_counts_entries_issued_in_its_period_by_kind_and_agency(world, api_for):
    api = api_for("fcc@example.org")
    issued = [
        ("2020-01-15", "FCC Enforcement Bureau", "subpoena"),
        ("2020-02-01", "fcc enforcement bureau", "cid"),  # the same agency, other spelling
        ("2020-03-31", "Ohio Attorney General", "cid"),
        ("2019-12-31", "FTC", "subpoena"),  # the year before
        ("2020-04-01", "FTC", "other"),  # withdrawn below
    ]
    ids = []
    for day, agency, kind in issued:
        body = {**ENTRY, "issued_on": day, "agency": agency, "kind": kind}
        ids.append(api.post("/api/v1/legal-process", json=body).json()["id"])
    api.post(f"/api/v1/legal-process/{ids[-1]}/withdraw", json={"reason": "recorded twice"})
    report = api.get("/api/v1/period-report?from=2020-01-01&to=2020-04-30").json()
    # Worked out from the list above: three stand in the period, two of them one agency.
    assert report["legal_process"] == {
        "total": 3,
        "by_kind": {"subpoena": 1, "cid": 2, "other": 0},
        "by_agency": [
            {"agency": "FCC Enforcement Bureau", "count": 2},
            {"agency": "Ohio Attorney General", "count": 1},
        ],
    }
