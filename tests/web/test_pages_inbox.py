"""Provider pages: the inbox, answering each way, history, and other providers' ids."""

import re
from datetime import timedelta

import pytest

from robotrace.store.db import transaction
from robotrace.traceback import service
from robotrace.traceback.model import Answer, CallUnderTrace, Outcome, Status
from robotrace.traceback.store import load_traceback
from robotrace.web.pages import inbox as inbox_page
from tests.support import settings_policy

from .conftest import CALL, DUE


def open_hop_ids(client, offset: int = 0) -> list[int]:
    page = client.get(f"/inbox?offset={offset}")
    assert page.status_code == 200
    table = page.text.split("<h2>", 1)[0]  # the open requests, not the "no response" list
    return [int(i) for i in re.findall(r'href="/inbox/(\d+)"', table)]


def answer(client, hop_id: int, **fields: str):
    return client.post(
        f"/inbox/{hop_id}", data={"csrf_token": client.csrf, **fields}, follow_redirects=False
    )


def stored(engine, traceback_id):
    with transaction(engine) as session:
        return load_traceback(session, traceback_id)


def test_a_provider_sees_its_request_with_the_call_details_but_no_traceback_id(world, client_for):
    aaaa = client_for("noc@aaaa.example")
    page = aaaa.get("/inbox").text
    assert "+12025550143" in page and "+13125550199" in page
    assert "2020-04-30 15:04:05 UTC" in page and "2020-05-04 12:00:00 UTC" in page
    assert "Mon 2020-05-04 08:00 EDT" in page  # the due time in the provider's own zone
    assert world.traceback_id not in page
    (hop_id,) = open_hop_ids(aaaa)
    assert world.traceback_id not in aaaa.get(f"/inbox/{hop_id}").text


def test_answering_upstream_moves_the_request_to_the_named_providers_inbox(
    world, client_for, engine
):
    aaaa, bbbb = client_for("noc@aaaa.example"), client_for("noc@bbbb.example")
    assert open_hop_ids(bbbb) == []
    (hop_id,) = open_hop_ids(aaaa)
    assert answer(aaaa, hop_id, kind="upstream", upstream_key="bbbb").status_code == 303
    assert open_hop_ids(aaaa) == []
    assert f"/inbox/{hop_id}" in aaaa.get("/history").text
    inbox = bbbb.get("/inbox").text
    assert "AAAA Alpha Local Telco" in inbox  # the downstream provider that named BBBB
    assert len(open_hop_ids(bbbb)) == 1
    tb = stored(engine, world.traceback_id)
    assert [h.provider for h in tb.hops] == ["AAAA", "BBBB"]
    assert tb.hops[0].answer is Answer.UPSTREAM


def test_naming_a_new_upstream_provider_adds_it_to_the_directory(world, client_for):
    aaaa, bbbb = client_for("noc@aaaa.example"), client_for("noc@bbbb.example")
    answer(aaaa, open_hop_ids(aaaa)[0], kind="upstream", upstream_key="BBBB")
    response = answer(
        bbbb,
        open_hop_ids(bbbb)[0],
        kind="new_provider",
        new_ocn="nw01",
        new_name="Nightowl VoIP",
        new_country="Canada",
        new_foreign="on",
        new_contact_email="abuse@nightowl.example",
    )
    assert response.status_code == 303
    directory = client_for("coord@example.org").get("/providers").text
    assert "NW01" in directory and "Nightowl VoIP" in directory and "Canada" in directory
    detail = client_for("coord@example.org").get(f"/tracebacks/{world.traceback_id}").text
    assert "NW01" in detail and "foreign" in detail


def test_an_upstream_known_by_name_and_contact_alone_gets_a_key_and_the_chain_goes_on(
    world, client_for, engine
):
    aaaa, bbbb = client_for("noc@aaaa.example"), client_for("noc@bbbb.example")
    answer(aaaa, open_hop_ids(aaaa)[0], kind="upstream", upstream_key="BBBB")
    response = answer(
        bbbb,
        open_hop_ids(bbbb)[0],
        kind="new_provider",
        new_name="Quiet Reseller Ltd",
        new_contact_email="ops@quiet.example",
        new_contact_phone="+44 20 7946 0000",
    )
    assert response.status_code == 303
    tb = stored(engine, world.traceback_id)
    named = tb.hops[-1].provider
    assert named.startswith("RT-") and tb.status is Status.OPEN
    directory = client_for("coord@example.org").get("/providers").text
    assert "Quiet Reseller Ltd" in directory and named in directory


