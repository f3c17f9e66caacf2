"""The traceback list's search, filters and pages; the list's and dashboard's campaign,
gateway and origin columns; the traceback page's links and STIR/SHAKEN sentence; the
open form's place and errors; and a typed call joining its caller ID's campaign."""

from __future__ import annotations

from datetime import UTC, datetime

from robotrace.store import models
from robotrace.store.db import transaction
from robotrace.traceback import service
from robotrace.traceback.model import Answer, CallUnderTrace
from robotrace.traceback.store import load_traceback
from robotrace.traceback.workflow import Reply
from tests.support import settings_policy

from .conftest import T0

COORD, FCC = "coord@example.org", "fcc@example.org"
ACTOR = "coordinator:coord@example.org"


def post(client, path: str, **fields: str):
    return client.post(path, data={"csrf_token": client.csrf, **fields}, follow_redirects=False)


def add_campaign_call(session, number: str, campaign: str = "auto-warranty", ref: str = "hp-9"):
    if session.get(models.Campaign, campaign) is None:
        session.add(models.Campaign(id=campaign, name="Auto warranty", created_at=T0))
        session.flush()
    call = models.Call(
        source="honeypot", source_ref=ref, calling_number=number, calling_e164=number,
        called_number="+17185550123", call_time=datetime(2020, 4, 29, 9, 30, tzinfo=UTC),
        campaign_id=campaign, imported_at=T0, transcript="your car's extended warranty",
    )  # fmt: skip
    session.add(call)
    session.flush()
    return call


def open_typed(session, world, calling: str, called: str = "+13125550111") -> str:
    call = CallUnderTrace(calling, called, datetime(2020, 4, 30, 16, tzinfo=UTC))
    return service.open_traceback(
        session, call, "AAAA", ACTOR, world.clock, policy=settings_policy()
    ).id


def rows_of(page: str) -> str:
    return page.split('<table class="tracebacks">')[1].split("</table>")[0]


def test_a_typed_call_with_a_campaigns_caller_id_joins_that_campaign(world, client_for, engine):
    with transaction(engine) as session:
        add_campaign_call(session, "+12025550177")
    coordinator = client_for(COORD)
    done = post(
        coordinator, "/tracebacks/new", calling_number="(202) 555-0177",
        called_number="312 555 0111", call_time="2020-04-30T16:00:00Z", terminating_key="AAAA",
    )  # fmt: skip
    assert done.status_code == 303
    tb_id = done.headers["location"].rsplit("/", 1)[1]
    with transaction(engine) as session:
        assert load_traceback(session, tb_id).campaign == "auto-warranty"
        other = open_typed(session, world, "+12025550178")
        assert load_traceback(session, other).campaign is None
    page = coordinator.get(f"/tracebacks/{tb_id}").text
    assert '<a href="/campaigns/auto-warranty">auto-warranty</a>' in page


def test_the_list_searches_numbers_in_any_spelling(world, client_for, engine):
    with transaction(engine) as session:
        other = open_typed(session, world, "+12025550188")
    regulator = client_for(FCC)
    for spelling in ("(202) 555-0188", "1-202-555-0188", "tel:+12025550188", "2025550188"):
        rows = rows_of(regulator.get("/tracebacks", params={"number": spelling}).text)
        assert other in rows and world.traceback_id not in rows, spelling


def test_the_list_finds_a_provider_by_name_or_ocn_anywhere_in_the_chain(world, client_for, engine):
    with transaction(engine) as session:
        service.answer_hop(
            session, world.traceback_id, "AAAA", Reply(Answer.UPSTREAM, upstream="BBBB"),
            "provider:AAAA", world.clock, policy=settings_policy(),
        )  # fmt: skip
        other = open_typed(session, world, "+12025550199")
        bravo = session.query(models.Provider.id).filter_by(key="BBBB").scalar()
        session.add(
            models.ProviderIdentifier(
                provider_id=bravo, kind="name", value="Cheap Minutes", folded="cheap minutes"
            )
        )
    regulator = client_for(FCC)
    for provider in ("BBBB", "bbbb", "bravo wholesale", "Bravo", "cheap minutes"):
        rows = rows_of(regulator.get("/tracebacks", params={"provider": provider}).text)
        assert world.traceback_id in rows and other not in rows, provider
    for nothing in ("%", "_", "Zulu"):  # a wildcard is a character, not "any provider"
        page = regulator.get("/tracebacks", params={"provider": nothing}).text
        assert "No traceback matches these filters" in page, nothing


def test_the_list_filters_by_outcome_campaign_and_dates_and_pages_keep_them(
    world, client_for, engine, monkeypatch
):
    from robotrace.traceback import lists

    monkeypatch.setattr(lists, "PAGE_SIZE", 2)
    with transaction(engine) as session:
        add_campaign_call(session, "+12025550111")
        ids = [open_typed(session, world, "+12025550111", f"+1312555020{n}") for n in range(3)]
    regulator = client_for(FCC)
    first = regulator.get("/tracebacks", params={"campaign": "auto-warranty"}).text
    assert ids[2] in rows_of(first) and ids[0] not in rows_of(first)
    assert 'href="/tracebacks?campaign=auto-warranty&amp;page=2"' in first
    second = regulator.get("/tracebacks?campaign=auto-warranty&page=2").text
    assert ids[0] in rows_of(second) and world.traceback_id not in rows_of(second)
    empty = regulator.get("/tracebacks", params={"opened_from": "2020-05-02"}).text
    assert "No traceback matches these filters" in empty
    same_day = regulator.get("/tracebacks?opened_from=2020-05-01&opened_to=2020-05-01").text
    assert "4 tracebacks found; page 1 of 2" in same_day
    assert "No traceback matches" in regulator.get("/tracebacks?outcome=withdrawn").text


