"""Trace Forward in the portal and the API: staff ask on the campaign page, the carrier
answers in its inbox, nobody else sees the request (docs/tenancy.md)."""

from __future__ import annotations

import pytest

from robotrace.numbering.blocks import read_number_blocks
from robotrace.numbering.store import import_blocks
from robotrace.store import models
from robotrace.store.db import transaction
from tests.numbering.test_number_blocks import codes_file
from tests.web.conftest import T0

CALLBACK = "+17133421000"


@pytest.fixture
def carried(world, engine, tmp_path):
    """713-342 assigned to BBBB (Bravo Wholesale, user noc@bbbb.example); campaign ``irs``
    reads out +1 713 342 1000."""
    codes = codes_file(tmp_path / "c.txt", ("TX", "713-342", "BBBB", "Bravo Wholesale", "AS"))
    with transaction(engine) as session:
        import_blocks(session, read_number_blocks(codes), T0)
        session.add(
            models.Campaign(
                id="irs", name="IRS arrest warrant", created_at=T0, callback_numbers=[CALLBACK]
            )
        )
    return world


def test_a_coordinator_asks_on_the_campaign_page_and_sees_the_carriers_answer(carried, client_for):
    coordinator = client_for("coord@example.org")
    page = coordinator.get("/campaigns/irs")
    assert "Trace Forward" in page.text and "Bravo Wholesale" in page.text
    asked = coordinator.post(
        "/campaigns/irs/trace-forward",
        data={"number": CALLBACK, "csrf_token": coordinator.csrf},
        follow_redirects=True,
    )
    assert asked.status_code == 200
    assert f"whose customer {CALLBACK} is" in asked.text

    carrier = client_for("noc@bbbb.example")
    inbox = carrier.get("/inbox")
    assert "whose number is it?" in inbox.text and CALLBACK in inbox.text
    [request_id] = _request_ids(carrier)
    form = carrier.get(f"/inbox/trace-forward/{request_id}")
    assert "(713) 342-1000" in form.text and "IRS arrest warrant" in form.text
    assert "TB-" not in form.text
    answered = carrier.post(
        f"/inbox/trace-forward/{request_id}",
        data={
            "answer": "assigned",
            "customer": "Dialer Ops LLC",
            "customer_contact": "12 Main St, Austin TX",
            "csrf_token": carrier.csrf,
        },
        follow_redirects=True,
    )
    assert "Your answer was recorded" in answered.text
    shown = coordinator.get("/campaigns/irs").text
    assert "Dialer Ops LLC" in shown and "12 Main St, Austin TX" in shown


def _request_ids(client) -> list[int]:
    return [r["id"] for r in client.get("/api/v1/trace-forward-requests").json()]


def test_a_refused_ask_shows_why_on_the_campaign_page_and_asks_nobody(carried, client_for):
    coordinator = client_for("coord@example.org")
    refused = coordinator.post(
        "/campaigns/irs/trace-forward",
        data={"number": "+12025550143", "csrf_token": coordinator.csrf},
    )
    assert refused.status_code == 422
    assert "not a call-back number of campaign irs" in refused.text
    assert coordinator.get("/api/v1/trace-forward-requests?status=all").json() == []


def test_a_wrong_answer_is_shown_next_to_the_form_and_records_nothing(carried, api_for, client_for):
    ask = api_for("coord@example.org").post(
        "/api/v1/campaigns/irs/trace-forward", json={"number": "(713) 342-1000"}
    )
    assert ask.status_code == 201, ask.text
    carrier = client_for("noc@bbbb.example")
    page = carrier.post(
        f"/inbox/trace-forward/{ask.json()['id']}",
        data={"answer": "assigned", "customer": "", "csrf_token": carrier.csrf},
    )
    assert page.status_code == 422 and "name the customer" in page.text
    assert (
        api_for("noc@bbbb.example").get("/api/v1/trace-forward-requests").json()[0]["answer"]
        is None
    )


def test_the_api_asks_answers_once_and_keeps_staff_fields_from_the_carrier(carried, api_for):
    staff = api_for("coord@example.org")
    asked = staff.post("/api/v1/campaigns/irs/trace-forward", json={"number": CALLBACK})
    assert asked.status_code == 201
    assert (
        staff.post("/api/v1/campaigns/irs/trace-forward", json={"number": CALLBACK}).status_code
        == 409
    )
    request_id = asked.json()["id"]
    carrier = api_for("noc@bbbb.example")
    seen = carrier.get(f"/api/v1/trace-forward-requests/{request_id}").json()
    assert seen["campaign_id"] is None and seen["provider"] is None and seen["asked_by"] is None
    assert "7133421000" in seen["spellings"]
    path = f"/api/v1/trace-forward-requests/{request_id}/answer"
    done = carrier.post(path, json={"answer": "not_ours", "now_served_by": "Other Telco"})
    assert done.status_code == 200 and done.json()["answer"] == "not_ours"
    assert carrier.post(path, json={"answer": "refused", "note": "x"}).status_code == 409
    assert staff.get(f"/api/v1/trace-forward-requests/{request_id}").json()["provider"] == "BBBB"


def test_another_provider_gets_404_for_the_request_exactly_as_for_a_missing_one(
    carried, api_for, client_for
):
    asked = api_for("coord@example.org").post(
        "/api/v1/campaigns/irs/trace-forward", json={"number": CALLBACK}
    )
    request_id = asked.json()["id"]
    other = api_for("noc@aaaa.example")
    assert other.get("/api/v1/trace-forward-requests").json() == []
    mine = other.get(f"/api/v1/trace-forward-requests/{request_id}")
    missing = other.get(f"/api/v1/trace-forward-requests/{request_id + 1000}")
    assert (mine.status_code, mine.json()) == (missing.status_code, missing.json())
    answer = other.post(
        f"/api/v1/trace-forward-requests/{request_id}/answer", json={"answer": "not_assigned"}
    )
    assert answer.status_code == 404
    page = client_for("noc@aaaa.example").get(f"/inbox/trace-forward/{request_id}")
    assert page.status_code == 404


def test_providers_and_regulators_may_not_ask(carried, api_for):
    for email in ("noc@bbbb.example", "fcc@example.org"):
        client = api_for(email)
        refused = client.post("/api/v1/campaigns/irs/trace-forward", json={"number": CALLBACK})
        assert refused.status_code == 403


def test_an_admin_imports_a_report_and_looks_a_number_up(world, client_for, tmp_path):
    admin = client_for("admin@example.org")
    codes = codes_file(
        tmp_path / "allutlzd.txt", ("TX", "713-342", "BBBB", "Bravo Wholesale", "AS")
    )
    imported = admin.post(
        "/admin/number-blocks",
        data={"csrf_token": admin.csrf},
        files={"report": ("allutlzd.txt", codes.read_bytes(), "text/plain")},
    )
    assert imported.status_code == 200 and "1 added" in imported.text
    found = admin.get("/admin/number-blocks", params={"number": "713 342 5555"})
    assert "Bravo Wholesale" in found.text and 'href="/providers/BBBB"' in found.text
    bad = codes_file(tmp_path / "bad.txt", ("TX", "713-3", "BBBB", "x", "AS"))
    refused = admin.post(
        "/admin/number-blocks",
        data={"csrf_token": admin.csrf},
        files={"report": ("bad.txt", bad.read_bytes(), "text/plain")},
    )
    assert refused.status_code == 422 and "bad.txt:2:" in refused.text
    assert client_for("coord@example.org").get("/admin/number-blocks").status_code == 403
