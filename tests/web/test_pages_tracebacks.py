"""Coordinator pages: dashboard, traceback list and detail, opening, and marking no_response."""

from datetime import UTC, datetime, timedelta

from robotrace.store import models
from robotrace.store.db import transaction
from robotrace.traceback.model import Answer, Outcome
from robotrace.traceback.store import load_traceback

from .conftest import DUE, T0


def post(client, path: str, **fields: str):
    return client.post(path, data={"csrf_token": client.csrf, **fields}, follow_redirects=False)


def add_call(engine, terminating: str | None = "BBBB") -> int:
    with transaction(engine) as session:
        provider_id = session.query(models.Provider.id).filter_by(key=terminating).scalar()
        call = models.Call(
            source="honeypot",
            source_ref="hp-1",
            calling_number="+12025550100",
            called_number="+17185550123",
            call_time=datetime(2020, 4, 29, 9, 30, tzinfo=UTC),
            terminating_provider_id=provider_id,
            campaign_id=None,
            imported_at=T0,
        )
        session.add(call)
        session.flush()
        return call.id


def test_the_dashboard_shows_open_tracebacks_and_then_overdue_hops(world, client_for):
    coordinator = client_for("coord@example.org")
    page = coordinator.get("/").text
    assert world.traceback_id in page and "No hop is overdue." in page
    world.clock.set(DUE + timedelta(hours=3))
    page = coordinator.get("/").text
    assert "Overdue hops" in page and "Alpha Local Telco" in page and "3 h 0 min" in page


def test_the_dashboard_counts_non_responsive_providers_and_recent_outcomes(world, client_for):
    world.clock.set(DUE + timedelta(hours=1))
    coordinator = client_for("coord@example.org")
    post(coordinator, f"/tracebacks/{world.traceback_id}/no-response")
    page = coordinator.get("/").text
    non_responsive = page.split("Non-responsive providers")[1].split("Recent outcomes")[0]
    assert "AAAA" in non_responsive and "<td>1</td><td>0</td>" in non_responsive
    assert "outcome-non_responsive" in page.split("Recent outcomes")[1]


def test_the_list_filters_by_status(world, client_for):
    regulator = client_for("fcc@example.org")
    assert world.traceback_id in regulator.get("/tracebacks?status=open").text
    assert world.traceback_id not in regulator.get("/tracebacks?status=closed").text
    assert world.traceback_id in regulator.get("/tracebacks").text


def test_the_detail_page_draws_the_chain_with_roles_timeline_and_audit(world, client_for):
    coordinator = client_for("coord@example.org")
    page = coordinator.get(f"/tracebacks/{world.traceback_id}").text
    assert "role-terminating" in page and "Alpha Local Telco" in page
    assert "Opened at terminating provider AAAA" in page
    assert "traceback.opened" in page and "coordinator:coord@example.org" in page
    assert "2020-05-01 12:00:00 UTC" in page
    assert "no-response" not in page  # not overdue: no button


def test_a_missing_traceback_is_404(world, client_for):
    assert client_for("coord@example.org").get("/tracebacks/TB-999999").status_code == 404


def test_an_overdue_hop_can_be_marked_no_response(world, client_for, engine):
    coordinator = client_for("coord@example.org")
    assert "no-response" not in coordinator.get(f"/tracebacks/{world.traceback_id}").text
    world.clock.set(DUE + timedelta(minutes=1))
    assert "no-response" in coordinator.get(f"/tracebacks/{world.traceback_id}").text
    response = post(coordinator, f"/tracebacks/{world.traceback_id}/no-response")
    assert response.status_code == 303
    with transaction(engine) as session:
        tb = load_traceback(session, world.traceback_id)
    assert tb.hops[0].answer is Answer.NO_RESPONSE and tb.outcome is Outcome.NON_RESPONSIVE
    page = coordinator.get(f"/tracebacks/{world.traceback_id}").text
    assert "hop.no_response" in page and "AAAA did not answer" in page


def test_a_hop_that_is_not_overdue_is_not_marked_and_the_reason_is_shown(world, client_for, engine):
    response = post(
        client_for("coord@example.org"), f"/tracebacks/{world.traceback_id}/no-response"
    )
    assert response.status_code == 409
    assert "it is not overdue yet" in response.text
    with transaction(engine) as session:
        assert load_traceback(session, world.traceback_id).hops[0].answer is None


