"""The legal process log's rules over the store, on SQLite and PostgreSQL: what an entry must
be, and which entries a period counts (issued on a day in [start, end), not withdrawn)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from robotrace.clock import SimulatedClock
from robotrace.legalprocess import log
from robotrace.providers.registry import Provider
from robotrace.providers.store import upsert_providers

NOW = datetime(2021, 3, 1, 15, tzinfo=UTC)


def _world(session) -> None:
    upsert_providers(
        session, [Provider("AAAA", "Alpha Telco", ocns=("123A",))], SimulatedClock(NOW)
    )


def _entry(day: str, kind: str = "subpoena", agency: str = "FTC", provider: str = "AAAA"):
    return log.Entry(day, agency, kind, provider)


def test_a_period_counts_its_first_day_and_not_the_day_after_it(session):
    _world(session)
    for day in ("2020-12-31", "2021-01-01", "2021-01-31", "2021-02-01"):
        log.record(session, _entry(day), "regulator:r", NOW)
    counted = log.issued_in(session, date(2021, 1, 1), date(2021, 2, 1))
    assert (counted.total, counted.by_kind["subpoena"]) == (2, 2)  # 1 and 31 January


def test_the_provider_is_found_by_any_identifier_the_registry_holds(session):
    _world(session)
    row = log.record(session, _entry("2021-01-05", provider="123A"), "regulator:r", NOW)
    assert log.with_provider(session, row)[1].key == "AAAA"


@pytest.mark.parametrize(
    ("day", "said"),
    [
        ("20210105", "YYYY-MM-DD"),
        ("2021-02-30", "YYYY-MM-DD"),
        ("2021-03-02", "after today (2021-03-01)"),
        ("1989-12-31", "before 1990"),
    ],
)
def test_a_day_of_issue_must_be_a_real_day_not_after_today(session, day, said):
    _world(session)
    with pytest.raises(log.LegalProcessError, match=re.escape(said)):
        log.record(session, _entry(day), "regulator:r", NOW)


def test_text_with_control_characters_or_too_long_is_refused(session):
    _world(session)
    with pytest.raises(log.LegalProcessError, match="agency holds control characters"):
        log.record(session, _entry("2021-01-05", agency="FTC\x00"), "regulator:r", NOW)
    with pytest.raises(log.LegalProcessError, match="longer than 200"):
        log.record(session, _entry("2021-01-05", agency="F" * 201), "regulator:r", NOW)
    with pytest.raises(log.LegalProcessError, match="is not a traceback id"):
        entry = log.Entry("2021-01-05", "FTC", "cid", "AAAA", tracebacks="TB-1 ../etc")
        log.record(session, entry, "regulator:r", NOW)


def test_a_withdrawn_entry_is_neither_counted_nor_changed(session):
    _world(session)
    row = log.record(session, _entry("2021-01-05", kind="cid"), "regulator:r", NOW)
    log.withdraw(session, row, "recorded twice", "regulator:r", NOW)
    assert log.issued_in(session, date(2021, 1, 1), date(2021, 2, 1)).total == 0
    with pytest.raises(log.LegalProcessError, match="withdrawn"):
        log.edit(session, row, _entry("2021-01-06"), "regulator:r", NOW)
    with pytest.raises(log.LegalProcessError, match="withdrawn already"):
        log.withdraw(session, row, "again", "regulator:r", NOW)
