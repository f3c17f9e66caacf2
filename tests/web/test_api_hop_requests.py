"""The provider side of the API: the inbox, answering, and what other providers cannot see."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from robotrace.accounts.tokens import create_token
from robotrace.accounts.users import create_user
from robotrace.providers.registry import Provider
from robotrace.providers.store import upsert_providers
from robotrace.store.db import transaction
from robotrace.traceback import service
from robotrace.traceback.model import Answer, CallUnderTrace
from robotrace.traceback.workflow import Reply
from tests.support import settings_policy

from .conftest import CALL, DUE, PASSWORD

COORD, ALPHA, BRAVO = "coord@example.org", "noc@aaaa.example", "noc@bbbb.example"


def _open_request(api) -> dict:
    [request] = api.get("/api/v1/hop-requests").json()
    return request


def _token_for_new_user(engine, clock, email: str, ocn: str) -> dict[str, str]:
    with transaction(engine) as session:
        user = create_user(session, email, "provider", PASSWORD, ocn, clock=clock)
        token, _ = create_token(session, user, "agent", True, clock)
    return {"Authorization": f"Bearer {token}"}


def test_a_provider_sees_its_open_request_with_the_call_but_no_traceback_id(world, api_for):
    request = _open_request(api_for(ALPHA))
    assert request["called_number"] == CALL.called_number
    assert request["calling_number"] == CALL.calling_number
    assert request["call_time"].startswith("2020-04-30T15:04:05")
    assert request["open"] is True and request["answer"] is None
    assert world.traceback_id not in str(request) and "traceback" not in " ".join(request)


def test_another_provider_has_an_empty_inbox(world, api_for):
    assert api_for(BRAVO).get("/api/v1/hop-requests").json() == []


def test_the_chain_runs_through_the_api_to_the_origin(world, api_for, engine):
    coord = api_for(COORD)
    opened = coord.post(
        "/api/v1/tracebacks",
        json={
            "calling_number": "+12025550100",
            "called_number": "+13125550111",
            "call_time": "2020-04-30T16:00:00Z",
            "terminating_provider": "aaaa",
        },
    )
    assert opened.status_code == 201, opened.text
    tb_id = opened.json()["id"]
    alpha = api_for(ALPHA)
    mine = [
        r for r in alpha.get("/api/v1/hop-requests").json() if r["called_number"].endswith("111")
    ]
    answer = alpha.post(
        f"/api/v1/hop-requests/{mine[0]['id']}/answer",
        json={"answer": "upstream", "upstream": "BBBB"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["answer"] == "upstream" and answer.json()["open"] is False

    bravo = api_for(BRAVO)
    request = _open_request(bravo)
    assert request["downstream_key"] == "AAAA"
    named = {"ocn": "nnnn", "name": "November Networks", "contact_email": "noc@nnnn.example"}
    answer = bravo.post(
        f"/api/v1/hop-requests/{request['id']}/answer",
        json={"answer": "upstream", "new_provider": named, "note": "trunk 7"},
    )
    assert answer.status_code == 200, answer.text
    assert coord.get("/api/v1/providers/NNNN").json()["business_name"] == "November Networks"

    november = TestClient(
        world.app, headers=_token_for_new_user(engine, world.clock, "noc@nnnn.example", "NNNN")
    )
    request = _open_request(november)
    answer = november.post(
        f"/api/v1/hop-requests/{request['id']}/answer",
        json={"answer": "origin", "customer": "Acme Outreach Ltd"},
    )
    assert answer.status_code == 200, answer.text

    tb = coord.get(f"/api/v1/tracebacks/{tb_id}").json()
    assert tb["status"] == "closed" and tb["outcome"] == "origin_identified"
    assert [h["provider"] for h in tb["hops"]] == ["AAAA", "BBBB", "NNNN"]
    assert tb["originating_provider"] == "NNNN" and tb["customer"] == "Acme Outreach Ltd"
    assert tb["hops"][1]["note"] == "trunk 7"


def test_answering_the_same_request_twice_is_a_conflict(world, api_for):
    alpha = api_for(ALPHA)
    request = _open_request(alpha)
    url = f"/api/v1/hop-requests/{request['id']}/answer"
    assert alpha.post(url, json={"answer": "upstream", "upstream": "BBBB"}).status_code == 200
    again = alpha.post(url, json={"answer": "not_found"})
    assert again.status_code == 409
    assert again.json() == {"detail": "This request has been answered already."}


def test_an_answer_on_a_closed_traceback_is_a_conflict(world, api_for):
    alpha = api_for(ALPHA)
    request = _open_request(alpha)
    url = f"/api/v1/hop-requests/{request['id']}/answer"
    assert alpha.post(url, json={"answer": "upstream", "upstream": "BBBB"}).status_code == 200
    bravo = api_for(BRAVO)
    bravo_request = _open_request(bravo)
    bravo_url = f"/api/v1/hop-requests/{bravo_request['id']}/answer"
    assert bravo.post(bravo_url, json={"answer": "not_found"}).status_code == 200
    again = bravo.post(bravo_url, json={"answer": "refused", "note": "we changed our mind"})
    assert again.status_code == 409
    assert "TB-" not in again.text and "not_found" not in again.text


def test_a_late_answer_after_no_response_reopens_the_traceback(world, api_for):
    world.clock.set(DUE + timedelta(hours=1))
    coord = api_for(COORD)
    marked = coord.post(f"/api/v1/tracebacks/{world.traceback_id}/no-response")
    assert marked.status_code == 200 and marked.json()["outcome"] == "non_responsive"
    alpha = api_for(ALPHA)
    [request] = alpha.get("/api/v1/hop-requests?status=answered").json()
    assert request["answer"] == "no_response"
    late = alpha.post(
        f"/api/v1/hop-requests/{request['id']}/answer",
        json={"answer": "upstream", "upstream": "BBBB"},
    )
    assert late.status_code == 200 and late.json()["late"] is True
    assert coord.get(f"/api/v1/tracebacks/{world.traceback_id}").json()["status"] == "open"


@pytest.mark.parametrize("named_as", ["AAAA", "aaaa", {"ocn": "aaaa", "name": "Us Again"}])
def test_a_provider_naming_itself_as_its_upstream_is_422_and_nothing_changes(
    world, api_for, named_as
):
    alpha = api_for(ALPHA)
    url = f"/api/v1/hop-requests/{_open_request(alpha)['id']}/answer"
    if isinstance(named_as, dict):
        body = {"answer": "upstream", "new_provider": named_as}
    else:
        body = {"answer": "upstream", "upstream": named_as}
    response = alpha.post(url, json=body)
    assert response.status_code == 422, response.text
    assert "AAAA cannot name itself as its upstream" in response.json()["detail"]
    assert world.traceback_id not in response.text
    assert _open_request(alpha)["open"] is True
    tb = api_for(COORD).get(f"/api/v1/tracebacks/{world.traceback_id}").json()
    assert tb["status"] == "open" and tb["outcome"] is None


def test_a_late_answer_that_names_the_chain_keeps_the_traceback_non_responsive(
    world, api_for, client_for
):
    world.clock.set(DUE + timedelta(hours=1))
    coord = api_for(COORD)
    assert coord.post(f"/api/v1/tracebacks/{world.traceback_id}/no-response").status_code == 200
    alpha = api_for(ALPHA)
    [request] = alpha.get("/api/v1/hop-requests?status=answered").json()
    url = f"/api/v1/hop-requests/{request['id']}/answer"
    itself = alpha.post(url, json={"answer": "upstream", "upstream": "AAAA"})
    assert itself.status_code == 422 and "itself" in itself.json()["detail"]
    late = alpha.post(url, json={"answer": "origin", "customer": "A Convenient Customer"})
    assert late.status_code == 200 and late.json()["late"] is True
    tb = coord.get(f"/api/v1/tracebacks/{world.traceback_id}").json()
    assert (tb["status"], tb["outcome"]) == ("closed", "non_responsive")
    assert tb["late_answer_held"] is True and tb["originating_provider"] is None
    assert tb["non_cooperative"] == ["AAAA"]
    page = client_for(COORD).get(f"/tracebacks/{world.traceback_id}").text
    assert "held for a coordinator's review" in page and "traceback.late_answer_held" in page


def test_provider_b_using_a_s_request_id_gets_the_same_404_as_a_made_up_id(world, api_for):
    request = _open_request(api_for(ALPHA))
    bravo = api_for(BRAVO)
    for method, suffix, body in (("GET", "", None), ("POST", "/answer", {"answer": "not_found"})):
        theirs = bravo.request(method, f"/api/v1/hop-requests/{request['id']}{suffix}", json=body)
        made_up = bravo.request(method, f"/api/v1/hop-requests/987654{suffix}", json=body)
        assert theirs.status_code == made_up.status_code == 404
        assert theirs.content == made_up.content
    assert _open_request(api_for(ALPHA))["open"] is True


def test_a_read_only_token_reads_but_cannot_answer(world, api_for):
    reader = api_for(ALPHA, write=False)
    request = _open_request(reader)
    answer = reader.post(
        f"/api/v1/hop-requests/{request['id']}/answer", json={"answer": "not_found"}
    )
    assert answer.status_code == 403
    assert "read-only" in answer.json()["detail"]


def test_bad_answers_are_422(world, api_for):
    alpha = api_for(ALPHA)
    url = f"/api/v1/hop-requests/{_open_request(alpha)['id']}/answer"
    for body in (
        {"answer": "upstream"},
        {"answer": "origin"},
        {"answer": "no_response"},
        {"answer": "maybe"},
        {"answer": "upstream", "upstream": "XXXX", "new_provider": {"ocn": "YYYY"}},
    ):
        assert alpha.post(url, json=body).status_code == 422, body


@pytest.mark.parametrize(
    "named",
    [
        {"name": "Lookalike", "rmd_number": "RМD0000001"},  # a Cyrillic М
        {"name": "Lookalike", "ocn": "ВВВВ"},  # Cyrillic В: not BBBB
        {"name": "Path", "ocn": "../../admin/x?"},
        {"name": "<script>alert(1)</script>"},
        {"name": "Crlf", "contact_email": "a@b.example\r\nBcc: all@x.example"},
        {"name": "x" * 201},
        {"name": "Long FRN", "frn": "12345678901"},
    ],
)
def test_a_new_provider_with_a_hostile_value_is_refused_and_nothing_is_stored(
    world, api_for, engine, named
):
    alpha = api_for(ALPHA)
    before = api_for(COORD).get("/api/v1/providers").json()
    url = f"/api/v1/hop-requests/{_open_request(alpha)['id']}/answer"
    response = alpha.post(url, json={"answer": "upstream", "new_provider": named})
    assert response.status_code == 422, response.text
    assert api_for(COORD).get("/api/v1/providers").json() == before
    assert _open_request(alpha)["open"] is True


def test_an_upstream_named_by_its_rmd_number_is_the_provider_that_holds_it(world, api_for, engine):
    with transaction(engine) as session:  # CCCC files in the RMD under this number
        charlie = Provider("CCCC", "Charlie Gateway", rmd_numbers=("RMD0000777",))
        upsert_providers(session, [charlie])
    alpha = api_for(ALPHA)
    request = _open_request(alpha)
    response = alpha.post(
        f"/api/v1/hop-requests/{request['id']}/answer",
        json={"answer": "upstream", "upstream": "rmd0000777"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["upstream"] == "CCCC"


def test_an_unknown_upstream_without_its_details_is_refused(world, api_for):
    alpha = api_for(ALPHA)
    url = f"/api/v1/hop-requests/{_open_request(alpha)['id']}/answer"
    response = alpha.post(url, json={"answer": "upstream", "upstream": "ZZZZ"})
    assert response.status_code == 422
    assert "unknown" in response.json()["detail"]
    assert _open_request(alpha)["open"] is True


def test_staff_have_no_inbox(world, api_for):
    assert api_for(COORD).get("/api/v1/hop-requests").status_code == 403


def test_a_cookie_session_answers_with_its_csrf_token(world, client_for):
    client = client_for(ALPHA)
    url = f"/api/v1/hop-requests/{_open_request(client)['id']}/answer"
    assert client.post(url, json={"answer": "not_found"}).status_code == 403
    response = client.post(url, json={"answer": "not_found"}, headers={"X-CSRF-Token": client.csrf})
    assert response.status_code == 200


def _open_more_at_alpha(engine, clock, count: int) -> list[str]:
    """``count`` more open requests at AAAA, each due a minute after the one before."""
    opened = []
    with transaction(engine) as session:
        for n in range(count):
            clock.advance(timedelta(minutes=1))
            call = CallUnderTrace(CALL.calling_number, f"+1312555{n:04d}", CALL.call_time)
            tb = service.open_traceback(
                session,
                call,
                "AAAA",
                "coordinator:coord@example.org",
                clock,
                policy=settings_policy(),
            )
            opened.append(tb.id)
    return opened


def test_the_inbox_comes_in_pages_with_the_total_and_a_link_to_the_next(world, api_for, engine):
    _open_more_at_alpha(engine, world.clock, 4)
    alpha = api_for(ALPHA)
    seen, url, pages = [], "/api/v1/hop-requests?status=open&limit=2", 0
    while url:
        response = alpha.get(url)
        assert response.status_code == 200 and response.headers["x-total-count"] == "5"
        seen += [r["id"] for r in response.json()]
        url = response.links.get("next", {}).get("url")
        pages += 1
    assert pages == 3 and len(seen) == len(set(seen)) == 5
    assert seen == [r["id"] for r in alpha.get("/api/v1/hop-requests").json()]


def test_a_page_past_the_end_is_empty_and_has_no_next_link(world, api_for):
    response = api_for(ALPHA).get("/api/v1/hop-requests?limit=10&offset=10")
    assert response.json() == [] and response.headers["x-total-count"] == "1"
    assert "link" not in response.headers


def test_the_default_page_is_100_and_the_largest_1000(world, api_for):
    alpha = api_for(ALPHA)
    assert alpha.get("/api/v1/hop-requests?limit=1000").status_code == 200
    for bad in ("limit=0", "limit=1001", "offset=-1"):
        assert alpha.get(f"/api/v1/hop-requests?{bad}").status_code == 422, bad
    assert "link" not in alpha.get("/api/v1/hop-requests").headers


def test_the_total_counts_only_the_providers_own_requests(world, api_for, engine):
    _open_more_at_alpha(engine, world.clock, 2)
    bravo = api_for(BRAVO).get("/api/v1/hop-requests?status=all")
    assert bravo.json() == [] and bravo.headers["x-total-count"] == "0"
    answered = api_for(ALPHA).get("/api/v1/hop-requests?status=answered")
    assert answered.headers["x-total-count"] == "0"


def _open_more_at_bravo(engine, clock, count: int) -> None:
    """``count`` more open requests at BBBB, second hops named by AAAA."""
    opened = _open_more_at_alpha(engine, clock, count)
    with transaction(engine) as session:
        for tb_id in opened:
            reply = Reply(Answer.UPSTREAM, upstream="BBBB")
            service.answer_hop(
                session,
                tb_id,
                "AAAA",
                reply,
                "provider:noc@aaaa.example",
                clock,
                policy=settings_policy(),
            )


def test_the_inbox_runs_the_same_few_statements_however_many_requests_are_open(
    world, api_for, engine
):
    _open_more_at_bravo(engine, world.clock, 1)
    bravo = api_for(BRAVO)
    few = _statements_of(world.app, lambda: bravo.get("/api/v1/hop-requests?status=all"))
    _open_more_at_bravo(engine, world.clock, 5)
    many = _statements_of(world.app, lambda: bravo.get("/api/v1/hop-requests?status=all"))
    assert few == many
    requests = bravo.get("/api/v1/hop-requests").json()
    assert len(requests) == 6 and {r["downstream_key"] for r in requests} == {"AAAA"}
    answered = api_for(ALPHA).get("/api/v1/hop-requests?status=answered").json()
    assert len(answered) == 6 and {r["upstream"] for r in answered} == {"BBBB"}


def _statements_of(app, send) -> int:
    counted = []
    listener = lambda *_: counted.append(1)  # noqa: E731
    event.listen(app.state.engine, "before_cursor_execute", listener)
    try:
        assert send().status_code == 200
    finally:
        event.remove(app.state.engine, "before_cursor_execute", listener)
    return len(counted)
