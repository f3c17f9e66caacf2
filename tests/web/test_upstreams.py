"""Know your upstream (issue 23 item 5; 47 CFR 64.1200(n)(4)): a provider sees the providers
its own hop answers named as upstream, with their RMD status, issued letters and orders,
authorizations in force and block-list standing — riskiest first — and nothing of another
provider's answers, nor any draft.

The ground truth is written out by hand from the world ``seed_upstreams`` builds:

=========  ==========================================  ==========  ======================
upstream   AAAA named it in                             risk        why
=========  ==========================================  ==========  ======================
HHHH       TB calls 3 and 4                              blocked     active authorization,
                                                                     on the published list
CCCC       TB call 5                                     blocked     removed from the RMD
DDDD       TB call 6                                     warned      an issued letter (and a
                                                                     draft, never shown)
BBBB       TB calls 0 (the world's), 1, 2 (AAAA at hop   none        listed in the RMD
           1 after CCCC)
=========  ==========================================  ==========  ======================

EEEE was named in a traceback that was then withdrawn: not counted. BBBB named CCCC and
GGGG: AAAA never sees GGGG. AAAA's own origin answer names nobody.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import event, select

from robotrace.clock import Clock
from robotrace.enforcement.service import publish_blocklist
from robotrace.providers.registry import Provider
from robotrace.providers.rmd_store import remove_provider
from robotrace.providers.store import upsert_providers
from robotrace.settings import Settings
from robotrace.store import models
from robotrace.store.db import transaction
from robotrace.traceback import service
from robotrace.traceback.model import Answer
from robotrace.traceback.workflow import Reply
from tests.support import settings_policy

from .conftest import CALL

ACTOR = "test"
MORE = [
    Provider("DDDD", ocns=("DDDD",), business_name="Delta Reseller"),
    Provider("EEEE", ocns=("EEEE",), business_name="Echo Voice"),
    Provider("GGGG", ocns=("GGGG",), business_name="Golf Minutes"),
    Provider("HHHH", ocns=("HHHH",), business_name="Hotel Dialer Inc"),
]
#: The call time of the sample call of each traceback (minutes after CALL's time).
CALL_TIMES = {n: CALL.call_time + timedelta(minutes=10 * n) for n in range(10)}
#: What each traceback's AAAA hop named (None: AAAA answered origin).
AAAA_NAMED = {0: "BBBB", 1: "BBBB", 2: "BBBB", 3: "HHHH", 4: "HHHH", 5: "CCCC", 6: "DDDD"}


def _open(session, n: int, at: str, clock: Clock) -> str:
    call = replace(CALL, calling_number=f"+1202555{n:04d}", call_time=CALL_TIMES[n])
    return service.open_traceback(session, call, at, ACTOR, clock, policy=settings_policy()).id


def _answer(session, tb: str, key: str, upstream: str, clock: Clock) -> None:
    service.answer_hop(
        session,
        tb,
        key,
        Reply(Answer.UPSTREAM, upstream=upstream),
        ACTOR,
        clock,
        policy=settings_policy(),
    )


def _id(session, key: str) -> int:
    return session.scalar(select(models.Provider.id).where(models.Provider.key == key))


def seed_upstreams(engine, clock: Clock, first_traceback: str) -> dict[str, int]:
    """The world of the module's table on top of tests.web.conftest's; returns step ids."""
    with transaction(engine) as session:
        upsert_providers(session, MORE, clock)
        _answer(session, first_traceback, "AAAA", "BBBB", clock)  # call 0
        _answer(session, first_traceback, "BBBB", "CCCC", clock)  # BBBB's: not AAAA's
        for n in (1, 3, 4, 5, 6):
            _answer(session, _open(session, n, "AAAA", clock), "AAAA", AAAA_NAMED[n], clock)
        via = _open(session, 2, "CCCC", clock)  # AAAA at hop 1
        _answer(session, via, "CCCC", "AAAA", clock)
        _answer(session, via, "AAAA", "BBBB", clock)
        withdrawn = _open(session, 7, "AAAA", clock)
        _answer(session, withdrawn, "AAAA", "EEEE", clock)
        service.withdraw_traceback(session, withdrawn, "opened by mistake", ACTOR, clock)
        origin = _open(session, 8, "AAAA", clock)
        service.answer_hop(
            session,
            origin,
            "AAAA",
            Reply(Answer.ORIGIN, customer="Acme"),
            ACTOR,
            clock,
            policy=settings_policy(),
        )
        elsewhere = _open(session, 9, "BBBB", clock)
        _answer(session, elsewhere, "BBBB", "GGGG", clock)
        ids = _steps(session, clock)
        _rmd(session, clock)
        publish_blocklist(session, clock, Settings.from_environ())
    return ids


def _steps(session, clock: Clock) -> dict[str, int]:
    now, day = clock.now(), timedelta(days=1)
    made = {
        "letter": models.EnforcementAction(
            provider_id=_id(session, "DDDD"), kind="warning_letter", status="issued",
            issued_at=now - 3 * day, mitigate_by=now - day, report_by=now + 11 * day,
        ),
        "draft": models.EnforcementAction(
            provider_id=_id(session, "DDDD"), kind="warning_letter", status="draft"
        ),
        "bbbb_draft": models.EnforcementAction(
            provider_id=_id(session, "BBBB"), kind="notification", status="draft", ladder="n"
        ),
        "authorization": models.EnforcementAction(
            provider_id=_id(session, "HHHH"), kind="block_authorization", status="active",
            scope="provider", issued_at=now - 2 * day, effective_at=now - day,
            reason="still carrying the traffic",
        ),
        "golf": models.EnforcementAction(
            provider_id=_id(session, "GGGG"), kind="warning_letter", status="issued",
            issued_at=now - day, mitigate_by=now + day, report_by=now + 13 * day,
        ),
    }  # fmt: skip
    session.add_all(made.values())
    session.flush()
    return {name: row.id for name, row in made.items()}


def _rmd(session, clock: Clock) -> None:
    """BBBB listed in the latest export; CCCC removed by order; the others never filed."""
    now = clock.now()
    export = models.RmdImport(imported_at=now, sha256="0" * 64, filings=1)
    session.add(export)
    session.flush()
    session.add(
        models.RmdFiling(
            number="RMD0000222", provider_id=_id(session, "BBBB"), content_hash="1" * 64,
            first_import_id=export.id, last_import_id=export.id, updated_at=now,
        )
    )  # fmt: skip
    removed = session.get(models.Provider, _id(session, "CCCC"))
    remove_provider(session, removed, "DA 24-1000", now - timedelta(days=2), ACTOR, clock)


def test_a_provider_reads_its_upstreams_riskiest_first_with_counts(world, engine, api_for):
    seed_upstreams(engine, world.clock, world.traceback_id)
    body = api_for("noc@aaaa.example").get("/api/v1/upstreams").json()
    assert body["provider"] == "AAAA"
    got = [(u["provider"], u["risk"], u["tracebacks"]) for u in body["upstreams"]]
    assert got == [("HHHH", "blocked", 2), ("CCCC", "blocked", 1), ("DDDD", "warned", 1),
                   ("BBBB", "none", 3)]  # fmt: skip
    last = {u["provider"]: u["last_call_at"] for u in body["upstreams"]}
    expected = {"HHHH": 4, "CCCC": 5, "DDDD": 6, "BBBB": 2}
    for key, n in expected.items():
        assert datetime.fromisoformat(last[key].replace("Z", "+00:00")) == CALL_TIMES[n], key


def test_another_providers_answers_and_withdrawn_tracebacks_are_not_counted(world, engine, api_for):
    seed_upstreams(engine, world.clock, world.traceback_id)
    keys = {u["provider"] for u in api_for("noc@aaaa.example").get("/api/v1/upstreams").json()[
        "upstreams"]}  # fmt: skip
    assert keys == {"BBBB", "CCCC", "DDDD", "HHHH"}
    assert "GGGG" not in keys and "EEEE" not in keys  # BBBB's upstream; a withdrawn traceback


def test_each_upstream_carries_its_public_record(world, engine, api_for):
    ids = seed_upstreams(engine, world.clock, world.traceback_id)
    found = {
        u["provider"]: u
        for u in api_for("noc@aaaa.example").get("/api/v1/upstreams").json()["upstreams"]
    }
    assert found["BBBB"]["rmd"]["status"] == "listed"
    assert found["BBBB"]["rmd"]["listed_numbers"] == ["RMD0000222"]
    assert found["CCCC"]["rmd"]["status"] == "removed"
    assert found["CCCC"]["rmd"]["removal_order"] == "DA 24-1000"
    assert found["DDDD"]["rmd"]["status"] == "unlisted"
    letters = found["DDDD"]["letters"]
    assert [(s["reference"], s["status"]) for s in letters] == [
        (f"WL-{ids['letter']:06d}", "issued")
    ]
    hotel = found["HHHH"]
    assert [s["reference"] for s in hotel["authorizations_in_force"]] == [
        f"BA-{ids['authorization']:06d}"
    ]
    assert hotel["on_block_list"] and hotel["block_list_version"] == 1
    assert {r["reason_code"] for r in hotel["block_list_reasons"]} == {"authorization"}
    assert [r["reason_code"] for r in found["CCCC"]["block_list_reasons"]] == ["rmd_removed"]
    assert not found["BBBB"]["on_block_list"] and not found["DDDD"]["on_block_list"]


def test_drafts_are_never_shown(world, engine, api_for, client_for):
    ids = seed_upstreams(engine, world.clock, world.traceback_id)
    body = api_for("noc@aaaa.example").get("/api/v1/upstreams").text
    page = client_for("noc@aaaa.example").get("/upstreams").text
    for draft in (f"WL-{ids['draft']:06d}", f"NSIT-{ids['bbbb_draft']:06d}"):
        assert draft not in body and draft not in page
    assert '"draft"' not in body and ">draft<" not in page


def test_a_provider_naming_another_provider_gets_what_a_missing_one_gets(
    world, engine, api_for, client_for
):
    seed_upstreams(engine, world.clock, world.traceback_id)
    api = api_for("noc@aaaa.example")
    theirs, missing = (
        api.get("/api/v1/upstreams?provider=BBBB"),
        api.get("/api/v1/upstreams?provider=ZZZZ"),
    )
    assert theirs.status_code == 404 and theirs.content == missing.content
    page = client_for("noc@aaaa.example")
    assert page.get("/upstreams?provider=BBBB").status_code == 404
    assert api.get("/api/v1/upstreams?provider=AAAA").json()["provider"] == "AAAA"


def test_bbbb_sees_its_own_upstreams_only(world, engine, api_for):
    seed_upstreams(engine, world.clock, world.traceback_id)
    body = api_for("noc@bbbb.example").get("/api/v1/upstreams").json()
    assert {u["provider"]: u["tracebacks"] for u in body["upstreams"]} == {"CCCC": 1, "GGGG": 1}
    golf = next(u for u in body["upstreams"] if u["provider"] == "GGGG")
    assert golf["risk"] == "warned"


def test_a_regulator_reads_any_providers_upstreams_and_must_name_one(world, engine, api_for):
    seed_upstreams(engine, world.clock, world.traceback_id)
    api = api_for("fcc@example.org")
    assert api.get("/api/v1/upstreams").status_code == 422
    body = api.get("/api/v1/upstreams?provider=BBBB").json()
    assert {u["provider"] for u in body["upstreams"]} == {"CCCC", "GGGG"}


def test_the_page_lists_the_upstreams_in_the_same_order_with_their_record(
    world, engine, client_for
):
    ids = seed_upstreams(engine, world.clock, world.traceback_id)
    page = client_for("noc@aaaa.example").get("/upstreams").text
    table = page.split('<table class="upstreams">', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<tr class="risk-\d">(.*?)</tr>', table, re.S)
    assert [re.search(r"<td>\s*(\w{4}) ", r).group(1) for r in rows] == [
        "HHHH", "CCCC", "DDDD", "BBBB"
    ]  # fmt: skip
    assert f'<a href="/authorizations/{ids["authorization"]}">' in rows[0]
    assert "On block list v1" in rows[0]
    assert "removed" in rows[1] and "DA 24-1000" in rows[1]
    assert f"WL-{ids['letter']:06d}" in rows[2]
    assert f'href="/letters/{ids["letter"]}"' not in rows[2]  # another provider's letter
    assert "Not on block list v1." in rows[3]
    assert 'href="/providers/' not in table  # a provider reads no other provider's page
    assert "GGGG" not in page and "EEEE" not in page
    assert 'href="/upstreams"' in page  # in its navigation


def test_a_provider_without_upstream_answers_is_told_so(world, client_for):
    page = client_for("noc@bbbb.example").get("/upstreams").text
    assert "No upstream named yet" in page


def test_a_coordinator_chooses_the_provider_on_the_page(world, engine, client_for):
    seed_upstreams(engine, world.clock, world.traceback_id)
    coordinator = client_for("coord@example.org")
    assert 'name="provider"' in coordinator.get("/upstreams").text
    page = coordinator.get("/upstreams?provider=AAAA").text
    assert 'href="/providers/HHHH"' in page and "Upstream providers of AAAA" in page


def test_another_providers_key_costs_the_same_queries_as_a_missing_one(world, engine, api_for):
    seed_upstreams(engine, world.clock, world.traceback_id)
    api = api_for("noc@aaaa.example")
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    used = {}
    event.listen(world.app.state.engine, "before_cursor_execute", count)
    try:
        for key in ("BBBB", "ZZZZ"):
            statements.clear()
            assert api.get(f"/api/v1/upstreams?provider={key}").status_code == 404
            used[key] = len(statements)
    finally:
        event.remove(world.app.state.engine, "before_cursor_execute", count)
    assert used["BBBB"] == used["ZZZZ"]
