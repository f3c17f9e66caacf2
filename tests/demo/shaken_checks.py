"""Checks of the demo's STIR/SHAKEN part, shared by the story modules (each with its own
module-scoped world): computed here from the store and truth.json, not from the report."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from robotrace.demo.report import shaken_numbers
from robotrace.demo.story import Story
from robotrace.store import models
from robotrace.store.db import make_engine
from robotrace.traceback.model import Outcome


def _truth(story: Story) -> dict[str, Any]:
    return json.loads((story.out / "truth.json").read_text())


def _stored_tracebacks(story: Story) -> list[Any]:
    engine = make_engine(f"sqlite:///{story.out / 'robotrace.db'}")
    with Session(engine, expire_on_commit=False) as session:
        rows = session.execute(
            select(models.Traceback, models.Call.source_ref).join(models.Call)
        ).all()
    engine.dispose()
    return [tuple(row) for row in rows]


def _stored_attests(story: Story) -> Counter[str]:
    engine = make_engine(f"sqlite:///{story.out / 'robotrace.db'}")
    with engine.connect() as connection:
        rows = connection.execute(
            select(models.Call.shaken_attest, func.count())
            .where(models.Call.source == "honeypot", models.Call.shaken_valid.is_(True))
            .group_by(models.Call.shaken_attest)
        ).all()
    engine.dispose()
    return Counter(dict(rows))


def check_shortcut_names_the_true_origin(story: Story) -> None:
    honeypot = _truth(story)["honeypot"]
    summaries = {s["id"]: s for s in story.summaries}
    closed = [t for t in story.shortcut_timings if t.shortcut_closed]
    assert closed
    for timing in closed:
        truth = honeypot[timing.ref]
        assert (timing.signer, timing.attest) == (truth["signer"], truth["attest"])
        assert timing.attest in ("A", "B")
        assert summaries[timing.traceback_id]["originating_provider"] == truth["path"][0]


def check_shortcut_is_never_slower(story: Story) -> None:
    """Time to the origin: a twin that closed without finding it never got there."""
    closed = [t for t in story.shortcut_timings if t.shortcut_closed]
    never = timedelta.max
    twins = [t.without_shortcut if t.twin_identified_origin else never for t in closed]
    assert all(t.with_shortcut <= twin for t, twin in zip(closed, twins, strict=True))
    assert any(t.with_shortcut < twin for t, twin in zip(closed, twins, strict=True))


def check_report_counts(story: Story) -> None:
    truth = _truth(story)
    honeypot = truth["honeypot"]
    rows = _stored_tracebacks(story)
    numbers = shaken_numbers(story)
    signed_in_truth = Counter(h["attest"] for h in honeypot.values() if h.get("signer"))
    assert numbers["verified_by_attest"] == dict(signed_in_truth) == dict(_stored_attests(story))
    assert numbers["honeypot_calls"] == len(honeypot)
    assert numbers["tracebacks"] == len(rows)
    shortcut = [
        (tb, ref)
        for tb, ref in rows
        if tb.signer_answer == "origin" and tb.outcome is Outcome.ORIGIN_IDENTIFIED
    ]
    assert numbers["shortcut_closed"] == len(shortcut)
    durations = {tb.id: tb.closed_at - tb.opened_at for tb, _ref in shortcut}
    closed = {t.traceback_id: t.with_shortcut for t in story.shortcut_timings if t.shortcut_closed}
    assert closed == durations
    signed = [(tb, ref) for tb, ref in rows if tb.signer_key]
    # In the simulator, every signer is on its call's true path.
    assert all(tb.signer_key in honeypot[ref]["path"] for tb, ref in signed)
    paths = numbers["signer_on_path"]
    assert paths["off"] == 0
    assert paths["on"] == sum(bool(tb.signer_on_path) for tb, _ref in signed)
    assert sum(paths.values()) == len(signed)
