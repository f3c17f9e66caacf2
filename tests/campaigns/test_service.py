"""The incremental campaign service on the store (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from robotrace.campaigns.grouping import group_texts
from robotrace.campaigns.priority import traceback_priority
from robotrace.campaigns.service import update_campaigns
from robotrace.clock import SimulatedClock
from robotrace.providers.registry import Provider
from robotrace.providers.store import provider_ids, upsert_providers
from robotrace.store import models

from .builders import rendered

T0 = datetime(2020, 4, 1, 12, 0, tzinfo=UTC)
SSA_NUMBER = "8885550143"
COVID_NUMBER = "8335550199"


def add_calls(session, texts: list[str], start: datetime = T0, prefix: str = "hp") -> None:
    existing = len(session.scalars(select(models.Call.id)).all())
    for offset, text in enumerate(texts):
        number = existing + offset
        session.add(
            models.Call(
                source="honeypot",
                source_ref=f"{prefix}-{number:05d}",
                calling_number="+12025550143",
                calling_e164="+12025550143",
                called_number="+13125550100",
                called_e164="+13125550100",
                call_time=start + timedelta(minutes=offset),
                transcript=text,
                imported_at=start,
            )
        )
    session.flush()


def campaign_of_calls(session) -> dict[str, str | None]:
    query = select(models.Call.source_ref, models.Call.campaign_id)
    return {ref: campaign_id for ref, campaign_id in session.execute(query)}


def campaigns(session) -> dict[str, models.Campaign]:
    return {row.id: row for row in session.scalars(select(models.Campaign))}


def test_calls_without_a_campaign_form_campaigns_with_everything_filled_in(session):
    add_calls(session, rendered("ssa_suspension", 12, SSA_NUMBER))
    add_calls(session, rendered("covid_test_kits", 8, COVID_NUMBER), start=T0 + timedelta(days=1))
    clock = SimulatedClock(T0 + timedelta(days=2))
    summary = update_campaigns(session, clock)
    session.commit()
    assert (summary.grouped, len(summary.new_campaigns), summary.joined) == (20, 2, 0)
    stored = campaigns(session)
    ssa = next(c for c in stored.values() if "government-impersonation" in c.tags)
    covid = next(c for c in stored.values() if "covid-19" in c.tags)
    assert (ssa.call_count, covid.call_count) == (12, 8)
    assert ssa.first_seen_at == T0 and ssa.last_seen_at == T0 + timedelta(minutes=11)
    assert covid.callback_numbers == ["+1" + COVID_NUMBER]
    assert covid.representative and covid.name and covid.topic == "COVID-19 / coronavirus"
    assert covid.created_at == covid.updated_at == clock.now()
    expected = traceback_priority(8, covid.last_seen_at, clock.now(), ["covid-19"])
    assert covid.priority == expected > 0
    assert set(campaign_of_calls(session).values()) == {ssa.id, covid.id}


def test_new_calls_join_the_campaign_of_their_script_and_a_new_script_forms_one(session):
    clock = SimulatedClock(T0)
    add_calls(session, rendered("ssa_suspension", 12, SSA_NUMBER), prefix="old")
    update_campaigns(session, clock)
    (ssa,) = campaigns(session).values()
    name, representative = ssa.name, ssa.representative
    clock.advance(timedelta(days=3))
    later = T0 + timedelta(days=3)
    add_calls(session, rendered("ssa_suspension", 5, SSA_NUMBER, seed=2), later, prefix="new")
    add_calls(session, rendered("student_loans", 6, "8665550123"), later, prefix="loan")
    summary = update_campaigns(session, clock)
    assert (summary.joined, summary.grown, summary.new_campaign_calls) == (5, [ssa.id], 6)
    grown = session.get(models.Campaign, ssa.id)
    assert grown.call_count == 17 and grown.last_seen_at == later + timedelta(minutes=4)
    assert (grown.name, grown.representative) == (name, representative)
    loans = session.get(models.Campaign, summary.new_campaigns[0])
    assert loans.tags == ["student-loans"] and loans.call_count == 6
    owners = campaign_of_calls(session)
    assert {owners[f"new-{n:05d}"] for n in range(12, 17)} == {ssa.id}


def test_running_again_without_new_calls_changes_nothing_but_the_ranking(session):
    clock = SimulatedClock(T0)
    add_calls(session, rendered("auto_warranty", 10, "8005550100"))
    update_campaigns(session, clock)
    before = {c.id: (c.call_count, c.name, c.tags) for c in campaigns(session).values()}
    fresh = next(iter(campaigns(session).values())).priority
    clock.advance(timedelta(days=14))
    summary = update_campaigns(session, clock)
    assert (summary.grouped, summary.new_campaigns, summary.ranked) == (0, [], 1)
    after = campaigns(session)
    assert {c.id: (c.call_count, c.name, c.tags) for c in after.values()} == before
    assert next(iter(after.values())).priority < fresh / 2


def test_calls_without_words_stay_without_a_campaign(session):
    add_calls(session, ["", "   ", *rendered("auto_warranty", 3, "8005550100")])
    summary = update_campaigns(session, SimulatedClock(T0))
    assert (summary.grouped, summary.skipped) == (3, 2)
    owners = campaign_of_calls(session)
    assert owners["hp-00000"] is None and owners["hp-00001"] is None


def trace_calls(session, outcomes: list[str | None]) -> None:
    """A traceback (by its call, naming no campaign) for each of the first calls, open where
    the outcome is None and closed with it otherwise."""
    upsert_providers(session, [Provider("TERM", "Terminating Co")])
    calls = session.scalars(select(models.Call).order_by(models.Call.id)).all()
    terminating = provider_ids(session, ["TERM"])["TERM"]
    for n, (call, outcome) in enumerate(zip(calls[: len(outcomes)], outcomes, strict=True)):
        session.add(
            models.Traceback(
                id=f"TB-{n + 1}", call_id=call.id, calling_number=call.calling_number,
                called_number=call.called_number, call_time=call.call_time,
                terminating_provider_id=terminating, campaign_id=None,
                status="open" if outcome is None else "closed", outcome=outcome,
                opened_at=T0, closed_at=None if outcome is None else T0,
            )
        )  # fmt: skip
    session.flush()


def test_tracebacks_opened_for_a_campaign_lower_its_priority(session):
    clock = SimulatedClock(T0)
    add_calls(session, rendered("auto_warranty", 10, "8005550100"))
    update_campaigns(session, clock)
    (campaign,) = campaigns(session).values()
    untraced = campaign.priority
    trace_calls(session, [None])
    update_campaigns(session, clock)
    assert session.get(models.Campaign, campaign.id).priority == round(untraced / 2, 4)


def test_a_new_campaign_whose_id_is_taken_gets_a_suffix(session):
    texts = rendered("auto_warranty", 6, "8005550100")
    (wanted,) = [c.id for c in group_texts(texts).campaigns]
    session.add(models.Campaign(id=wanted, name="made by hand", created_at=T0))
    add_calls(session, texts)
    summary = update_campaigns(session, SimulatedClock(T0))
    assert summary.new_campaigns == [f"{wanted}-2"]
    assert session.get(models.Campaign, wanted).call_count == 0


def test_a_withdrawn_traceback_does_not_count_as_the_campaign_traced(session):
    clock = SimulatedClock(T0)
    add_calls(session, rendered("auto_warranty", 10, "8005550100"))
    update_campaigns(session, clock)
    (campaign,) = campaigns(session).values()
    untraced = campaign.priority
    trace_calls(session, ["withdrawn"])
    update_campaigns(session, clock)
    assert session.get(models.Campaign, campaign.id).priority == untraced


def test_the_campaign_lists_count_no_withdrawn_traceback(session):
    from robotrace.campaigns.reads import traceback_counts as page_counts

    add_calls(session, rendered("auto_warranty", 4, "8005550100"))
    update_campaigns(session, SimulatedClock(T0))
    (campaign,) = campaigns(session).values()
    trace_calls(session, [None, "withdrawn", "foreign_origin"])
    assert page_counts(session, [campaign.id]) == {campaign.id: (1, 1)}
