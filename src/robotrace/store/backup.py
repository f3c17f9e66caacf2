"""Backups of a robotrace installation: the SQL store and the analytics store in one file.

A backup is a gzipped tar archive (docs/operations.md#backups):

- ``manifest.json`` — what it holds: format version, when, the database's dialect and schema
  revision, the robotrace version, and the SHA-256 of every other member;
- ``database.sqlite`` — a consistent online copy made with SQLite's backup API (readers and
  writers may go on meanwhile), or ``database.pgdump`` — ``pg_dump --format=custom``;
- ``analytics/…`` — the analytics store's files (complaints, stored flows), copied while the
  store's import lock is held, so no import is half in.

:func:`restore` checks every checksum before it touches anything, refuses a dialect other
than the target's and a target that already holds data (unless ``force``), and replaces the
database and the analytics folder only once each is complete: SQLite by renaming the restored
file into place, PostgreSQL with ``pg_restore --clean --single-transaction``.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, make_url

from robotrace import __version__
from robotrace.clock import format_utc
from robotrace.files import import_lock, written_whole
from robotrace.store.db import current_revision, make_engine

FORMAT, VERSION = "robotrace-backup", 1
MANIFEST = "manifest.json"
SQLITE_MEMBER, PG_MEMBER = "database.sqlite", "database.pgdump"
ANALYTICS = "analytics"


class BackupError(Exception):
    """The backup cannot be made or restored; the message says why. Nothing was changed."""


@dataclass(frozen=True)
class Manifest:
    created_at: str
    dialect: str
    revision: str | None
    robotrace: str
    files: dict[str, str]  # member name → SHA-256

    def as_dict(self) -> dict[str, Any]:
        return {"format": FORMAT, "version": VERSION, **self.__dict__}


def backup(out: Path, database_url: str, analytics_dir: Path, now: datetime) -> Manifest:
    """Write the backup of ``database_url`` and ``analytics_dir`` to ``out`` (whole or not at
    all)."""
    with tempfile.TemporaryDirectory(prefix="robotrace-backup-") as work:
        staging = Path(work)
        dialect, revision, member = _dump_database(database_url, staging)
        copied = _copy_analytics(analytics_dir, staging / ANALYTICS)
        names = [member, *copied]
        manifest = Manifest(
            format_utc(now),
            dialect,
            revision,
            __version__,
            {n: _sha256(staging / n) for n in names},
        )
        with written_whole(out) as partial, tarfile.open(partial, "w:gz") as archive:
            _add_bytes(archive, MANIFEST, json.dumps(manifest.as_dict(), indent=1).encode())
            for name in names:
                archive.add(staging / name, arcname=name, recursive=False)
    return manifest


def read_manifest(path: Path) -> Manifest:
    """The backup's manifest, after checking that every member is there and intact."""
    try:
        with tarfile.open(path, "r:gz") as archive:
            document = json.loads(_member(archive, MANIFEST))
            if document.get("format") != FORMAT or document.get("version") != VERSION:
                raise BackupError(f"{path}: not a robotrace backup (version {VERSION})")
            manifest = Manifest(
                document["created_at"],
                document["dialect"],
                document["revision"],
                document["robotrace"],
                dict(document["files"]),
            )
            members = set(archive.getnames())
            if members != {MANIFEST, *manifest.files}:
                raise BackupError(f"{path}: members differ from its manifest")
            for name, digest in manifest.files.items():
                if _member_sha256(archive, name) != digest:
                    raise BackupError(f"{path}: {name} is damaged (checksum differs)")
            return manifest
    except (OSError, tarfile.TarError, EOFError, ValueError, KeyError) as exc:
        raise BackupError(f"{path}: not a readable robotrace backup ({exc})") from None


def restore(path: Path, database_url: str, analytics_dir: Path, force: bool = False) -> Manifest:
    """Put the backup at ``path`` back into ``database_url`` and ``analytics_dir``."""
    manifest = read_manifest(path)
    target = make_url(database_url)
    dialect = target.get_backend_name()
    if dialect != manifest.dialect:
        raise BackupError(
            f"the backup is of a {manifest.dialect} database; restore it into one "
            f"(this target is {dialect})"
        )
    if not force and _holds_data(database_url):
        raise BackupError(
            f"{target.render_as_string(hide_password=True)} already holds a robotrace store: "
            "restore into an empty database, or pass --force to replace it"
        )
    with tempfile.TemporaryDirectory(prefix="robotrace-restore-") as work:
        staging = Path(work)
        with tarfile.open(path, "r:gz") as archive:
            archive.extractall(staging, filter="data")
        analytics = staging / ANALYTICS
        if manifest.dialect == "sqlite":
            _restore_sqlite(staging / SQLITE_MEMBER, target.database or "")
        else:
            _pg_restore(staging / PG_MEMBER, database_url)
        _replace_folder(analytics, Path(analytics_dir))
    return manifest


# --- The database ---------------------------------------------------------------------------


