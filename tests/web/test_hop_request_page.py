"""The provider's hop request page (issue 22): the call in the spellings its records use and
on its own clock, one field for the upstream, and after an answer what was recorded and the
next open request."""

import re
from datetime import timedelta

from sqlalchemy import select

from robotrace.clock import SimulatedClock
from robotrace.providers.store import set_time_zone
from robotrace.settings import Settings
from robotrace.store.db import transaction
from robotrace.store.models import Provider
from robotrace.traceback import service
from robotrace.traceback.model import Answer, CallUnderTrace
from tests.support import settings_policy

from .conftest import CALL
from .test_pages_inbox import answer, open_hop_ids, stored
from .test_signer_requests import SIGNER, asked_signer


def second_request_at_aaaa(world, engine) -> None:
    world.clock.advance(timedelta(minutes=5))
    with transaction(engine) as session:
        call = CallUnderTrace("+17135551234", "+13125550100", CALL.call_time)
        service.open_traceback(
            session,
            call,
            "AAAA",
            "coordinator:coord@example.org",
            world.clock,
            policy=settings_policy(),
        )


def test_the_request_shows_both_numbers_in_the_spellings_call_records_use(world, client_for):
    aaaa = client_for("noc@aaaa.example")
    (hop_id,) = open_hop_ids(aaaa)
    page = aaaa.get(f"/inbox/{hop_id}").text
    calling = re.search(r'<dd class="spellings calling">(.*?)</dd>', page).group(1)
    called = re.search(r'<dd class="spellings called">(.*?)</dd>', page).group(1)
    # CALL is +12025550143 → +13125550199, spelled here by hand.
    for spelling in ("+12025550143", "2025550143", "12025550143", "(202) 555-0143", "202-555-0143"):
        assert f"<code>{spelling}</code>" in calling
    for spelling in ("+13125550199", "3125550199", "13125550199", "(312) 555-0199", "312-555-0199"):
        assert f"<code>{spelling}</code>" in called


def test_the_call_time_is_shown_on_the_providers_own_clock_and_in_utc(world, client_for, engine):
    with transaction(engine) as session:
        alpha = session.scalar(select(Provider).where(Provider.key == "AAAA"))
        set_time_zone(
            session,
            alpha,
            "America/Los_Angeles",
            "admin:test",
            SimulatedClock(world.clock.now()),
            Settings.from_environ().business_zone,
        )
    aaaa = client_for("noc@aaaa.example")
    (hop_id,) = open_hop_ids(aaaa)
    page = aaaa.get(f"/inbox/{hop_id}").text
    # The call was at 2020-04-30 15:04:05 UTC: 08:04:05 in Los Angeles (PDT, UTC-7).
    assert "30 Apr 2020, 08:04:05 PDT" in page and "America/Los_Angeles" in page
    assert "2020-04-30 15:04:05 UTC" in page


def test_one_field_takes_the_upstream_and_searches_the_directory_as_it_is_typed(world, client_for):
    aaaa = client_for("noc@aaaa.example")
    (hop_id,) = open_hop_ids(aaaa)
    form = aaaa.get(f"/inbox/{hop_id}").text.split('class="answer-form"', 1)[1]
    assert 'name="q"' not in form  # no second field for the same upstream
    (field,) = re.findall(r'<input[^>]*name="upstream_key"[^>]*>', form)
    assert 'hx-get="/providers/search"' in field
    # htmx sends the field under its own name; the search answers to it.
    found = aaaa.get("/providers/search", params={"upstream_key": "Bravo"}).text
    assert 'data-key="BBBB"' in found


def test_an_upstream_named_by_its_exact_name_is_recorded(world, client_for, engine):
    aaaa = client_for("noc@aaaa.example")
    (hop_id,) = open_hop_ids(aaaa)
    assert (
        answer(aaaa, hop_id, kind="upstream", upstream_key=" bravo  WHOLESALE ").status_code == 303
    )
    tb = stored(engine, world.traceback_id)
    assert tb.hops[0].answer is Answer.UPSTREAM and tb.hops[1].provider == "BBBB"


def test_part_of_a_name_is_not_taken_for_a_provider_and_the_matches_are_offered_by_the_form(
    world, client_for, engine
):
    aaaa = client_for("noc@aaaa.example")
    (hop_id,) = open_hop_ids(aaaa)
    response = answer(aaaa, hop_id, kind="upstream", upstream_key="Bravo")
    assert response.status_code == 422
    assert stored(engine, world.traceback_id).hops[0].answer is None
    form = response.text.split('class="answer-form"', 1)[1]
    assert 'id="answer-error"' in form and "choose the one you mean" in form  # beside the form
    results = form.split('id="search-results"', 1)[1].split("</div>", 1)[0]
    assert 'data-key="BBBB"' in results and "Bravo Wholesale" in results


def test_an_answer_is_confirmed_with_what_was_recorded_and_a_link_to_the_next_request(
    world, client_for, engine
):
    second_request_at_aaaa(world, engine)
    aaaa = client_for("noc@aaaa.example")
    first, second = open_hop_ids(aaaa)
    response = answer(aaaa, first, kind="upstream", upstream_key="BBBB")
    assert response.headers["location"] == f"/inbox/{first}?recorded=1"
    page = aaaa.get(response.headers["location"]).text
    said = re.search(r'<div class="message recorded"[^>]*>(.*?)</div>', page, re.S).group(1)
    assert "Your answer is recorded" in said
    assert "you received the call from BBBB Bravo Wholesale" in " ".join(said.split())
    assert f'href="/inbox/{second}" rel="next"' in page
    assert "Next open request" in page


def test_the_last_open_answer_says_no_other_request_is_open(world, client_for):
    aaaa = client_for("noc@aaaa.example")
    (hop_id,) = open_hop_ids(aaaa)
    response = answer(aaaa, hop_id, kind="not_found", explanation="no CDR at that minute")
    page = aaaa.get(response.headers["location"]).text
    said = " ".join(page.split())
    assert "you have no record of this call" in said
    assert "Your note: “no CDR at that minute”" in said
    assert "No other open hop request" in page and 'rel="next"' not in page


def test_the_confirmation_is_only_shown_for_an_answered_request(world, client_for):
    aaaa = client_for("noc@aaaa.example")
    (hop_id,) = open_hop_ids(aaaa)
    assert "Your answer is recorded" not in aaaa.get(f"/inbox/{hop_id}?recorded=1").text


def test_a_direct_request_to_the_signer_helps_find_the_call_and_confirms_the_answer(
    world, client_for, engine
):
    _tb, request_id = asked_signer(engine, world)
    bbbb = client_for(SIGNER)
    page = bbbb.get(f"/inbox/signer/{request_id}").text
    assert "<code>(202) 555-0143</code>" in page and "<code>312-555-0199</code>" in page
    assert "30 Apr 2020, 11:04:05 EDT" in page  # BBBB's zone: the default, New York
    response = bbbb.post(
        f"/inbox/signer/{request_id}",
        data={"csrf_token": bbbb.csrf, "kind": "upstream", "upstream_key": "charlie gateway"},
        follow_redirects=False,
    )
    assert response.headers["location"] == f"/inbox/signer/{request_id}?recorded=1"
    said = bbbb.get(response.headers["location"]).text
    assert "you received the call from CCCC Charlie Gateway" in " ".join(said.split())
