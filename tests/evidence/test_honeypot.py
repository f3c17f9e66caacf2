from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from robotrace.evidence.honeypot import HONEYPOT_COLUMNS, ImportCounts, import_honeypot_csv
from robotrace.providers.registry import Provider
from robotrace.providers.store import provider_ids, upsert_providers
from robotrace.rows import BadRowsError, RowError
from robotrace.store import models
from tests.evidence.builders import honeypot_row


@pytest.fixture(autouse=True)
def providers(session):
    upsert_providers(session, [Provider("TERM", "Terminating Co"), Provider("T2", "Other Co")])


def call_row(call_id: str = "hp-1", **fields: str) -> dict[str, str]:
    """A honeypot row whose called number is written as people write it."""
    return honeypot_row(call_id, **{"called_number": "(202) 555-0199", **fields})


def honeypot_csv(tmp_path: Path, *rows: dict[str, str], columns=HONEYPOT_COLUMNS) -> Path:
    path = tmp_path / "honeypot.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def stored_calls(session) -> list[models.Call]:
    return list(session.scalars(select(models.Call).order_by(models.Call.source_ref)))


def count_calls(session) -> int:
    return session.scalar(select(func.count()).select_from(models.Call))


def test_importing_a_honeypot_file_adds_its_calls(session, tmp_path):
    identity = "eyJhbGciOiJFUzI1NiJ9.e30.sig;info=<https://cert.example/sp.pem>"
    path = honeypot_csv(
        tmp_path, call_row("hp-1"), call_row("hp-2", identity=identity, recording="rec/2.wav")
    )
    assert import_honeypot_csv(session, path) == ImportCounts(added=2, skipped=0)
    session.commit()
    first, second = stored_calls(session)
    assert (first.source, first.source_ref) == ("honeypot", "hp-1")
    assert (first.calling_e164, first.called_number, first.called_e164) == (
        "+12025550143",
        "(202) 555-0199",
        "+12025550199",
    )
    assert first.call_time == datetime(2020, 5, 1, 12, 0, tzinfo=UTC)
    assert first.terminating_provider_id == provider_ids(session, ["TERM"])["TERM"]
    assert (first.identity, first.recording) == (None, None)
    assert (second.identity, second.recording) == (identity, "rec/2.wav")


def test_importing_the_same_file_twice_adds_nothing(session, tmp_path):
    path = honeypot_csv(tmp_path, call_row("hp-1"), call_row("hp-2"))
    import_honeypot_csv(session, path)
    session.commit()
    assert import_honeypot_csv(session, path) == ImportCounts(added=0, skipped=2)
    assert count_calls(session) == 2


def test_a_file_with_new_calls_adds_only_those(session, tmp_path):
    import_honeypot_csv(session, honeypot_csv(tmp_path, call_row("hp-1")))
    grown = honeypot_csv(tmp_path, call_row("hp-1"), call_row("hp-2"))
    assert import_honeypot_csv(session, grown) == ImportCounts(added=1, skipped=1)


def test_a_spoofed_calling_number_is_kept_as_received_without_e164(session, tmp_path):
    import_honeypot_csv(session, honeypot_csv(tmp_path, call_row(calling_number="000-0000")))
    (call,) = stored_calls(session)
    assert (call.calling_number, call.calling_e164) == ("000-0000", None)


def test_call_times_with_offsets_are_stored_in_utc(session, tmp_path):
    path = honeypot_csv(tmp_path, call_row(call_time="2020-05-01T08:00:00-04:00"))
    import_honeypot_csv(session, path)
    session.commit()
    session.expunge_all()
    assert stored_calls(session)[0].call_time == datetime(2020, 5, 1, 12, 0, tzinfo=UTC)


def test_every_bad_row_is_reported_and_nothing_is_written(session, tmp_path):
    path = honeypot_csv(
        tmp_path,
        call_row("ok-1"),
        call_row("bad-called", called_number="12"),
        call_row("bad-time", call_time="yesterday"),
        call_row("bad-provider", terminating_provider="ZZZZ"),
        call_row(""),
        call_row("ok-1"),
    )
    with pytest.raises(BadRowsError) as raised:
        import_honeypot_csv(session, path)
    lines = [(error.line, error.reason.split(":")[0]) for error in raised.value.errors]
    assert lines == [
        (3, "called_number"),
        (4, "call_time"),
        (5, "terminating_provider ZZZZ is not a known provider"),
        (6, "call_id is empty"),
        (7, "call_id ok-1 repeats line 2"),
    ]
    assert all(error.file == str(path) for error in raised.value.errors)
    assert count_calls(session) == 0


def test_line_numbers_stay_right_after_a_transcript_spanning_lines(session, tmp_path):
    path = honeypot_csv(
        tmp_path,
        call_row("hp-1", transcript="Hello.\nPress 1\nnow."),
        call_row("hp-2", call_time=""),
    )
    with pytest.raises(BadRowsError) as raised:
        import_honeypot_csv(session, path)
    assert raised.value.errors == [RowError(str(path), 5, "call_time: empty time")]


def test_a_file_without_the_honeypot_columns_is_refused(session, tmp_path):
    path = honeypot_csv(tmp_path, call_row(), columns=("call_id", "calling_number"))
    with pytest.raises(BadRowsError, match="missing column"):
        import_honeypot_csv(session, path)


def test_a_lowercase_provider_key_is_accepted(session, tmp_path):
    import_honeypot_csv(session, honeypot_csv(tmp_path, call_row(terminating_provider=" t2 ")))
    assert stored_calls(session)[0].terminating_provider_id == provider_ids(session, ["T2"])["T2"]