def _dump_database(database_url: str, staging: Path) -> tuple[str, str | None, str]:
    engine = make_engine(database_url)
    try:
        revision = current_revision(engine)
        dialect = engine.dialect.name
    finally:
        engine.dispose()
    if revision is None:
        raise BackupError("the database holds no robotrace store (never migrated)")
    url = make_url(database_url)
    if dialect == "sqlite":
        _sqlite_copy(url.database or "", staging / SQLITE_MEMBER)
        return dialect, revision, SQLITE_MEMBER
    if dialect == "postgresql":
        _pg_dump(database_url, staging / PG_MEMBER)
        return dialect, revision, PG_MEMBER
    raise BackupError(f"backups of {dialect} databases are not supported")


def _sqlite_copy(source: str, target: Path) -> None:
    """SQLite's online backup: a consistent snapshot while others read and write."""
    if not source or source == ":memory:" or not Path(source).is_file():
        raise BackupError(f"no SQLite database file at {source!r}")
    with (
        sqlite3.connect(f"file:{source}?mode=ro", uri=True) as live,
        sqlite3.connect(target) as copy,
    ):
        live.backup(copy)
    with sqlite3.connect(target) as copy:
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file


def _restore_sqlite(source: Path, database: str) -> None:
    if not database or database == ":memory:":
        raise BackupError("restore a SQLite backup into a database file, not :memory:")
    target = Path(database)
    target.parent.mkdir(parents=True, exist_ok=True)
    with written_whole(target) as partial:
        shutil.copyfile(source, partial)
        with sqlite3.connect(partial) as check:
            if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError("the backup's SQLite database fails its integrity check")
        for stale in (Path(f"{target}-wal"), Path(f"{target}-shm")):
            stale.unlink(missing_ok=True)  # the old file's journal must not meet the new one


def postgres_tool(name: str) -> str:
    """``pg_dump``/``pg_restore`` of the newest PostgreSQL installed (Debian keeps them under
    /usr/lib/postgresql/<version>/bin), else the one on PATH."""
    versions = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: [int(x) for x in p.parent.parent.name.split(".") if x.isdigit()],
    )
    found = str(versions[-1]) if versions else shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return found


def _libpq(database_url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection string and environment (the password travels in PGPASSWORD)."""
    url = make_url(database_url)
    environment = {**os.environ}
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), environment


def search_path_schema(database_url: str) -> str | None:
    """The schema a URL's ``options=-csearch_path=…`` puts first, if any: a store kept in a
    schema of its own is dumped alone."""
    options = str(make_url(database_url).query.get("options", ""))
    for option in options.split():
        if option.startswith("-csearch_path="):
            return option.split("=", 1)[1].split(",")[0].strip() or None
    return None


def _pg_dump(database_url: str, target: Path) -> None:
    dsn, environment = _libpq(database_url)
    schema = search_path_schema(database_url)
    scope = [f"--schema={schema}"] if schema else []
    _run([postgres_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
          *scope, f"--file={target}", dsn], environment)  # fmt: skip


def _pg_restore(dump: Path, database_url: str) -> None:
    dsn, environment = _libpq(database_url)
    _run([postgres_tool("pg_restore"), "--clean", "--if-exists", "--no-owner",
          "--no-privileges", "--single-transaction", f"--dbname={dsn}", str(dump)],
         environment)  # fmt: skip


def _run(command: list[str], environment: dict[str, str]) -> None:
    done = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tool = Path(command[0]).name
        raise BackupError(f"{tool} failed: {done.stderr.strip() or done.returncode}")


def _holds_data(database_url: str) -> bool:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
        return False  # nothing there yet (and no empty file made by looking)
    engine = make_engine(database_url)
    try:
        return bool(inspect(engine).get_table_names())
    finally:
        engine.dispose()


# --- The analytics store --------------------------------------------------------------------


def _copy_analytics(source: Path, target: Path) -> list[str]:
    """Copy the analytics store's files (not its lock or temporary files) under its import
    lock; the member names."""
    target.mkdir(parents=True)
    if not source.is_dir():
        return []
    names = []
    with import_lock(source):
        for path in sorted(_files(source)):
            relative = path.relative_to(source)
            copied = target / relative
            copied.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, copied)
            names.append(f"{ANALYTICS}/{relative.as_posix()}")
    return names


def _files(folder: Path) -> Iterator[Path]:
    for path in folder.rglob("*"):
        if path.is_file() and not path.name.startswith("."):
            yield path


def _replace_folder(new: Path, target: Path) -> None:
    """Put ``new`` where ``target`` is, keeping the old one until the new one is in place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    incoming = target.with_name(f".{target.name}.restoring")
    shutil.rmtree(incoming, ignore_errors=True)
    if new.is_dir():
        shutil.copytree(new, incoming)
    else:
        incoming.mkdir()
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    incoming.rename(target)
    shutil.rmtree(old, ignore_errors=True)


# --- Archive helpers --------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


def _member_sha256(archive: tarfile.TarFile, name: str) -> str:
    extracted = archive.extractfile(name)
    if extracted is None:
        raise KeyError(name)
    digest = hashlib.sha256()
    while chunk := extracted.read(1 << 20):
        digest.update(chunk)
    return digest.hexdigest()


def _member(archive: tarfile.TarFile, name: str) -> bytes:
    extracted = archive.extractfile(name)
    if extracted is None:
        raise KeyError(name)
    return extracted.read()