def test_an_unknown_upstream_is_refused_with_a_message_and_nothing_changes(
    world, client_for, engine
):
    aaaa = client_for("noc@aaaa.example")
    (hop_id,) = open_hop_ids(aaaa)
    response = answer(aaaa, hop_id, kind="upstream", upstream_key="ZZZZ")
    assert response.status_code == 422  # a wrong answer, as the API says it
    assert "upstream provider ZZZZ is unknown" in response.text
    assert stored(engine, world.traceback_id).hops[0].answer is None


@pytest.mark.parametrize(
    ("fields", "outcome", "shown"),
    [
        (
            {
                "kind": "origin",
                "customer": "Dialer LLC",
                "customer_details": "acct 991",
                "origin_action": "warned",
            },
            Outcome.ORIGIN_IDENTIFIED,
            "Dialer LLC",
        ),
        ({"kind": "not_found", "explanation": "no CDR at that minute"}, Outcome.NOT_FOUND, ""),
        ({"kind": "refused", "reason": "subpoena first"}, Outcome.NON_RESPONSIVE, ""),
    ],
)
def test_a_final_answer_closes_the_traceback_with_its_outcome(
    world, client_for, engine, fields, outcome, shown
):
    aaaa = client_for("noc@aaaa.example")
    assert answer(aaaa, open_hop_ids(aaaa)[0], **fields).status_code == 303
    tb = stored(engine, world.traceback_id)
    assert tb.status is Status.CLOSED and tb.outcome is outcome
    detail = client_for("coord@example.org").get(f"/tracebacks/{world.traceback_id}").text
    assert f"outcome-{outcome.value}" in detail and shown in detail
    history = aaaa.get("/history").text
    assert fields["kind"] in history and "outcome" not in history


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "origin", "customer": "  "}, "the customer&#39;s name is required"),
        ({"kind": "not_found"}, "an explanation is required"),
        ({"kind": "refused"}, "a reason is required"),
        ({"kind": "new_provider", "new_ocn": "NW01"}, "the provider&#39;s name is required"),
        ({"kind": "new_provider", "new_ocn": "N W", "new_name": "x"}, "is not an OCN"),
        ({"kind": "new_provider", "new_name": "x", "new_rmd_number": "RМD0000001"}, "not an RMD"),
        ({"kind": "new_provider", "new_name": "<b>x</b>"}, "may not hold markup"),
        (
            {"kind": "new_provider", "new_name": "x", "new_contact_email": "a@b.c\r\nBcc: y"},
            "not an e-mail",
        ),
        (
            {"kind": "upstream", "upstream_key": "../../admin"},
            "no provider in the directory is called",
        ),
        (
            {"kind": "upstream", "upstream_key": "  "},
            "name the provider you received the call from",
        ),
        ({}, "choose one of the answers"),
    ],
)
def test_an_incomplete_answer_shows_the_form_again_with_the_reason(
    world, client_for, engine, fields, message
):
    aaaa = client_for("noc@aaaa.example")
    response = answer(aaaa, open_hop_ids(aaaa)[0], **fields)
    assert response.status_code == 422 and message in response.text
    assert stored(engine, world.traceback_id).hops[0].answer is None


def test_naming_itself_as_upstream_is_refused_with_422_and_nothing_changes(
    world, client_for, engine
):
    aaaa = client_for("noc@aaaa.example")
    (hop_id,) = open_hop_ids(aaaa)
    response = answer(aaaa, hop_id, kind="upstream", upstream_key="AAAA")
    assert response.status_code == 422
    assert "AAAA cannot name itself as its upstream" in response.text
    assert world.traceback_id not in response.text
    tb = stored(engine, world.traceback_id)
    assert tb.status is Status.OPEN and tb.hops[0].answer is None


def test_a_second_answer_is_refused_without_naming_the_traceback(world, client_for):
    aaaa = client_for("noc@aaaa.example")
    (hop_id,) = open_hop_ids(aaaa)
    answer(aaaa, hop_id, kind="upstream", upstream_key="BBBB")
    response = answer(aaaa, hop_id, kind="refused", reason="changed our mind")
    assert response.status_code == 400
    assert "answered already" in response.text and world.traceback_id not in response.text


