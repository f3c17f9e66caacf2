"""Fixtures shared by the whole suite: a database per test, on SQLite and on PostgreSQL.

``db_url``
    The SQLAlchemy URL of an empty database, once for each backend — the test runs twice,
    with ids ``[sqlite]`` and ``[postgresql]``:

    - ``sqlite``: a fresh file in the test's ``tmp_path``;
    - ``postgresql``: a fresh schema (``search_path``) in the database that
      ``ROBOTRACE_TEST_POSTGRES_URL`` names, e.g.
      ``postgresql+psycopg://robotrace:robotrace@127.0.0.1:5432/robotrace_test``; the schema
      is dropped after the test. Without the variable this case is skipped (with the
      reason), except where ``CI=true``: there it fails, because CI must test PostgreSQL.
      It carries the ``postgres`` marker, so ``-m "not postgres"`` leaves it out.

``engine``
    An :class:`~sqlalchemy.engine.Engine` (from :func:`robotrace.store.db.make_engine`) on
    ``db_url``, migrated to the newest schema; disposed after the test.

``session``
    A :class:`~sqlalchemy.orm.Session` on ``engine``; commit, flush or roll back as the test
    needs — the database is the test's own. Closed after the test.

Use them by naming them::

    from robotrace.traceback.store import save_traceback, load_traceback

    def test_a_saved_traceback_comes_back(session):
        ...  # runs on SQLite and on PostgreSQL
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.orm import Session

from robotrace.store.db import make_engine, session_factory, upgrade
from tests.support import missing

POSTGRES_URL_VARIABLE = "ROBOTRACE_TEST_POSTGRES_URL"

# Signed links need a key; without this, the first test to sign one would write
# robotrace-secret.key into the working directory.
os.environ.setdefault("ROBOTRACE_SECRET_KEY", "tests-only-secret-key")
# Imported complaints go to the analytics store: by default a folder in the working directory.
os.environ.setdefault(
    "ROBOTRACE_ANALYTICS_DIR", str(Path(tempfile.mkdtemp(prefix="robotrace-tests-")) / "analytics")
)
# Likewise the block list's signing key: made on first use, here outside the repository.
os.environ.setdefault(
    "ROBOTRACE_BLOCKLIST_SIGNING_KEY",
    str(Path(tempfile.mkdtemp(prefix="robotrace-tests-")) / "blocklist.pem"),
)


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    """An engine on the PostgreSQL test database, for creating and dropping test schemas."""
    url = os.environ.get(POSTGRES_URL_VARIABLE, "").strip()
    if not url:
        missing(
            f"PostgreSQL not configured: set {POSTGRES_URL_VARIABLE} to run these",
            f"CI must provide PostgreSQL: set {POSTGRES_URL_VARIABLE}",
        )
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


def _postgres_schema_url(request: pytest.FixtureRequest) -> Iterator[str]:
    admin: Engine = request.getfixturevalue("postgres_admin")
    schema = f"test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(admin.url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """URL of an empty database of its own for this test (see the module docstring)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'robotrace.db'}"
        return
    yield from _postgres_schema_url(request)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on ``db_url`` with the schema migrated to the newest revision."""
    engine = make_engine(db_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on ``engine``; what the test leaves uncommitted is rolled back."""
    with session_factory(engine)() as session:
        yield session
