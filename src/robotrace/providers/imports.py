"""Importing a provider registry file, whichever of the two formats it is: the FCC's Robocall
Mitigation Database export as published (:mod:`robotrace.providers.rmd`), or robotrace's own
``providers.csv`` (:mod:`robotrace.providers.registry`). The command line, the API and the
portal's import page all import through :func:`import_registry_file`.

The rules of every evidence import hold: a file with a bad row changes nothing (unless
``skip_bad_rows``, which imports the rest and lists the refused rows with their lines), and
the same file twice changes nothing. The caller owns the transaction.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from robotrace.clock import Clock, SystemClock
from robotrace.providers.registry import Provider, read_providers_csv
from robotrace.providers.rmd import is_rmd_export, read_rmd_export
from robotrace.providers.rmd_store import import_rmd_export
from robotrace.providers.store import list_providers, upsert_providers
from robotrace.rows import BadRowsError, RowError


@dataclass(frozen=True)
class RegistryImport:
    """What an import did. Counts are of filings for an RMD export, of rows otherwise."""

    format: str  # "rmd-export" or "providers-csv"
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    not_in_export: int = 0
    merged: int = 0
    providers_added: int = 0
    refused: list[str] = field(default_factory=list)
    import_id: int | None = None
    same_as: int | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "format": self.format,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "not_in_export": self.not_in_export,
            "merged": self.merged,
            "providers_added": self.providers_added,
            "refused": self.refused,
            "import_id": self.import_id,
            "same_as": self.same_as,
        }


def import_registry_file(
    session: Session,
    path: Path,
    *,
    actor: str,
    clock: Clock,
    shown_name: str | None = None,
    skip_bad_rows: bool = False,
) -> RegistryImport:
    """Import ``path``; :class:`BadRowsError` (naming ``shown_name`` instead of the path, for
    uploads) when a row is bad and ``skip_bad_rows`` is off, and nothing is changed."""
    shown = shown_name or str(path)
    try:
        if _is_rmd_export(path):
            return _import_export(session, path, actor, clock, skip_bad_rows, shown)
        return _import_own_format(session, path, actor, clock)
    except BadRowsError as exc:
        raise BadRowsError([replace(e, file=shown) for e in exc.errors]) from None


def _is_rmd_export(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            header = next(csv.reader(stream), [])
    except (UnicodeDecodeError, csv.Error):
        return False  # the reader of our own format says where and why
    return is_rmd_export(header)


def _import_export(
    session: Session, path: Path, actor: str, clock: Clock, skip_bad_rows: bool, shown: str
) -> RegistryImport:
    export = read_rmd_export(path, skip_bad_rows=skip_bad_rows)
    counts = import_rmd_export(session, export, path.name, actor, clock)
    return RegistryImport(
        format="rmd-export",
        added=counts.added,
        updated=counts.updated,
        unchanged=counts.unchanged,
        not_in_export=counts.not_in_export,
        merged=counts.providers_merged,
        providers_added=counts.providers_added,
        refused=[str(replace(e, file=shown)) for e in export.refused],
        import_id=counts.import_id,
        same_as=counts.same_as,
    )


def _import_own_format(session: Session, path: Path, actor: str, clock: Clock) -> RegistryImport:
    providers = read_providers_csv(path)
    try:
        counts = upsert_providers(session, providers, clock, actor)
    except ValueError as exc:  # e.g. two rows that the store finds to be one provider twice
        raise BadRowsError([RowError(str(path), 1, str(exc))]) from None
    return RegistryImport(
        format="providers-csv",
        added=counts.added,
        updated=counts.updated,
        unchanged=counts.unchanged,
        merged=counts.merged,
        providers_added=counts.added,
    )


def registry_of_files(paths: Sequence[Path]) -> list[Provider]:
    """The providers that importing ``paths`` in order would store — without a store: for
    the commands that work from files alone (``trace``, ``paths``). The same matching and
    keys as a real import, in an in-memory SQLite database that is gone afterwards."""
    from robotrace.store.models import Base  # here: the file-only commands start fast

    engine = create_engine("sqlite://")
    try:
        Base.metadata.create_all(engine)
        with Session(engine) as session:
            for path in paths:
                import_registry_file(session, path, actor="robotrace:files", clock=SystemClock())
            return list_providers(session)
    finally:
        engine.dispose()