def test_a_regulator_reads_but_cannot_write(world, client_for):
    regulator = client_for("fcc@example.org")
    world.clock.advance(timedelta(days=2))
    assert regulator.get("/").status_code == 200
    page = regulator.get(f"/tracebacks/{world.traceback_id}")
    assert page.status_code == 200 and "no-response" not in page.text
    assert post(regulator, f"/tracebacks/{world.traceback_id}/no-response").status_code == 403
    assert regulator.get("/tracebacks/new").status_code == 403
    assert post(regulator, "/tracebacks/new", called_number="+1").status_code == 403


def test_marking_without_the_csrf_token_is_refused(world, client_for):
    coordinator = client_for("coord@example.org")
    world.clock.advance(timedelta(days=2))
    response = coordinator.post(f"/tracebacks/{world.traceback_id}/no-response")
    assert response.status_code == 403


def test_a_coordinator_opens_a_traceback_from_typed_numbers(world, client_for, engine):
    coordinator = client_for("coord@example.org")
    assert "Foxtrot Intl Ltd" in coordinator.get("/tracebacks/new").text
    response = post(
        coordinator,
        "/tracebacks/new",
        calling_number="+12025550111",
        called_number="+13125550222",
        call_time="2020-04-30T08:00:00Z",
        terminating_key="BBBB",
    )
    assert response.status_code == 303 and response.headers["location"] == "/tracebacks/TB-000002"
    with transaction(engine) as session:
        tb = load_traceback(session, "TB-000002")
    assert tb.terminating_provider == "BBBB" and tb.call.called_number == "+13125550222"
    assert tb.call.call_time == datetime(2020, 4, 30, 8, tzinfo=UTC)
    assert len(client_for("noc@bbbb.example").get("/inbox").text.split('href="/inbox/')) == 2


def test_bad_typed_input_shows_the_form_again_and_writes_nothing(world, client_for, engine):
    coordinator = client_for("coord@example.org")
    good = {
        "called_number": "+13125550222",
        "call_time": "2020-04-30T08:00",
        "terminating_key": "BBBB",
    }
    for bad, message in [
        ({"terminating_key": "ZZZZ"}, "no provider &#39;ZZZZ&#39;"),
        ({"call_time": "yesterday"}, "not an ISO-8601 time"),
        ({"call_time": "2030-01-01T00:00Z"}, "in the future"),
        ({"called_number": "  "}, "the called number is required"),
    ]:
        response = post(coordinator, "/tracebacks/new", **{**good, **bad})
        assert response.status_code == 400 and message in response.text
        assert "+13125550222" in response.text or not bad.get("called_number", "x").strip()
    with transaction(engine) as session:
        assert session.query(models.Traceback).count() == 1


def test_a_coordinator_opens_a_traceback_from_an_evidence_call(world, client_for, engine):
    call_id = add_call(engine)
    coordinator = client_for("coord@example.org")
    assert "+17185550123" in coordinator.get("/tracebacks/new").text
    response = post(coordinator, "/tracebacks/new/from-call", call_id=str(call_id))
    assert response.status_code == 303
    with transaction(engine) as session:
        row = session.get(models.Traceback, "TB-000002")
        assert row is not None and row.call_id == call_id
    assert "+17185550123" not in coordinator.get("/tracebacks/new").text  # traced now
    again = post(coordinator, "/tracebacks/new/from-call", call_id=str(call_id))
    assert again.status_code == 400 and "traced already" in again.text


def test_typed_numbers_are_stored_in_e164_and_text_that_is_no_number_is_refused(
    world, client_for, engine
):
    """Issue 22: `hello` was accepted as a calling number and `(713) 342-9979` shown to every
    provider as typed. The numbers are those of the published NANP plan (713 is Houston)."""
    coordinator = client_for("coord@example.org")
    good = {"call_time": "2020-04-30T08:00:00Z", "terminating_key": "BBBB"}
    for calling, called, message in [
        ("hello", "+13125550222", "calling number &#39;hello&#39; is not a telephone number"),
        ("+12025550111", "(713) 342-99", "called number"),
        ("+12025550111", "hello", "called number"),
    ]:
        response = post(
            coordinator, "/tracebacks/new", calling_number=calling, called_number=called, **good
        )
        assert response.status_code == 400 and message in response.text, response.text[-600:]
    response = post(
        coordinator,
        "/tracebacks/new",
        calling_number="Anonymous",
        called_number="(713) 342-9979",
        **good,
    )
    assert response.status_code == 303
    with transaction(engine) as session:
        tb = load_traceback(session, "TB-000002")
    assert (tb.call.calling_number, tb.call.called_number) == ("anonymous", "+17133429979")
