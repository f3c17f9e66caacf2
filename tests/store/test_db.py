from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from robotrace.settings import Settings
from robotrace.store import db, models


def test_the_default_database_is_a_sqlite_file_in_the_working_directory(monkeypatch, tmp_path):
    monkeypatch.delenv("ROBOTRACE_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    engine = db.make_engine(Settings.from_environ().database_url)
    try:
        db.upgrade(engine)
    finally:
        engine.dispose()
    assert engine.url.render_as_string() == "sqlite:///robotrace.db"
    assert (tmp_path / "robotrace.db").is_file()


def test_the_database_url_setting_chooses_the_database(monkeypatch, tmp_path):
    monkeypatch.setenv("ROBOTRACE_DATABASE_URL", f"sqlite:///{tmp_path / 'chosen.db'}")
    engine = db.make_engine(Settings.from_environ().database_url)
    engine.dispose()
    assert engine.url.database == str(tmp_path / "chosen.db")


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    with engine.connect() as connection:
        pragma = connection.exec_driver_sql
        assert pragma("PRAGMA journal_mode").scalar() == "wal"
        assert pragma("PRAGMA foreign_keys").scalar() == 1
        assert pragma("PRAGMA busy_timeout").scalar() == db.SQLITE_BUSY_TIMEOUT_MS
    engine.dispose()


def campaign(campaign_id: str) -> models.Campaign:
    return models.Campaign(id=campaign_id, name=campaign_id, created_at=datetime.now(UTC))


def test_a_transaction_commits_its_work(engine):
    with db.transaction(engine) as session:
        session.add(campaign("warranty"))
    with db.transaction(engine) as session:
        assert session.get(models.Campaign, "warranty") is not None


def test_a_failed_transaction_writes_nothing(engine):
    with pytest.raises(RuntimeError), db.transaction(engine) as session:
        session.add(campaign("warranty"))
        session.flush()
        raise RuntimeError("boom")
    with db.transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(models.Campaign)) == 0


def test_json_columns_write_datetimes_as_utc_text(session):
    when = datetime(2020, 5, 1, 12, 0, tzinfo=UTC)
    session.add(
        models.Campaign(id="c", name="c", tags=["covid"], created_at=when),
    )
    session.add(models.AuditEvent(at=when, actor="t", action="a", details={"due": when, "n": 1}))
    session.commit()
    event = session.scalars(select(models.AuditEvent)).one()
    session.refresh(event)
    assert event.details == {"due": "2020-05-01T12:00:00Z", "n": 1}
