"""Enforcement pages: the regulator warns a provider from its evidence, the provider reports
what it did, the regulator decides after the deadline, authorizes blocking and lifts it."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from robotrace.store import models
from robotrace.store.db import transaction
from robotrace.traceback.model import Answer, CallUnderTrace, Hop, Outcome, Status, Traceback
from robotrace.traceback.store import save_traceback

from .conftest import T0

REGULATOR = "fcc@example.org"
ALPHA = "noc@aaaa.example"  # the gateway in these tests
BRAVO = "noc@bbbb.example"
CUSTOMER = "Voice Are Us Ltd"


def through_alpha(call_time: datetime, tb_id: str, campaign: str = "covid-test-kits") -> Traceback:
    """BBBB (terminating) ← AAAA ← FFFF (foreign), which names its customer: AAAA is the
    gateway provider of the call."""
    t = call_time + timedelta(hours=6)
    due = t + timedelta(hours=24)
    hops = (
        Hop(0, "BBBB", t, due, answer=Answer.UPSTREAM, answered_at=t, upstream="AAAA"),
        Hop(1, "AAAA", t, due, answer=Answer.UPSTREAM, answered_at=t, upstream="FFFF"),
        Hop(2, "FFFF", t, due, answer=Answer.ORIGIN, answered_at=t, customer=CUSTOMER),
    )
    call = CallUnderTrace("+12025550143", "+13125550199", call_time)
    return Traceback(
        tb_id, call, "BBBB", t, hops, Status.CLOSED, Outcome.ORIGIN_IDENTIFIED, t, campaign
    )


def alpha_carried(engine, *tracebacks: Traceback) -> None:
    with transaction(engine) as session:
        for tb in tracebacks:
            save_traceback(session, tb)


def post(client, path: str, **fields: object):
    return client.post(path, data={"csrf_token": client.csrf, **fields}, follow_redirects=False)


def count(engine, model) -> int:
    with transaction(engine) as session:
        return session.query(model).count()


@pytest.fixture
def evidence(world, engine) -> None:
    alpha_carried(
        engine,
        through_alpha(T0 - timedelta(days=2), "TB-000101"),
        through_alpha(T0 - timedelta(days=5), "TB-000102", campaign="auto-warranty"),
    )


@pytest.fixture
def letter_id(world, evidence, client_for) -> int:
    regulator = client_for(REGULATOR)
    response = post(regulator, "/enforcement/providers/AAAA/letters", campaigns="covid-test-kits")
    assert response.status_code == 303, response.text
    match = re.fullmatch(r"/letters/(\d+)", response.headers["location"])
    assert match
    return int(match.group(1))


def past_the_deadline(world) -> None:
    world.clock.advance(timedelta(hours=48 + 24, seconds=1))


def test_the_desk_ranks_candidates_and_links_the_block_list(world, evidence, client_for):
    page = client_for(REGULATOR).get("/enforcement")
    assert page.status_code == 200
    candidates = page.text.split("Candidates for a letter")[1].split("Letters awaiting")[0]
    assert "/enforcement/providers/AAAA" in candidates and "Alpha Local Telco" in candidates
    assert "gateway 2" in candidates and "covid-test-kits (1)" in candidates
    assert 'href="/api/v1/blocklist"' in page.text and "Not published yet" in page.text


def test_a_providers_evidence_is_grouped_by_campaign_with_the_names_to_choose(
    world, evidence, client_for
):
    page = client_for(REGULATOR).get("/enforcement/providers/AAAA").text
    headings = re.findall(r"<h2>([^<]+) <span", page)
    assert headings[:2] == ["auto-warranty", "covid-test-kits"]  # as many rows: by name
    assert "TB-000101" in page and "TB-000102" in page and "gateway" in page
    assert 'name="campaigns" value="covid-test-kits"' in page
    assert f'name="originators" value="{CUSTOMER}"' in page


def test_the_regulator_issues_a_letter_from_the_evidence(world, letter_id, client_for):
    page = client_for(REGULATOR).get(f"/letters/{letter_id}").text
    assert "Warning letter WL-" in page and "issued" in page
    assert "2020-05-03 12:00:00 UTC" in page and "2020-05-15 12:00:00 UTC" in page
    assert f'href="/api/v1/letters/{letter_id}.pdf"' in page
    assert "TB-000101" in page and "TB-000102" not in page  # only the named campaign
    assert "sandbox srcdoc=" in page and "&lt;" in page  # the stored letter, escaped
    assert "Decide now" not in page and "Authorize blocking" not in page
    desk = client_for(REGULATOR).get("/enforcement").text
    assert 'Letters awaiting the decision <span class="count">1' in desk


def test_a_letter_naming_nothing_is_refused_and_nothing_is_written(
    world, evidence, client_for, engine
):
    regulator = client_for(REGULATOR)
    nothing = post(regulator, "/enforcement/providers/AAAA/letters")
    assert nothing.status_code == 422 and "No letter issued" in nothing.text
    unseen = post(regulator, "/enforcement/providers/AAAA/letters", originators="Nobody Inc")
    assert unseen.status_code == 422 and "no traceback in the last 60 days" in unseen.text
    assert 'name="originators" value="Voice Are Us Ltd"' in unseen.text  # the form again
    assert count(engine, models.EnforcementAction) == 0
    with transaction(engine) as session:
        issued = session.query(models.AuditEvent).filter_by(action="letter.issued").count()
    assert issued == 0


def test_the_provider_reads_its_letter_and_files_a_report_the_regulator_sees(
    world, letter_id, client_for, engine
):
    alpha = client_for(ALPHA)
    listing = alpha.get("/letters").text
    assert f'href="/letters/{letter_id}"' in listing and "2020-05-03 12:00:00 UTC" in listing
    assert f"/api/v1/letters/{letter_id}.pdf" in listing
    page = alpha.get(f"/letters/{letter_id}").text
    assert "/mitigation-report" in page and "/tracebacks/" not in page  # no links for providers
    filed = post(alpha, f"/letters/{letter_id}/mitigation-report", text="We cut the trunk.")
    assert filed.status_code == 303 and filed.headers["location"] == f"/letters/{letter_id}"
    assert "We cut the trunk." in alpha.get(f"/letters/{letter_id}").text
    seen = client_for(REGULATOR).get(f"/letters/{letter_id}").text
    reports = seen.split("Mitigation reports")[1].split("Decision")[0]
    assert "We cut the trunk." in reports and "late" not in reports


def test_an_empty_report_shows_the_form_again_and_files_nothing(
    world, letter_id, client_for, engine
):
    response = post(client_for(ALPHA), f"/letters/{letter_id}/mitigation-report", text="  ")
    assert response.status_code == 422 and "the report is empty" in response.text
    assert count(engine, models.MitigationReport) == 0


def test_another_provider_gets_the_same_404_as_for_a_missing_letter(world, letter_id, client_for):
    bravo = client_for(BRAVO)
    theirs, missing = bravo.get(f"/letters/{letter_id}"), bravo.get("/letters/999999")
    assert theirs.status_code == 404
    assert (theirs.status_code, theirs.content) == (missing.status_code, missing.content)
    report = post(bravo, f"/letters/{letter_id}/mitigation-report", text="not ours")
    assert report.status_code == 404
    assert f"/letters/{letter_id}" not in bravo.get("/letters").text


def test_the_decision_waits_for_the_deadline(world, letter_id, client_for):
    regulator = client_for(REGULATOR)
    early = post(regulator, f"/letters/{letter_id}/decide")
    assert early.status_code == 409 and "has not passed yet" in early.text
    assert "status-issued" in early.text


def test_after_the_deadline_the_regulator_decides_authorizes_and_lifts(
    world, letter_id, client_for, engine
):
    mitigate_by = T0 + timedelta(hours=48)
    alpha_carried(engine, through_alpha(mitigate_by + timedelta(hours=1), "TB-000103"))
    past_the_deadline(world)
    regulator = client_for(REGULATOR)
    assert "Decide now" in regulator.get(f"/letters/{letter_id}").text
    assert post(regulator, f"/letters/{letter_id}/decide").status_code == 303
    page = regulator.get(f"/letters/{letter_id}").text
    assert "status-noncompliant" in page and "Calls after the deadline" in page
    assert "TB-000103" in page.split("Calls after the deadline")[1]

    authorized = post(
        regulator, f"/letters/{letter_id}/authorize", scope="provider", reason="still carrying"
    )
    assert authorized.status_code == 303, authorized.text
    auth_url = authorized.headers["location"]
    auth_page = regulator.get(auth_url).text
    assert "status-active" in auth_page and "/api/v1/blocklist/notices/" in auth_page
    entries = regulator.get("/api/v1/blocklist").json()["entries"]
    assert [(e["provider"], e["scope"], e["reason"]) for e in entries] == [
        ("AAAA", "provider", "still carrying")
    ]
    assert "Version <strong>1</strong>" in regulator.get("/enforcement").text

    again = post(regulator, f"/letters/{letter_id}/authorize", scope="provider")
    assert again.status_code == 409 and "already in force" in again.text

    assert post(regulator, f"{auth_url}/lift").status_code == 303
    assert "status-lifted" in regulator.get(auth_url).text
    assert regulator.get("/api/v1/blocklist").json()["entries"] == []
    twice = post(regulator, f"{auth_url}/lift")
    assert twice.status_code == 409 and "only an active one can be lifted" in twice.text


def test_blocking_needs_a_noncompliant_letter_and_good_fields(world, letter_id, client_for, engine):
    past_the_deadline(world)
    regulator = client_for(REGULATOR)
    refused = post(regulator, f"/letters/{letter_id}/authorize", scope="provider")
    assert refused.status_code == 409 and "decided noncompliant" in refused.text
    alpha_carried(engine, through_alpha(T0 + timedelta(hours=49), "TB-000103"))
    post(regulator, f"/letters/{letter_id}/decide")
    bad_numbers = post(regulator, f"/letters/{letter_id}/authorize", scope="numbers")
    assert bad_numbers.status_code == 422 and "at least one originator number" in bad_numbers.text
    bad_time = post(
        regulator,
        f"/letters/{letter_id}/authorize",
        scope="numbers",
        numbers="+12025550143",
        effective_at="tomorrow",
    )
    assert bad_time.status_code == 422 and "not an ISO-8601 time" in bad_time.text
    assert "+12025550143" in bad_time.text  # typed fields kept
    kinds = models.EnforcementAction.kind
    with transaction(engine) as session:
        assert (
            session.query(models.EnforcementAction).filter(kinds == "block_authorization").count()
            == 0
        )
    numbers = post(
        regulator,
        f"/letters/{letter_id}/authorize",
        scope="numbers",
        numbers="+1 202 555 0143",
        effective_at="2020-05-05T00:00:00Z",
    )
    assert numbers.status_code == 303, numbers.text
    assert "+12025550143" in regulator.get(numbers.headers["location"]).text


def test_a_coordinator_reads_but_cannot_write(world, letter_id, client_for):
    coordinator = client_for("coord@example.org")
    assert coordinator.get("/enforcement").status_code == 200
    evidence_page = coordinator.get("/enforcement/providers/AAAA").text
    assert "Preview the letter" not in evidence_page and "Drafts to" not in evidence_page
    assert post(coordinator, "/enforcement/providers/AAAA/preview").status_code == 403
    assert coordinator.get("/enforcement/drafts/1").status_code == 403
    page = coordinator.get(f"/letters/{letter_id}").text
    assert "TB-000101" in page and "mitigation-report" not in page
    path = "/enforcement/providers/AAAA/letters"
    assert post(coordinator, path, campaigns="covid-test-kits").status_code == 403
    past_the_deadline(world)
    assert "Decide now" not in coordinator.get(f"/letters/{letter_id}").text
    assert post(coordinator, f"/letters/{letter_id}/decide").status_code == 403


def test_providers_may_not_use_the_desk(world, evidence, client_for):
    alpha = client_for(ALPHA)
    assert alpha.get("/enforcement").status_code == 403
    assert alpha.get("/enforcement/providers/AAAA").status_code == 403
    assert 'href="/letters"' in alpha.get("/letters").text


def test_writes_without_the_csrf_token_are_refused(world, letter_id, client_for, engine):
    regulator, alpha = client_for(REGULATOR), client_for(ALPHA)
    path = "/enforcement/providers/AAAA/letters"
    assert regulator.post(path, data={"campaigns": "covid-test-kits"}).status_code == 403
    report = alpha.post(f"/letters/{letter_id}/mitigation-report", data={"text": "x"})
    assert report.status_code == 403
    assert count(engine, models.EnforcementAction) == 1
    assert count(engine, models.MitigationReport) == 0
