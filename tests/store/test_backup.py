"""``robotrace backup`` / ``restore``: round trips on SQLite and PostgreSQL compared table by
table with the database drivers directly, a copy made while a writer goes on, and every
refusal leaving the target as it was."""

from __future__ import annotations

import io
import sqlite3
import tarfile
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, inspect, text

from robotrace.cli import main
from robotrace.evidence.imports import evidence_files, import_evidence
from robotrace.store.backup import BackupError, backup, read_manifest, restore
from robotrace.store.db import make_engine, transaction, upgrade
from tests.stats.test_complaints import complaints_csv
from tests.stats.test_scorecards import build
from tests.support import missing

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)


def filled(url: str, analytics: Path, tmp_path: Path) -> None:
    """A store with tracebacks, hops, letters, authorizations, block lists and audit rows,
    and an analytics store with complaints."""
    engine = make_engine(url)
    upgrade(engine)
    with transaction(engine) as session:
        build(session)
    engine.dispose()
    import_evidence(evidence_files([complaints_csv(tmp_path / "ftc.csv", 50)], "ftc"), analytics)


def dump_tables(url: str) -> dict[str, list[tuple]]:
    """Every table's rows, sorted, read through the driver (not robotrace)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {
                table: sorted(
                    (
                        tuple(str(v) for v in row)
                        for row in connection.execute(text(f'SELECT * FROM "{table}"'))
                    ),
                )
                for table in inspect(connection).get_table_names()
            }
    finally:
        engine.dispose()


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }


def test_a_sqlite_store_comes_back_table_for_table(tmp_path):
    url, analytics = f"sqlite:///{tmp_path / 'live.db'}", tmp_path / "analytics"
    filled(url, analytics, tmp_path)
    archive = tmp_path / "backup.tar.gz"
    manifest = backup(archive, url, analytics, NOW)
    assert manifest.dialect == "sqlite" and manifest.revision
    restored_url, restored_analytics = f"sqlite:///{tmp_path / 'new' / 'r.db'}", tmp_path / "r-an"
    restore(archive, restored_url, restored_analytics)
    before, after = dump_tables(url), dump_tables(restored_url)
    assert after == before
    assert len(before["tracebacks"]) == 6 and len(before["enforcement_actions"]) == 4
    assert files_of(restored_analytics) == files_of(analytics)
    assert any(name.startswith("complaints/") for name in files_of(analytics))


def test_the_copy_is_consistent_while_a_writer_goes_on(tmp_path):
    url, analytics = f"sqlite:///{tmp_path / 'live.db'}", tmp_path / "analytics"
    filled(url, analytics, tmp_path)
    live = tmp_path / "live.db"
    stop = threading.Event()
    written = []

    def write() -> None:
        with sqlite3.connect(live, timeout=30) as connection:
            connection.execute("CREATE TABLE IF NOT EXISTS pulse (n INTEGER)")
            n = 0
            while not stop.is_set():
                connection.execute("INSERT INTO pulse VALUES (?)", (n,))
                connection.commit()
                written.append(n)
                n += 1

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while len(written) < 50:
            pass
        backup(tmp_path / "b.tar.gz", url, analytics, NOW)
    finally:
        stop.set()
        writer.join()
    restore(tmp_path / "b.tar.gz", f"sqlite:///{tmp_path / 'r.db'}", tmp_path / "r-an")
    with sqlite3.connect(tmp_path / "r.db") as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        pulses = [n for (n,) in copy.execute("SELECT n FROM pulse ORDER BY n")]
    assert pulses == list(range(len(pulses)))  # a prefix: no gap, nothing half-written
    assert 50 <= len(pulses) <= len(written)


def test_refusals_leave_the_target_as_it_was(tmp_path):
    url, analytics = f"sqlite:///{tmp_path / 'live.db'}", tmp_path / "analytics"
    filled(url, analytics, tmp_path)
    archive = tmp_path / "backup.tar.gz"
    backup(archive, url, analytics, NOW)
    before = dump_tables(url)
    with pytest.raises(BackupError, match="already holds a robotrace store"):
        restore(archive, url, analytics)
    with pytest.raises(BackupError, match="backup is of a sqlite database"):
        restore(archive, "postgresql+psycopg://x@127.0.0.1:1/none", analytics)
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w:gz") as copy:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "database.sqlite":
                data = data[:-1] + bytes([data[-1] ^ 1])
            member.size = len(data)
            copy.addfile(member, io.BytesIO(data))
    with pytest.raises(BackupError, match=r"database\.sqlite is damaged"):
        restore(damaged, f"sqlite:///{tmp_path / 'other.db'}", tmp_path / "o-an")
    assert not (tmp_path / "other.db").exists() and not (tmp_path / "o-an").exists()
    (tmp_path / "junk.tar.gz").write_bytes(b"not a backup")
    with pytest.raises(BackupError, match="not a readable robotrace backup"):
        read_manifest(tmp_path / "junk.tar.gz")
    assert dump_tables(url) == before


def test_the_commands_round_trip_and_force_replaces(tmp_path):
    url, analytics = f"sqlite:///{tmp_path / 'live.db'}", tmp_path / "analytics"
    filled(url, analytics, tmp_path)
    archive = tmp_path / "b.tar.gz"
    common = ["--database-url", url, "--analytics-dir", str(analytics)]
    result = CliRunner().invoke(main, ["backup", str(archive), *common])
    assert result.exit_code == 0, result.output
    before = dump_tables(url)
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_events"))
    engine.dispose()
    refused = CliRunner().invoke(main, ["restore", str(archive), *common])
    assert refused.exit_code == 1 and "--force" in refused.output
    result = CliRunner().invoke(main, ["restore", str(archive), *common, "--force"])
    assert result.exit_code == 0, result.output
    assert dump_tables(url) == before


@pytest.mark.postgres
def test_a_postgresql_store_comes_back_table_for_table(tmp_path, request):
    from robotrace.store.backup import postgres_tool
    from tests.conftest import _postgres_schema_url

    try:
        postgres_tool("pg_dump")
    except BackupError as exc:
        missing(str(exc), f"CI must have pg_dump: {exc}")
    schemas = _postgres_schema_url(request)
    url = next(schemas)
    try:
        analytics = tmp_path / "analytics"
        filled(url, analytics, tmp_path)
        archive = tmp_path / "pg.tar.gz"
        assert backup(archive, url, analytics, NOW).dialect == "postgresql"
        before = dump_tables(url)
        engine = make_engine(url)
        with engine.begin() as connection:  # the disaster: every table emptied
            for table in before:
                connection.execute(text(f'TRUNCATE "{table}" CASCADE'))
        engine.dispose()
        restore(archive, url, tmp_path / "r-an", force=True)
        assert dump_tables(url) == before
        assert files_of(tmp_path / "r-an") == files_of(analytics)
    finally:
        next(schemas, None)
