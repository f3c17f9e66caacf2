from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import select

from robotrace.store import models

EASTERN = timezone(timedelta(hours=-5))


def stored_time(session, when: datetime) -> datetime:
    """Store ``when`` as a campaign's created_at and read it back from the database."""
    session.add(models.Campaign(id="c", name="c", created_at=when))
    session.commit()
    session.expunge_all()
    return session.scalars(select(models.Campaign.created_at)).one()


def test_an_aware_time_comes_back_as_the_same_instant_in_utc(session):
    when = datetime(2020, 5, 1, 7, 30, tzinfo=EASTERN)
    back = stored_time(session, when)
    assert back == when
    assert back.tzinfo == UTC
    assert back.hour == 12


def test_a_naive_time_is_taken_as_utc(session):
    back = stored_time(session, datetime(2020, 5, 1, 12, 30))
    assert back == datetime(2020, 5, 1, 12, 30, tzinfo=UTC)


def test_microseconds_survive_the_round_trip(session):
    when = datetime(2020, 5, 1, 12, 30, 1, 123456, tzinfo=UTC)
    assert stored_time(session, when) == when


def test_times_written_with_different_offsets_sort_by_instant(session):
    later_in_utc = datetime(2020, 5, 1, 9, 0, tzinfo=EASTERN)  # 14:00 UTC
    earlier_in_utc = datetime(2020, 5, 1, 13, 0, tzinfo=UTC)
    session.add(models.Campaign(id="later", name="later", created_at=later_in_utc))
    session.add(models.Campaign(id="earlier", name="earlier", created_at=earlier_in_utc))
    session.commit()
    query = select(models.Campaign.id).order_by(models.Campaign.created_at)
    assert session.scalars(query).all() == ["earlier", "later"]
    since = select(models.Campaign.id).where(
        models.Campaign.created_at > datetime(2020, 5, 1, 13, 30, tzinfo=UTC)
    )
    assert session.scalars(since).all() == ["later"]
