from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from robotrace.store import db
from robotrace.store.models import Base


def schema_differences(engine) -> list:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def test_migrating_to_head_gives_exactly_the_models_schema(engine):
    assert schema_differences(engine) == []
    assert db.current_revision(engine) == db.head_revision()


def test_migrating_an_up_to_date_database_again_changes_nothing(engine):
    db.upgrade(engine)
    assert schema_differences(engine) == []


def test_downgrading_to_base_removes_every_table(engine):
    db.downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    assert db.current_revision(engine) is None


def test_a_downgraded_database_migrates_up_again(engine):
    db.downgrade(engine, "base")
    db.upgrade(engine)
    assert schema_differences(engine) == []


def test_upgrade_accepts_a_url(db_url):
    db.upgrade(db_url)
    engine = db.make_engine(db_url)
    try:
        assert set(inspect(engine).get_table_names()) >= set(Base.metadata.tables)
    finally:
        engine.dispose()


def test_the_migrations_ship_inside_the_package():
    migrations = Path(db.__file__).parent / "migrations"
    assert (migrations / "env.py").is_file()
    assert (migrations / "script.py.mako").is_file()
    assert (migrations / "versions" / "0001_initial.py").is_file()
