"""A hop request says what is asked (issue 23): the campaign's name, what its calls say, a
recording at a web address, and how many other calls of the campaign the provider was asked
about — on the page, in the API and in the e-mail — and never the traceback's id."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from robotrace.settings import Settings
from robotrace.store import models
from robotrace.store.asked import EXCERPT_CHARS, excerpt_of, web_recording
from robotrace.store.db import transaction
from robotrace.traceback import service
from robotrace.traceback.model import CallUnderTrace
from tests.support import settings_policy
from tests.web.conftest import CALL, T0

SAID = (
    "This is the Internal Revenue Service. A warrant has been issued for your arrest over "
    "unpaid taxes. To resolve it today press one or call 713-342-1000 right away."
)
RECORDING = "https://evidence.example/rec/irs-1.wav"


def traced_campaign_call(engine, clock, calls: int = 2) -> list[int]:
    """Campaign ``irs``, ``calls`` evidence calls of it terminated at AAAA, each traced;
    returns AAAA's hop ids, oldest first."""
    hop_ids = []
    with transaction(engine) as session:
        aaaa = session.scalar(select(models.Provider.id).where(models.Provider.key == "AAAA"))
        session.add(
            models.Campaign(id="irs", name="IRS arrest warrant", created_at=T0, representative=SAID)
        )
        session.flush()
        for i in range(calls):
            call = models.Call(
                source="honeypot",
                source_ref=f"irs-{i}",
                calling_number=f"+1202555{i:04d}",
                called_number="+13125550199",
                call_time=T0 - timedelta(hours=i + 1),
                terminating_provider_id=aaaa,
                transcript=SAID,
                recording=RECORDING if i == 0 else "vault:irs/1",
                campaign_id="irs",
                imported_at=T0,
            )
            session.add(call)
            session.flush()
            under = CallUnderTrace(call.calling_number, call.called_number, call.call_time)
            tb = service.open_traceback(
                session,
                under,
                "AAAA",
                "coordinator:c",
                clock,
                call_id=call.id,
                campaign="irs",
                policy=settings_policy(),
            )
            hop_ids.append(
                session.scalar(select(models.Hop.id).where(models.Hop.traceback_id == tb.id))
            )
    return hop_ids


def test_the_request_page_says_the_campaign_what_its_calls_say_and_the_recording(
    world, engine, client_for
):
    first, second = traced_campaign_call(engine, world.clock)
    page = client_for("noc@aaaa.example").get(f"/inbox/{first}")
    assert "IRS arrest warrant" in page.text
    assert "A warrant has been issued for your arrest" in page.text
    assert f'href="{RECORDING}"' in page.text
    assert "1 other call of this campaign" in page.text
    other = client_for("noc@aaaa.example").get(f"/inbox/{second}")
    assert "vault:irs" not in other.text  # a reference that is no web address stays inside
    assert "TB-" not in page.text + other.text


def test_the_api_gives_the_same_and_no_traceback_id(world, engine, api_for):
    first, _ = traced_campaign_call(engine, world.clock)
    found = api_for("noc@aaaa.example").get(f"/api/v1/hop-requests/{first}").json()
    assert found["asked"] == {
        "campaign_name": "IRS arrest warrant",
        "excerpt": " ".join(SAID.split()),
        "recording": RECORDING,
        "other_requests_of_campaign": 1,
    }
    assert "TB-" not in str(found)
    typed = api_for("noc@aaaa.example").get("/api/v1/hop-requests").json()
    plain = next(r for r in typed if r["calling_number"] == CALL.calling_number)
    assert plain["asked"] == {
        "campaign_name": "",
        "excerpt": "",
        "recording": None,
        "other_requests_of_campaign": 0,
    }


def test_a_long_transcript_is_cut_at_a_word_within_the_limit():
    text = "word " * 200
    cut = excerpt_of(text)
    assert len(cut) <= EXCERPT_CHARS + 2 and cut.endswith(" …")
    assert cut[:-2].split() == ["word"] * len(cut[:-2].split())


def test_only_one_web_address_counts_as_a_recording():
    assert web_recording(RECORDING) == RECORDING
    for reference in ("vault:irs/1", "javascript:alert(1)", f"{RECORDING} extra", "", None):
        assert web_recording(reference) == ""


def test_the_queued_notice_says_what_is_asked_and_not_the_traceback(world, engine):
    from robotrace.notify.queue import messages_due
    from robotrace.store.db import session_factory

    first, _ = traced_campaign_call(engine, world.clock)
    with session_factory(engine)() as session:
        due = messages_due(session, world.clock.now(), Settings.from_environ())
    [notice, *_] = [m for m in due if m.payload["hop_id"] == first]
    assert notice.payload["campaign"]["name"] == "IRS arrest warrant"
    assert notice.payload["recording"] == RECORDING
    assert "traceback_id" not in notice.payload
