from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from robotrace.cdr.lookup import (
    Leg,
    ProviderRecords,
    best_leg,
    open_records_dir,
    open_store,
)
from robotrace.cdr.store import write_provider_store
from robotrace.settings import DEFAULTS, Settings

from .builders import leg, legs, raw_table, write_csv, write_parquet

NOON = datetime(2020, 5, 1, 12, tzinfo=UTC)
CALLED, CALLING = "+13105550199", "+12025550143"
SKEW_S = DEFAULTS.cdr_skew_seconds  # the cdr_skew_seconds setting by default: 5 s


def records(*rows: dict[str, str]) -> ProviderRecords:
    return ProviderRecords.from_table(legs(*rows))


def at(seconds: float) -> datetime:
    return NOON + timedelta(seconds=seconds)


def test_lookup_finds_the_leg_despite_four_seconds_of_skew() -> None:
    result = records(leg()).lookup(CALLED, CALLING, at(4), SKEW_S)
    assert (result.found, result.delta_s, result.call_time) == (True, -4.0, NOON)


def test_lookup_misses_a_leg_six_seconds_away_by_default() -> None:
    assert records(leg()).lookup(CALLED, CALLING, at(-6), SKEW_S).answer == "not_found"


def test_the_skew_argument_widens_the_window() -> None:
    assert records(leg()).lookup(CALLED, CALLING, at(-6), skew_s=10).found


def test_the_skew_setting_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROBOTRACE_CDR_SKEW_SECONDS", "1")
    skew_s = Settings.from_environ().cdr_skew_seconds
    assert not records(leg()).lookup(CALLED, CALLING, at(2), skew_s).found


def test_the_nearest_leg_in_time_wins() -> None:
    rows = [
        leg(call_time="2020-05-01T11:59:57Z", sip_call_id="three-early", from_provider="AAAA"),
        leg(call_time="2020-05-01T12:00:01Z", sip_call_id="one-late", from_provider="BBBB"),
    ]
    result = records(*rows).lookup(CALLED, CALLING, NOON, SKEW_S)
    assert (result.sip_call_id, result.from_provider, result.candidates) == ("one-late", "BBBB", 2)


def test_equally_near_legs_prefer_the_matching_calling_number() -> None:
    rows = [
        leg(call_time="2020-05-01T11:59:58Z", calling_number="+14155550100", sip_call_id="x"),
        leg(call_time="2020-05-01T12:00:02Z", calling_number="1-202-555-0143", sip_call_id="y"),
    ]
    result = records(*rows).lookup(CALLED, "tel:+12025550143", NOON, SKEW_S)
    assert (result.sip_call_id, result.calling_matched) == ("y", True)


def test_a_matching_calling_number_does_not_beat_a_nearer_leg() -> None:
    rows = [
        leg(call_time="2020-05-01T12:00:03Z", calling_number=CALLING, sip_call_id="matching"),
        leg(call_time="2020-05-01T12:00:01Z", calling_number="+14155550100", sip_call_id="near"),
    ]
    result = records(*rows).lookup(CALLED, CALLING, NOON, SKEW_S)
    assert (result.sip_call_id, result.calling_matched) == ("near", False)


@pytest.mark.parametrize("calling", ["anonymous", "", None, "0000000000", "123", "+14155550100"])
def test_a_garbage_or_spoofed_calling_number_still_matches(calling: str | None) -> None:
    result = records(leg(calling_number="anonymous")).lookup(CALLED, calling, at(1), SKEW_S)
    assert result.found
    assert not result.calling_matched


@pytest.mark.parametrize(
    "called",
    [
        "+13105550199",
        "3105550199",
        "13105550199",
        "1-310-555-0199",
        "(310) 555-0199",
        "tel:+1-310-555-0199",
        "sip:+13105550199@host;user=phone",
        "0013105550199",
    ],
)
def test_every_number_format_finds_the_leg(called: str) -> None:
    stored = records(leg(called_number="sip:+13105550199@gw.example.net;user=phone"))
    assert stored.lookup(called, CALLING, NOON, SKEW_S).found


def test_a_different_called_number_is_not_found() -> None:
    assert not records(leg()).lookup("+13105550198", CALLING, NOON, SKEW_S).found


def test_a_call_from_another_provider_answers_upstream() -> None:
    result = records(leg(from_provider="UPST")).lookup(CALLED, CALLING, NOON, SKEW_S)
    assert (result.answer, result.from_provider, result.customer) == ("upstream", "UPST", None)


def test_a_call_from_an_own_customer_answers_origin() -> None:
    result = records(leg(from_provider="", customer="Acme Dialers")).lookup(
        CALLED, CALLING, NOON, SKEW_S
    )
    assert (result.answer, result.from_provider, result.customer) == (
        "origin",
        None,
        "Acme Dialers",
    )


def test_no_leg_answers_not_found() -> None:
    result = records(leg()).lookup(CALLED, CALLING, at(3600), SKEW_S)
    assert (result.answer, result.provider, result.from_provider) == ("not_found", "TERM", None)


def test_the_request_time_may_be_text() -> None:
    result = records(leg()).lookup(CALLED, CALLING, "2020-05-01T08:00:03-04:00", SKEW_S)
    assert result.delta_s == -3.0


def test_the_store_files_answer_like_the_table(tmp_path: Path) -> None:
    rows = [leg(provider="AAAA", sip_call_id="a"), leg(provider="BBBB", sip_call_id="b")]
    write_provider_store([raw_table(rows)], tmp_path)
    by_provider = open_store(tmp_path)
    assert sorted(by_provider) == ["AAAA", "BBBB"]
    assert by_provider["BBBB"].lookup(CALLED, CALLING, at(2), SKEW_S).sip_call_id == "b"
    with ProviderRecords.open(tmp_path / "AAAA.parquet") as aaaa:
        assert (aaaa.provider, aaaa.lookup(CALLED, None, at(-2), SKEW_S).sip_call_id) == (
            "AAAA",
            "a",
        )


def test_open_records_dir_gives_each_provider_its_own_legs(tmp_path: Path) -> None:
    write_csv(tmp_path / "a.csv", [leg(provider="AAAA", sip_call_id="a")])
    write_parquet(tmp_path / "b.parquet", [leg(provider="BBBB", sip_call_id="b")])
    by_provider = open_records_dir(tmp_path)
    assert by_provider["AAAA"].lookup(CALLED, CALLING, NOON, SKEW_S).sip_call_id == "a"
    assert by_provider["BBBB"].lookup(CALLED, CALLING, NOON, SKEW_S).sip_call_id == "b"


def test_from_table_needs_a_provider_when_the_table_holds_several() -> None:
    with pytest.raises(ValueError, match="2 providers"):
        ProviderRecords.from_table(legs(leg(provider="AAAA"), leg(provider="BBBB")))


def _leg(call_ms: int, calling_key: str, call_id: str) -> Leg:
    return Leg(call_ms, None, "c", None, "n", calling_key, call_id, None, None)


def test_best_leg_ranks_by_distance_then_calling_key() -> None:
    candidates = [_leg(900, "", "early"), _leg(1100, "2025550143", "late")]
    assert best_leg(candidates, 1000, "2025550143").sip_call_id == "late"  # type: ignore[union-attr]
    assert best_leg(candidates, 1000, "").sip_call_id == "early"  # type: ignore[union-attr]
    assert best_leg([], 1000, "") is None