def test_a_request_on_a_closed_traceback_takes_no_answer(world, client_for):
    aaaa, bbbb = client_for("noc@aaaa.example"), client_for("noc@bbbb.example")
    answer(aaaa, open_hop_ids(aaaa)[0], kind="upstream", upstream_key="BBBB")
    (hop_id,) = open_hop_ids(bbbb)
    answer(bbbb, hop_id, kind="origin", customer="Dialer LLC", origin_action="warned")
    page = bbbb.get(f"/inbox/{hop_id}").text
    assert "Your answer" in page and 'name="kind"' not in page


def test_a_provider_gets_the_same_404_for_another_providers_hop_as_for_none(world, client_for):
    aaaa, bbbb = client_for("noc@aaaa.example"), client_for("noc@bbbb.example")
    (hop_id,) = open_hop_ids(aaaa)
    theirs, missing = bbbb.get(f"/inbox/{hop_id}"), bbbb.get("/inbox/999999")
    assert theirs.status_code == missing.status_code == 404
    assert theirs.text == missing.text
    posted = answer(bbbb, hop_id, kind="refused", reason="not ours")
    assert posted.status_code == 404 and posted.text == missing.text


def test_a_provider_cannot_read_tracebacks_or_the_directory(world, client_for):
    aaaa = client_for("noc@aaaa.example")
    assert aaaa.get(f"/tracebacks/{world.traceback_id}").status_code == 404
    assert aaaa.get("/tracebacks").status_code == 403
    assert aaaa.get("/providers").status_code == 403
    assert aaaa.get("/providers/BBBB").status_code == 404
    assert aaaa.get("/providers/AAAA").status_code == 200  # its own record
    assert aaaa.get("/", follow_redirects=False).headers["location"] == "/inbox"


def test_staff_have_no_inbox(world, client_for):
    coordinator = client_for("coord@example.org")
    assert coordinator.get("/inbox").status_code == 403
    assert coordinator.get("/history").status_code == 403


def test_an_answer_without_the_csrf_token_is_refused(world, client_for, engine):
    aaaa = client_for("noc@aaaa.example")
    (hop_id,) = open_hop_ids(aaaa)
    response = aaaa.post(f"/inbox/{hop_id}", data={"kind": "refused", "reason": "x"})
    assert response.status_code == 403
    assert stored(engine, world.traceback_id).hops[0].answer is None


def test_a_request_marked_no_response_still_takes_a_late_answer(world, client_for, engine):
    world.clock.set(DUE + timedelta(hours=6))
    coordinator, aaaa = client_for("coord@example.org"), client_for("noc@aaaa.example")
    coordinator.post(
        f"/tracebacks/{world.traceback_id}/no-response", data={"csrf_token": coordinator.csrf}
    )
    assert open_hop_ids(aaaa) == []
    inbox = aaaa.get("/inbox").text
    (hop_id,) = [int(i) for i in re.findall(r'href="/inbox/(\d+)"', inbox)]
    assert "A late answer is still recorded" in aaaa.get(f"/inbox/{hop_id}").text
    assert answer(aaaa, hop_id, kind="upstream", upstream_key="BBBB").status_code == 303
    tb = stored(engine, world.traceback_id)
    assert tb.status is Status.OPEN and tb.hops[0].late and tb.hops[1].provider == "BBBB"


def test_the_inbox_shows_a_page_at_a_time_with_the_total_and_links(
    world, client_for, engine, monkeypatch
):
    monkeypatch.setattr(inbox_page, "PAGE_SIZE", 2)
    with transaction(engine) as session:
        for n in range(4):
            world.clock.advance(timedelta(minutes=1))
            call = CallUnderTrace(CALL.calling_number, f"+1312555{n:04d}", CALL.call_time)
            service.open_traceback(
                session,
                call,
                "AAAA",
                "coordinator:coord@example.org",
                world.clock,
                policy=settings_policy(),
            )
    aaaa = client_for("noc@aaaa.example")
    first = aaaa.get("/inbox").text
    assert '<span class="count">5</span>' in first and "Showing 1–2 of 5" in first
    assert 'href="/inbox?offset=2" rel="next"' in first and 'rel="prev"' not in first
    last = aaaa.get("/inbox?offset=4").text
    assert "Showing 5–5 of 5" in last and 'href="/inbox?offset=2" rel="prev"' in last
    assert 'rel="next"' not in last
    pages = [open_hop_ids(aaaa, offset) for offset in (0, 2, 4)]
    assert [len(p) for p in pages] == [2, 2, 1] and len({i for p in pages for i in p}) == 5


def test_a_single_page_inbox_shows_no_pager(world, client_for):
    page = client_for("noc@aaaa.example").get("/inbox").text
    assert '<span class="count">1</span>' in page and "Showing" not in page
