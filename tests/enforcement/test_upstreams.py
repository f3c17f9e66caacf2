"""The order of "know your upstream" as a plain rule (robotrace.enforcement.upstreams): the
riskiest first — on the block list, under an authorization, or removed from the RMD; then
warned; then not in the RMD — and within a level, most tracebacks first."""

from __future__ import annotations

from datetime import UTC, date, datetime

from robotrace.enforcement.standing import BlockListStanding, BlockReason
from robotrace.enforcement.upstreams import (
    BLOCKED,
    NONE,
    UNLISTED,
    WARNED,
    PublicStep,
    Upstream,
    by_risk,
    concerns_of,
    risk_of,
)
from robotrace.providers.status import rmd_status

WHEN = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
TODAY = date(2026, 1, 6)
LETTER = PublicStep(1, "WL-000001", "warning_letter", "Warning letter", "issued", WHEN, None)
AUTHORIZATION = PublicStep(2, "BA-000001", "block_authorization", "", "active", WHEN, WHEN)
ON_LIST = BlockReason("authorization", "", 2, "BA-000001", WHEN, None, "permissive")


def upstream(key: str, tracebacks: int = 1, rmd: str = "listed", **record: object) -> Upstream:
    status = rmd_status(
        listed_numbers=["RMD1"] if rmd == "listed" else [],
        filed_numbers=["RMD1"] if rmd in ("listed", "not_in_export") else [],
        removal=("DA 25-1", WHEN) if rmd == "removed" else None,
        last_recertified="",
        today=TODAY,
        due=(3, 1),
    )
    fields: dict[str, object] = {
        "letters": [],
        "authorizations": [],
        "block_list": BlockListStanding(1, WHEN, []),
        **record,
    }
    return Upstream(  # type: ignore[arg-type]
        key, key, "United States", False, tracebacks=tracebacks, last_call_at=WHEN,
        last_named_at=WHEN, rmd=status, **fields,
    )  # fmt: skip


def test_each_kind_of_record_gives_its_level():
    assert risk_of(upstream("A", block_list=BlockListStanding(1, WHEN, [ON_LIST]))) == BLOCKED
    assert risk_of(upstream("B", authorizations=[AUTHORIZATION])) == BLOCKED
    assert risk_of(upstream("C", rmd="removed")) == BLOCKED
    assert risk_of(upstream("D", letters=[LETTER])) == WARNED
    assert risk_of(upstream("E", rmd="unlisted")) == UNLISTED
    assert risk_of(upstream("F", rmd="not_in_export")) == UNLISTED
    assert risk_of(upstream("G")) == NONE


def test_risk_comes_before_the_number_of_tracebacks():
    quiet_but_blocked = upstream("Q", 1, rmd="removed")
    busy_and_clean = upstream("B", 40)
    warned = upstream("W", 2, letters=[LETTER])
    busier_warned = upstream("X", 9, letters=[LETTER])
    unlisted = upstream("U", 30, rmd="unlisted")
    ordered = by_risk([busy_and_clean, warned, unlisted, quiet_but_blocked, busier_warned])
    assert [u.key for u in ordered] == ["Q", "X", "W", "U", "B"]


def test_equals_are_ordered_by_key():
    assert [u.key for u in by_risk([upstream("Z"), upstream("M")])] == ["M", "Z"]


def test_the_concerns_say_what_the_level_rests_on():
    said = concerns_of(upstream("A", rmd="removed", letters=[LETTER, LETTER]))
    assert said == ["removed from the RMD", "2 letter(s), notification(s) or order(s)"]
    assert concerns_of(upstream("G")) == []
