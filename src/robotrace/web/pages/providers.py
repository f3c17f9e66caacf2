"""The provider directory: the table for readers of all, the search everyone may use, each
provider's page, and the import of an RMD export (coordinators and admins)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePath

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from robotrace.clock import Clock
from robotrace.providers.registry import Provider, read_providers_csv
from robotrace.rows import BadRowsError
from robotrace.store import models
from robotrace.store.providers import UpsertCounts, upsert_providers
from robotrace.traceback.model import Answer
from robotrace.web import access
from robotrace.web.deps import REQUEST_DB, current_principal, get_clock, require_roles, writer
from robotrace.web.pages.common import READERS, STAFF, in_savepoint
from robotrace.web.principal import Principal
from robotrace.web.templating import render

router = APIRouter(include_in_schema=False)  # pages; the OpenAPI describes /api/v1
NON_COOPERATION = (Answer.REFUSED, Answer.NO_RESPONSE)


@dataclass(frozen=True)
class DirectoryRow:
    provider: models.Provider
    hops: int
    non_cooperation: int


class ImportRefused(ValueError):
    """The upload was not imported; ``lines`` says why, one reason per line."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        super().__init__("; ".join(lines))


def _non_cooperative() -> ColumnElement[int]:
    return case((models.Hop.answer.in_(NON_COOPERATION), 1), else_=0)


def _with_counts() -> Select[tuple[models.Provider, int, int | None]]:
    return (
        select(models.Provider, func.count(models.Hop.id), func.sum(_non_cooperative()))
        .outerjoin(models.Hop, models.Hop.provider_id == models.Provider.id)
        .group_by(models.Provider.id)
    )


def directory_rows(db: Session) -> list[DirectoryRow]:
    """Every provider by OCN, with how often it was asked and how often it did not help."""
    rows = db.execute(_with_counts().order_by(models.Provider.ocn)).all()
    return [DirectoryRow(p, int(n), int(bad or 0)) for p, n, bad in rows]


def directory_row(db: Session, provider: models.Provider) -> DirectoryRow:
    """One provider with its counts (for readers of all: counts span every traceback)."""
    p, n, bad = db.execute(_with_counts().where(models.Provider.id == provider.id)).one()
    return DirectoryRow(p, int(n), int(bad or 0))


def import_upload(db: Session, upload: UploadFile, clock: Clock) -> UpsertCounts:
    """Read the uploaded CSV the way ``robotrace`` reads ``providers.csv``, then upsert it."""
    name = PurePath(upload.filename or "providers.csv").name or "providers.csv"
    providers = _read_upload(upload, name)
    try:
        return in_savepoint(db, lambda: upsert_providers(db, providers, clock))
    except SQLAlchemyError as exc:
        raise ImportRefused([f"{name}: the database refused the file: {exc.__cause__}"]) from None


def _read_upload(upload: UploadFile, name: str) -> list[Provider]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(upload.file.read())
        try:
            return read_providers_csv(path)
        except BadRowsError as exc:  # undecodable bytes and broken CSV included
            raise ImportRefused([f"{name}:{e.line}: {e.reason}" for e in exc.errors]) from None


def _directory(
    request: Request,
    principal: Principal,
    db: Session,
    status_code: int = 200,
    **context: object,
) -> Response:
    return render(
        request,
        "providers.html",
        principal,
        status_code,
        rows=directory_rows(db),
        can_import=principal.is_staff,
        **context,
    )


@router.get("/providers")
def directory(
    request: Request,
    principal: Principal = Depends(require_roles(*READERS)),
    db: Session = REQUEST_DB,
) -> Response:
    return _directory(request, principal, db)


@router.get("/providers/search")
def search(
    request: Request,
    q: str = "",
    principal: Principal = Depends(current_principal),
    db: Session = REQUEST_DB,
) -> Response:
    """An HTML fragment for the htmx search box: OCN, name and country only, for everyone."""
    return render(
        request,
        "_provider_search.html",
        principal,
        entries=access.search_directory(db, q),
        q=q.strip(),
    )


@router.post("/providers/import")
def import_rmd(
    request: Request,
    file: UploadFile = File(...),
    principal: Principal = Depends(writer(*STAFF)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    try:
        counts = import_upload(db, file, clock)
    except ImportRefused as exc:
        return _directory(request, principal, db, 400, import_errors=exc.lines)
    message = (
        f"Imported: {counts.added} added, {counts.updated} updated, {counts.unchanged} unchanged."
    )
    return _directory(request, principal, db, message=message)


@router.get("/providers/{ocn}")
def provider_page(
    request: Request,
    ocn: str,
    principal: Principal = Depends(current_principal),
    db: Session = REQUEST_DB,
) -> Response:
    provider = access.provider_row(db, principal, ocn)
    return render(
        request,
        "provider.html",
        principal,
        provider=provider,
        counts=directory_row(db, provider) if principal.role in READERS else None,
        hops=access.hops_of_provider(db, principal, provider),
    )
