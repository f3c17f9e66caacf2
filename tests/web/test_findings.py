"""Refusals as findings in the portal and the API: a provider refuses through the API with its
reason (required), and the reason shows in its evidence, its provider page, the scorecards and
the period report."""

from __future__ import annotations

from robotrace.store import models
from robotrace.store.db import transaction

from .test_statistics import Tables

COORD, REGULATOR = "coord@example.org", "fcc@example.org"
ALPHA, BRAVO = "noc@aaaa.example", "noc@bbbb.example"
REASON = "Customer records only under subpoena <b>"  # markup must stay text


def _answer(api, body: dict):
    [request] = api.get("/api/v1/hop-requests").json()
    return api.post(f"/api/v1/hop-requests/{request['id']}/answer", json=body)


def _bravo_refuses(api_for) -> None:
    """TB-000001: AAAA names BBBB, which refuses with its reason."""
    assert _answer(api_for(ALPHA), {"answer": "upstream", "upstream": "BBBB"}).status_code == 200
    refused = _answer(api_for(BRAVO), {"answer": "refused", "note": REASON})
    assert refused.status_code == 200, refused.text


def test_a_refusal_without_its_reason_is_refused_and_the_request_stays_open(world, api_for, engine):
    assert _answer(api_for(ALPHA), {"answer": "upstream", "upstream": "BBBB"}).status_code == 200
    bravo = api_for(BRAVO)
    for note in ("", "   "):
        response = _answer(bravo, {"answer": "refused", "note": note})
        assert response.status_code == 422
        assert "a refused answer must say why" in response.json()["detail"]
    [still_open] = bravo.get("/api/v1/hop-requests").json()
    assert still_open["answer"] is None
    with transaction(engine) as session:
        answered = session.query(models.AuditEvent).filter_by(action="hop.answered").count()
    assert answered == 1  # AAAA's only


def test_the_providers_evidence_shows_the_refusals_reason(world, api_for, client_for):
    _bravo_refuses(api_for)
    page = client_for(REGULATOR).get("/enforcement/providers/BBBB")
    assert page.status_code == 200
    escaped = REASON.replace("<", "&lt;").replace(">", "&gt;")
    cell = f'<td>non-cooperative<br><span class="finding">refused: {escaped}</span></td>'
    assert cell in page.text
    rows = api_for(COORD).get("/api/v1/enforcement/evidence/BBBB").json()["rows"]
    assert [(r["traceback_id"], r["roles"]) for r in rows] == [("TB-000001", ["non_cooperative"])]
    finding = rows[0]["finding"]
    assert (finding["kind"], finding["reason"]) == ("refused", REASON)
    registry = client_for(COORD).get("/providers/BBBB").text
    assert f'refused: <span class="finding">{escaped}</span>' in registry


def test_scorecards_and_the_period_report_list_the_refusal_with_its_reason(
    world, api_for, client_for
):
    _bravo_refuses(api_for)
    coordinator = client_for(COORD)
    findings = Tables(coordinator.get("/scorecards").text).tables["table-findings"]
    assert findings[1][:3] == ["BBBB Bravo Wholesale", "1", "0"]
    assert findings[1][3] == f"TB-000001 refused: {REASON}"
    cards = {c["key"]: c for c in api_for(COORD).get("/api/v1/scorecards").json()}
    assert cards["BBBB"]["findings"]["refused"] == 1
    assert cards["BBBB"]["findings"]["each"][0]["reason"] == REASON
    assert cards["AAAA"]["findings"] == {"refused": 0, "no_response": 0, "each": []}
    report = api_for(REGULATOR).get("/api/v1/period-report").json()
    [bravo] = report["refusals_and_silences"]
    assert (bravo["key"], bravo["name"], bravo["refused"], bravo["no_response"]) == (
        "BBBB",
        "Bravo Wholesale",
        1,
        0,
    )
    table = Tables(coordinator.get("/period-report").text).tables["table-findings"]
    assert table[1] == ["BBBB", "Bravo Wholesale", "1", "0", f"TB-000001: refused: {REASON}"]
