"""Both enforcement ladders in the portal's pages: the regulator notifies a provider from its
evidence, the provider says it is not the carrier and names its upstream, who is notified and
stays silent; the worker proposes, people decide (another status than the proposal needs a
reason); initial and final orders; and on the K4 ladder a downstream provider declares that it
blocks under an authorization, with its notice to the FCC.

The traffic is ``test_pages_enforcement``'s: BBBB (terminating) ← AAAA (gateway) ← FFFF
(foreign, names its customer). Deadlines are the published defaults: a notification's 14 days
to respond, an initial order's 14, 48 hours to mitigate after a letter, a day's grace.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from robotrace.accounts.users import create_user
from robotrace.enforcement.worker import decide_due_letters
from robotrace.settings import Settings
from robotrace.store import models
from robotrace.store.db import transaction
from robotrace.traceback.model import Answer, CallUnderTrace, Hop, Outcome, Status, Traceback

from .conftest import PASSWORD, T0
from .test_pages_enforcement import (
    ALPHA,
    BRAVO,
    REGULATOR,
    alpha_carried,
    count,
    post,
    through_alpha,
)

FOXTROT = "noc@ffff.example"
DAY = timedelta(days=1)
GRACE = timedelta(hours=24)  # compliance_grace_hours' default
RESPOND = timedelta(days=14)  # notification_response_days' and initial_order_response_days'
LATE = '<span class="overdue">late notice</span>'


@pytest.fixture(autouse=True)
def people_decide(monkeypatch):
    """The worker proposes; a regulator decides (the setting's default)."""
    monkeypatch.delenv("ROBOTRACE_ENFORCEMENT_DECISIONS", raising=False)


@pytest.fixture
def evidence(world, engine) -> None:
    alpha_carried(
        engine,
        through_alpha(T0 - 2 * DAY, "TB-000101"),
        through_alpha(T0 - 5 * DAY, "TB-000102", campaign="auto-warranty"),
    )
    with transaction(engine) as session:  # FFFF's compliance desk, to see its own steps
        create_user(session, FOXTROT, "provider", PASSWORD, "FFFF", name="ffff", clock=world.clock)


def issued(response) -> int:
    assert response.status_code == 303, response.text
    match = re.fullmatch(r"/(?:orders|letters|authorizations)/(\d+)", response.headers["location"])
    assert match, response.headers["location"]
    return int(match.group(1))


@pytest.fixture
def notification_id(evidence, client_for) -> int:
    regulator = client_for(REGULATOR)
    path = "/enforcement/providers/AAAA/notifications"
    return issued(post(regulator, path, campaigns="covid-test-kits"))


def action(engine, action_id: int) -> models.EnforcementAction:
    with transaction(engine) as session:
        row = session.get(models.EnforcementAction, action_id)
        session.expunge(row)
        return row


def upstream_notification(engine, follows: int) -> int:
    with transaction(engine) as session:
        found = session.scalars(
            select(models.EnforcementAction.id).where(
                models.EnforcementAction.follows_id == follows
            )
        ).all()
    assert len(found) == 1
    return found[0]


def section(page: str, css_class: str) -> str:
    """The HTML of the first ``<section class="… css_class …">``."""
    start = page.index(f'<section class="{css_class}')
    return page[start : page.index("</section>", start)]


def refer_to_foxtrot(client_for, notification_id: int):
    return post(
        client_for(ALPHA),
        f"/orders/{notification_id}/response",
        response="not_carrier",
        upstreams="FFFF",
        text="We took these calls from Foxtrot Intl Ltd.",
    )


# --- Notifications ------------------------------------------------------------------------


def test_the_regulator_issues_a_notification_from_the_evidence(notification_id, client_for):
    page = client_for(REGULATOR).get(f"/orders/{notification_id}").text
    assert "Notification of Suspected Illegal Traffic NSIT-" in page and "status-issued" in page
    respond_by = section(page, "chain-of-steps")
    assert "2020-05-15 12:00:00 UTC — 14 d 0 h left" in page  # T0 + 14 days
    assert "respond by" in respond_by
    assert f'href="/api/v1/orders/{notification_id}.pdf"' in page
    evidence = page.split("<h2>Evidence")[1].split("</section>")[0]
    assert "TB-000101" in evidence and "TB-000102" not in evidence  # the named campaign only
    assert "It can be decided after 2020-05-15 12:00:00 UTC" in page
    assert "Decide now" not in page and "/initial-order" not in page


def test_the_desk_shows_both_ladders_with_their_clocks(notification_id, client_for):
    desk = client_for(REGULATOR).get("/enforcement").text
    k4 = section(desk, "ladder ladder-k4")
    n = section(desk, "ladder ladder-n")
    assert "K4: letters and permissive authorizations" in k4 and "NSIT-" not in k4
    assert "64.1200(n): notifications and orders" in n
    assert f'href="/orders/{notification_id}"' in n
    assert "respond by: <span" in n and "14 d 0 h left" in n and "the provider responds" in n


def test_a_notification_naming_nothing_is_refused_and_nothing_is_written(
    evidence, client_for, engine
):
    nothing = post(client_for(REGULATOR), "/enforcement/providers/AAAA/notifications")
    assert nothing.status_code == 422 and "No notification issued" in nothing.text
    assert count(engine, models.EnforcementAction) == 0


def test_the_provider_names_its_upstream_which_is_notified_in_turn(
    notification_id, client_for, engine
):
    alpha = client_for(ALPHA)
    inbox = alpha.get("/inbox").text
    assert f'href="/orders/{notification_id}"' in inbox and "14 d 0 h left" in inbox
    assert refer_to_foxtrot(client_for, notification_id).status_code == 303
    mine = alpha.get(f"/orders/{notification_id}").text
    assert "status-referred" in mine and "named FFFF" in mine
    assert "We took these calls from Foxtrot Intl Ltd." in mine
    assert f'action="/orders/{notification_id}/response"' not in mine  # answered

    upstream = upstream_notification(engine, notification_id)
    row = action(engine, upstream)
    assert (row.kind, row.status) == (models.EnforcementKind.NOTIFICATION, "issued")
    assert f'href="/orders/{upstream}"' not in mine  # FFFF's step is FFFF's business
    foxtrot = client_for(FOXTROT)
    theirs = foxtrot.get(f"/orders/{upstream}").text
    assert "whose recipient named you as its upstream" in theirs
    assert f'href="/orders/{notification_id}"' not in theirs
    assert foxtrot.get(f"/orders/{notification_id}").status_code == 404
    assert f'href="/orders/{upstream}"' in foxtrot.get("/inbox").text
    chain = section(client_for(REGULATOR).get(f"/orders/{upstream}").text, "chain-of-steps")
    assert f'href="/orders/{notification_id}"' in chain and "AAAA" in chain and "FFFF" in chain


def test_naming_no_upstream_or_an_unknown_one_is_refused_next_to_the_form(
    notification_id, client_for, engine
):
    alpha = client_for(ALPHA)
    path = f"/orders/{notification_id}/response"
    none = post(alpha, path, response="not_carrier", upstreams=" ")
    assert none.status_code == 422 and "name the provider(s)" in none.text
    responses = section(none.text, "reports responses")
    assert 'class="error"' in responses and "Not sent" in responses
    unknown = post(alpha, path, response="not_carrier", upstreams="ZZZZ")
    assert unknown.status_code == 422 and "no provider &#39;ZZZZ&#39;" in unknown.text
    assert 'value="ZZZZ"' in unknown.text  # typed again
    assert action(engine, notification_id).status == "issued"
    assert count(engine, models.MitigationReport) == 0


def test_the_silent_upstream_gets_a_proposal_and_the_regulator_takes_it_to_a_final_order(
    notification_id, client_for, engine, world
):
    refer_to_foxtrot(client_for, notification_id)
    upstream = upstream_notification(engine, notification_id)
    world.clock.advance(RESPOND + GRACE + timedelta(seconds=1))
    assert (
        decide_due_letters(engine, world.clock, Settings.from_environ()) == 1
    )  # the referred one is not judged
    assert action(engine, upstream).proposal == "no_response"

    regulator = client_for(REGULATOR)
    desk = section(regulator.get("/enforcement").text, "ladder ladder-n")
    first_row = desk.split("<tr")[2]  # after the header row
    assert 'class="awaiting"' in first_row and f'href="/orders/{upstream}"' in first_row
    page = regulator.get(f"/orders/{upstream}").text
    assert "The worker proposes" in page and "Accept the proposal: no response" in page
    decided = post(regulator, f"/orders/{upstream}/decide", status="no_response")
    assert decided.status_code == 303, decided.text
    assert action(engine, upstream).status == "no_response"

    initial = issued(post(regulator, f"/orders/{upstream}/initial-order"))
    order = regulator.get(f"/orders/{initial}").text
    assert "Initial Determination Order IDO-" in order
    respond_by = world.clock.now() + RESPOND
    assert respond_by.strftime("%Y-%m-%d %H:%M:%S UTC") + " — 14 d 0 h left" in order
    early = post(regulator, f"/orders/{initial}/final-order", block_days="0")
    assert early.status_code == 409 and "may respond until" in early.text
    assert count(engine, models.EnforcementAction) == 3
    foxtrot = client_for(FOXTROT)
    answer = "We did not know; the customer is gone."
    empty = post(foxtrot, f"/orders/{initial}/response", response="order_response", text=" ")
    assert empty.status_code == 422 and "the response is empty" in empty.text
    answered = post(foxtrot, f"/orders/{initial}/response", response="order_response", text=answer)
    assert answered.status_code == 303
    assert answer in section(regulator.get(f"/orders/{initial}").text, "reports responses")

    world.clock.advance(RESPOND + timedelta(seconds=1))
    regulator = client_for(REGULATOR)  # a sign-in lasts 14 days
    final = issued(post(regulator, f"/orders/{initial}/final-order", block_days="0"))
    page = regulator.get(f"/orders/{final}").text
    assert "Final Determination Order FDO-" in page and "status-in_force" in page
    assert '<dd class="downstream">AAAA</dd>' in page  # AAAA took the calls from FFFF
    entries = regulator.get("/api/v1/blocklist").json()["entries"]
    assert [
        (e["provider"], e["reason_code"], e["obligation"], e["downstream"]) for e in entries
    ] == [("FFFF", "final_order", "mandatory", ["AAAA"])]
    binding = client_for(ALPHA).get("/authorizations").text
    assert "Final orders you must obey" in binding and "FFFF" in section(binding, "binding")

    assert post(regulator, f"/orders/{final}/lift").status_code == 303
    assert regulator.get("/api/v1/blocklist").json()["entries"] == []


def test_a_decision_other_than_the_proposal_needs_a_reason(
    notification_id, client_for, engine, world
):
    world.clock.advance(RESPOND + GRACE + timedelta(seconds=1))
    decide_due_letters(engine, world.clock, Settings.from_environ())
    assert action(engine, notification_id).proposal == "no_response"
    regulator = client_for(REGULATOR)
    path = f"/orders/{notification_id}/decide"
    bare = post(regulator, path, status="complied")
    assert bare.status_code == 422
    decision = section(bare.text, "decision")
    assert "Not decided: the proposal is no_response: say why the decision is complied" in decision
    assert 'value="complied" checked' in decision
    assert action(engine, notification_id).status == "issued"
    reason = "Its compliance officer phoned: it blocked the trunk on day 2."
    assert post(regulator, path, status="complied", reason=reason).status_code == 303
    row = action(engine, notification_id)
    assert row.status == "complied" and reason in row.decision
    assert "/initial-order" not in regulator.get(f"/orders/{notification_id}").text


def test_a_provider_that_blocks_it_is_judged_at_respond_by(
    notification_id, client_for, engine, world
):
    alpha = client_for(ALPHA)
    path = f"/orders/{notification_id}/response"
    empty = post(alpha, path, response="blocked", text="  ")
    assert empty.status_code == 422 and "say what you blocked" in empty.text
    report = "We blocked trunk group 7 from Foxtrot and screen its caller IDs."
    assert post(alpha, path, response="blocked", text=report).status_code == 303
    page = alpha.get(f"/orders/{notification_id}").text
    assert "status-responded" in page and report in page and "We block it" in page
    assert "not-carrier-form" not in page  # having said it blocks, it names no upstream now
    world.clock.advance(RESPOND + GRACE + timedelta(seconds=1))
    decide_due_letters(engine, world.clock, Settings.from_environ())
    assert action(engine, notification_id).proposal == "complied"  # no traffic since
    regulator = client_for(REGULATOR).get(f"/orders/{notification_id}").text
    proposal, responses = section(regulator, "proposal"), section(regulator, "reports responses")
    assert "complied" in proposal and report in responses


def test_a_provider_cannot_see_or_answer_another_providers_notification(
    notification_id, client_for
):
    bravo = client_for(BRAVO)
    theirs, missing = bravo.get(f"/orders/{notification_id}"), bravo.get("/orders/999999")
    assert theirs.status_code == 404
    assert (theirs.status_code, theirs.content) == (missing.status_code, missing.content)
    answer = post(bravo, f"/orders/{notification_id}/response", response="blocked", text="x")
    assert answer.status_code == 404
    assert f"/orders/{notification_id}" not in bravo.get("/orders").text
    assert f"/orders/{notification_id}" in client_for(ALPHA).get("/orders").text


def test_only_a_regulator_takes_the_steps(notification_id, client_for, world):
    world.clock.advance(RESPOND + timedelta(seconds=1))
    coordinator = client_for("coord@example.org")
    page = coordinator.get(f"/orders/{notification_id}").text
    assert "Decide now" not in page and "withdraw-form" not in page
    assert post(coordinator, f"/orders/{notification_id}/decide").status_code == 403
    assert (
        post(client_for(ALPHA), f"/orders/{notification_id}/withdraw", reason="x").status_code
        == 403
    )


def test_withdrawing_needs_a_reason_and_closes_the_step(notification_id, client_for, engine):
    regulator = client_for(REGULATOR)
    path = f"/orders/{notification_id}/withdraw"
    bare = post(regulator, path, reason="")
    assert bare.status_code == 422 and "say why it is withdrawn" in bare.text
    assert post(regulator, path, reason="Wrong provider.").status_code == 303
    row = action(engine, notification_id)
    assert row.status == "withdrawn" and "Wrong provider." in row.decision
    again = post(regulator, path, reason="again")
    assert again.status_code == 409 and "withdrawn already" in again.text


def test_the_evidence_page_offers_findings_with_their_reasons(evidence, client_for, engine):
    t = T0 - 3 * DAY
    refused = Traceback(
        "TB-000103",
        CallUnderTrace("+12025550111", "+13125550112", t - DAY),
        "BBBB",
        t,
        (
            Hop(0, "BBBB", t, t + DAY, answer=Answer.UPSTREAM, answered_at=t, upstream="AAAA"),
            Hop(
                1,
                "AAAA",
                t,
                t + DAY,
                answer=Answer.REFUSED,
                answered_at=t,
                note="subpoena required",
            ),
        ),
        Status.CLOSED,
        Outcome.NON_RESPONSIVE,
        t,
        "ssa",
    )
    alpha_carried(engine, refused)
    regulator = client_for(REGULATOR)
    page = regulator.get("/enforcement/providers/AAAA").text
    assert 'name="findings" value="TB-000103"' in page
    assert "refused: subpoena required" in page.split('value="TB-000103"')[1].split("</label>")[0]
    assert 'name="findings" value="TB-000101"' not in page  # gateway, not a finding
    assert 'name="kind" value="notification"' in page  # previewed first, then sent
    notified = issued(
        post(regulator, "/enforcement/providers/AAAA/notifications", findings="TB-000103")
    )
    row = action(engine, notified)
    assert row.named_findings == ["TB-000103"]
    assert [r["traceback_id"] for r in row.evidence["rows"]] == ["TB-000103"]


# --- K4: the letter's proposal and decision, and blocking under an authorization -----------


@pytest.fixture
def letter_id(evidence, client_for) -> int:
    path = "/enforcement/providers/AAAA/letters"
    return issued(post(client_for(REGULATOR), path, campaigns="covid-test-kits"))


def test_the_letter_shows_the_proposal_beside_the_reports_and_an_override_needs_a_reason(
    letter_id, client_for, engine, world
):
    post(client_for(ALPHA), f"/letters/{letter_id}/mitigation-report", text="Trunk cut.")
    world.clock.advance(timedelta(hours=48) + GRACE + timedelta(seconds=1))
    assert decide_due_letters(engine, world.clock, Settings.from_environ()) == 1
    assert action(engine, letter_id).proposal == "complied"  # no call after the deadline
    regulator = client_for(REGULATOR)
    page = regulator.get(f"/letters/{letter_id}").text
    beside = page.split('<div class="beside">')[1]
    assert beside.index("The worker proposes") < beside.index("Trunk cut.")
    assert "Accept the proposal: complied" in page

    bare = post(regulator, f"/letters/{letter_id}/decide", status="noncompliant")
    assert bare.status_code == 422
    assert "say why the decision is noncompliant" in section(bare.text, "decision")
    assert action(engine, letter_id).status == "issued"
    why = post(
        regulator, f"/letters/{letter_id}/decide", status="noncompliant", reason="Report admits it."
    )
    assert why.status_code == 303
    row = action(engine, letter_id)
    assert (row.status, row.proposal) == ("noncompliant", "complied")
    assert "Report admits it." in regulator.get(f"/letters/{letter_id}").text


def test_the_proposals_after_deadline_rows_show_why_they_count(
    letter_id, client_for, engine, world
):
    alpha_carried(engine, through_alpha(T0 + timedelta(hours=49), "TB-000104"))
    world.clock.advance(timedelta(hours=48) + GRACE + timedelta(seconds=1))
    decide_due_letters(engine, world.clock, Settings.from_environ())
    row = action(engine, letter_id)
    assert row.proposal == "noncompliant" and "TB-000104" in row.evidence["reasons"]
    page = client_for(REGULATOR).get(f"/letters/{letter_id}").text
    proposal = section(page, "proposal")
    assert "TB-000104" in proposal and row.evidence["reasons"]["TB-000104"] in proposal
    desk = section(client_for(REGULATOR).get("/enforcement").text, "ladder ladder-k4")
    assert 'class="awaiting"' in desk and "decide (proposal: noncompliant)" in desk


@pytest.fixture
def authorization_id(letter_id, client_for, engine, world) -> int:
    alpha_carried(engine, through_alpha(T0 + timedelta(hours=49), "TB-000104"))
    world.clock.advance(timedelta(hours=48) + GRACE + timedelta(seconds=1))
    regulator = client_for(REGULATOR)
    assert post(regulator, f"/letters/{letter_id}/decide").status_code == 303
    return issued(post(regulator, f"/letters/{letter_id}/authorize", scope="provider"))


def test_a_downstream_provider_declares_blocking_and_its_notice_to_the_fcc_is_written(
    authorization_id, client_for, world
):
    bravo = client_for(BRAVO)
    listing = bravo.get("/authorizations").text
    assert f'href="/authorizations/{authorization_id}"' in listing
    page = bravo.get(f"/authorizations/{authorization_id}").text
    assert "What its public notice says" in page and "blocking-form" in page
    assert "/letters/" not in page.split("<main>")[1]  # the letter is AAAA's
    since = world.clock.now() + timedelta(hours=2)  # notice before blocking: timely
    declared = post(
        bravo,
        f"/authorizations/{authorization_id}/blocking",
        since=since.strftime("%Y-%m-%dT%H:%M:%SZ"),
        calls_blocked="12",
    )
    assert declared.status_code == 303, declared.text
    page = bravo.get(f"/authorizations/{authorization_id}").text
    notices = section(page, "blocking")
    assert "BBBB" in notices and "<td>12</td>" in notices and LATE not in notices
    link = re.search(r'href="(/api/v1/blocking-notices/\d+\.pdf)"', notices)
    assert link
    pdf = bravo.get(link.group(1))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert link.group(1) in client_for(REGULATOR).get(f"/authorizations/{authorization_id}").text
    alpha = client_for(ALPHA).get(f"/authorizations/{authorization_id}").text
    assert link.group(1) not in alpha and "blocking-form" not in alpha  # AAAA is the blocked


def test_blocking_that_began_before_the_declaration_is_a_late_notice(
    authorization_id, client_for, world
):
    bravo = client_for(BRAVO)
    since = world.clock.now() - timedelta(minutes=5)
    path = f"/authorizations/{authorization_id}/blocking"
    post(bravo, path, since=since.strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert "late notice" in section(
        bravo.get(f"/authorizations/{authorization_id}").text, "blocking"
    )


def test_a_bad_declaration_is_refused_next_to_its_form(authorization_id, client_for, engine):
    bravo = client_for(BRAVO)
    path = f"/authorizations/{authorization_id}/blocking"
    bad = post(bravo, path, since="yesterday")
    assert bad.status_code == 422 and "not an ISO-8601 time" in section(bad.text, "blocking")
    assert 'value="yesterday"' in bad.text
    itself = post(client_for(ALPHA), path, since="2020-05-05T00:00:00Z")
    assert itself.status_code == 422 and "does not block itself" in itself.text
    assert count(engine, models.BlockingNotice) == 0


def test_a_lifted_authorization_of_another_provider_is_not_found(authorization_id, client_for):
    regulator, bravo = client_for(REGULATOR), client_for(BRAVO)
    assert bravo.get(f"/authorizations/{authorization_id}").status_code == 200
    assert post(regulator, f"/authorizations/{authorization_id}/lift").status_code == 303
    theirs = bravo.get(f"/authorizations/{authorization_id}")
    missing = bravo.get("/authorizations/999999")
    assert theirs.status_code == 404
    assert (theirs.status_code, theirs.content) == (missing.status_code, missing.content)
    assert client_for(ALPHA).get(f"/authorizations/{authorization_id}").status_code == 200
