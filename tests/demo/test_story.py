"""The demo's story on a small world, checked against truth.json directly."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from robotrace.campaigns.quality import adjusted_rand_index
from robotrace.demo.scoring import WRONG
from robotrace.demo.story import Story, run_story
from robotrace.settings import Settings
from robotrace.simulate.runner import SimulationParams
from robotrace.store import models
from robotrace.store.db import make_engine
from tests.demo import shaken_checks


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Story:
    out = tmp_path_factory.mktemp("demo")
    return run_story(
        out, SimulationParams(seed=3, providers=30, days=2, calls=12000), Settings.from_environ()
    )


def _truth(story: Story) -> dict:
    return json.loads((story.out / "truth.json").read_text())


def test_every_campaign_in_truth_is_found_and_traced(story: Story):
    truth = _truth(story)
    scored = {s.campaign for s in story.scores}
    assert scored == {c["id"] for c in truth["campaigns"]}


def test_no_campaign_names_a_wrong_provider(story: Story):
    for score in story.scores:
        assert WRONG not in (score.originating, score.gateway), score


def test_an_identified_origin_is_the_first_provider_of_the_true_path(story: Story):
    truth = _truth(story)
    engine = make_engine(f"sqlite:///{story.out / 'robotrace.db'}")
    with engine.connect() as connection:
        refs = dict(
            connection.execute(
                select(models.Traceback.id, models.Call.source_ref).join(models.Call)
            ).all()
        )
    identified = [s for s in story.summaries if s["outcome"] == "origin_identified"]
    assert identified
    for summary in identified:
        assert summary["originating_provider"] == truth["honeypot"][refs[summary["id"]]]["path"][0]


def test_non_cooperative_providers_named_really_are_non_cooperative(story: Story):
    behaviour = {ocn: p["behaviour"] for ocn, p in _truth(story)["providers"].items()}
    for summary in story.summaries:
        for ocn in summary["non_cooperative"]:
            assert behaviour[ocn] in ("no_records", "never_answers", "refuses")


def test_tracebacks_and_their_audit_trail_are_stored(story: Story):
    engine = make_engine(f"sqlite:///{story.out / 'robotrace.db'}")
    with engine.connect() as connection:
        stored = connection.scalar(select(func.count()).select_from(models.Traceback))
        opened = connection.scalar(
            select(func.count())
            .select_from(models.AuditEvent)
            .where(models.AuditEvent.action == "traceback.opened")
        )
    assert stored == opened == len(story.summaries)


def test_the_demo_groups_the_honeypot_calls_itself_as_truth_would(story: Story):
    """The demo never reads the simulator's labels; its grouping must still match them."""
    honeypot = _truth(story)["honeypot"]
    engine = make_engine(f"sqlite:///{story.out / 'robotrace.db'}")
    with engine.connect() as connection:
        rows = connection.execute(
            select(models.Call.source_ref, models.Call.campaign_id).where(
                models.Call.source == "honeypot"
            )
        ).all()
    robocalls = [(ref, found) for ref, found in rows if honeypot[ref]["campaign"] is not None]
    truth_labels = [honeypot[ref]["campaign"] for ref, _ in robocalls]
    assert adjusted_rand_index(truth_labels, [found for _, found in robocalls]) >= 0.95


def test_the_campaigns_are_traced_highest_priority_first(story: Story):
    engine = make_engine(f"sqlite:///{story.out / 'robotrace.db'}")
    with engine.connect() as connection:
        priority = dict(
            connection.execute(select(models.Campaign.id, models.Campaign.priority)).all()
        )
    traced = list(dict.fromkeys(campaign for campaign, _ref, _run in story.runs))
    assert traced == sorted(traced, key=lambda c: (-priority[c], c))
    assert len(traced) >= len(_truth(story)["campaigns"])


def test_the_signer_shortcut_names_the_true_originating_provider(story: Story):
    shaken_checks.check_shortcut_names_the_true_origin(story)


def test_a_shortcut_traceback_reaches_the_origin_no_later_than_its_twin(story: Story):
    shaken_checks.check_shortcut_is_never_slower(story)


def test_the_stir_shaken_counts_are_the_store_and_truths(story: Story):
    shaken_checks.check_report_counts(story)


def test_chains_through_providers_without_an_ocn_name_them_by_rmd_number_and_reach_the_origin(
    story: Story,
):
    truth = _truth(story)["providers"]
    without = {key for key, p in truth.items() if p["ocn"] is None}
    crossing = [s for s in story.summaries if {hop["provider"] for hop in s["hops"]} & without]
    assert any(s["outcome"] == "origin_identified" for s in crossing)
    for summary in crossing:
        for hop in summary["hops"]:
            if hop["provider"] in without:
                assert hop["provider"] == truth[hop["provider"]]["rmd_number"]


def test_a_local_call_back_number_is_traced_forward_to_the_campaigns_customer(story: Story):
    truth = _truth(story)
    placed = [c for c in truth["campaigns"] if c["callback_holder"] is not None]
    result = story.trace_forward
    if not placed:
        assert result is None
        return
    assert result is not None
    expected = {c["callback_number"]: (c["callback_holder"], c["customer"]) for c in placed}
    assert (result.carrier, result.customer) == expected[result.number]
    assert result.answer == "assigned"