def test_garbage_filters_are_a_422_page_saying_which(world, client_for):
    regulator = client_for(FCC)
    for query, field in (
        ("status=maybe", "status"),
        ("outcome=lost", "outcome"),
        ("opened_from=yesterday", "opened_from"),
        ("page=-1", "page"),
        ("page=abc", "page"),
        ("number=not-a-number", "number"),
        ("opened_from=2020-05-02&opened_to=2020-05-01", "opened_to"),
    ):
        page = regulator.get(f"/tracebacks?{query}")
        assert page.status_code == 422, query
        assert "text/html" in page.headers["content-type"] and f"{field}:" in page.text, query


def test_the_list_and_dashboard_show_campaign_gateway_and_origin(world, client_for, engine):
    with transaction(engine) as session:
        add_campaign_call(session, "+12025550143")  # the world's traceback's caller ID
        session.get(models.Traceback, world.traceback_id).campaign_id = "auto-warranty"
        for key, reply in (
            ("AAAA", Reply(Answer.UPSTREAM, upstream="CCCC")),
            ("CCCC", Reply(Answer.UPSTREAM, upstream="FFFF")),
            ("FFFF", Reply(Answer.ORIGIN, customer="Dialer Ltd")),
        ):
            service.answer_hop(
                session,
                world.traceback_id,
                key,
                reply,
                f"p:{key}",
                world.clock,
                policy=settings_policy(),
            )
    coordinator = client_for(COORD)
    row = rows_of(coordinator.get("/tracebacks").text)
    assert '<td class="gateway"><a href="/providers/CCCC">CCCC</a></td>' in row
    assert '<td class="origin"><a href="/providers/FFFF">FFFF</a></td>' in row
    assert '<a href="/campaigns/auto-warranty">' in row
    outcomes = coordinator.get("/").text.split("Recent outcomes")[1]
    assert '<td class="gateway"><a href="/providers/CCCC">CCCC</a></td>' in outcomes
    assert '<td class="origin"><a href="/providers/FFFF">FFFF</a></td>' in outcomes


def test_the_page_links_its_evidence_call_and_says_the_signature_in_words(
    world, client_for, engine
):
    with transaction(engine) as session:
        call = add_campaign_call(session, "+12025550166", ref="hp-7")
        call.identity, call.shaken_valid, call.verified_at = "eyJ…", True, T0
        call.shaken_attest, call.shaken_spc, call.shaken_reason = "A", "BBBB", "verified"
        call.terminating_provider_id = (
            session.query(models.Provider.id).filter_by(key="AAAA").scalar()
        )
        tb_id = service.open_traceback_for_call(
            session, call.id, ACTOR, world.clock, policy=settings_policy()
        ).id
    page = client_for(COORD).get(f"/tracebacks/{tb_id}").text
    assert f'<a href="#evidence-call">call #{call.id}</a>' in page
    assert f'id="evidence-call">Evidence call #{call.id}' in page
    assert (
        "Caller ID signature: valid (attestation A, signed by the provider with OCN BBBB)" in page
    )
    assert "verified: verified" not in page and "<b>verified</b>" not in page
    hops = page.split("<h2>Hops</h2>")[1].split("</table>")[0]
    assert '<td><a href="/providers/AAAA">AAAA</a></td>' in hops


def test_the_typed_form_comes_first_and_its_errors_sit_by_their_fields(world, client_for, engine):
    with transaction(engine) as session:
        provider_id = session.query(models.Provider.id).filter_by(key="AAAA").scalar()
        for n in range(3):
            call = add_campaign_call(session, "+12025550100", ref=f"hp-{n}")
            call.terminating_provider_id = provider_id
    coordinator = client_for(COORD)
    page = coordinator.get("/tracebacks/new").text
    assert page.index("From the numbers") < page.index("From an evidence call")
    assert '<details class="panel evidence-calls">' in page
    assert '<td><a href="/campaigns/auto-warranty">auto-warranty</a></td>' in page
    bad = post(
        coordinator, "/tracebacks/new", calling_number="12", called_number="+13125550111",
        call_time="2020-04-30T16:00:00Z", terminating_key="AAAA",
    )  # fmt: skip
    assert bad.status_code == 400
    field = bad.text.split('name="calling_number"')[1].split("<label>")[0]
    assert 'id="calling_number-error"' in field and "Not opened: calling number" in field
    late = post(
        coordinator, "/tracebacks/new", called_number="+13125550111",
        call_time="2999-01-01T00:00:00Z", terminating_key="AAAA",
    )  # fmt: skip
    field = late.text.split('name="call_time"')[1].split("<label>")[0]
    assert "the call time is in the future" in field


def test_the_api_joins_a_typed_call_to_its_caller_ids_campaign_too(world, api_for, engine):
    with transaction(engine) as session:
        add_campaign_call(session, "+12025550177")
        add_campaign_call(session, "+12025550177", "medicare", ref="hp-10")
        add_campaign_call(session, "+12025550177", "medicare", ref="hp-11")
    details = {
        "calling_number": "202.555.0177",
        "called_number": "+13125550111",
        "call_time": "2020-04-30T16:00:00Z",
        "terminating_provider": "AAAA",
    }
    opened = api_for(COORD).post("/api/v1/tracebacks", json=details)
    assert opened.status_code == 201, opened.text
    assert opened.json()["campaign"] == "medicare"  # two of its calls showed it, one of the other's
