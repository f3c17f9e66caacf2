"""The provider registry: search for everyone, the whole list for readers of all, import
of an RMD export (``providers.csv``) for staff."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from fastapi import APIRouter, Depends, File, HTTPException, Query, UploadFile
from sqlalchemy.orm import Session

from robotrace.clock import Clock
from robotrace.providers.registry import Provider, read_providers_csv
from robotrace.rows import BadRowsError
from robotrace.store import models
from robotrace.store.models import UserRole
from robotrace.store.providers import upsert_providers
from robotrace.web import access
from robotrace.web.api.errors import responses
from robotrace.web.api.schemas import ImportOut, ProviderBrief, ProviderOut
from robotrace.web.deps import REQUEST_DB, current_principal, get_clock, require_roles, writer
from robotrace.web.principal import Principal

router = APIRouter(prefix="/providers", tags=["providers"])
STAFF = (UserRole.COORDINATOR, UserRole.ADMIN)


def _out(row: models.Provider) -> ProviderOut:
    return ProviderOut.model_validate(row, from_attributes=True)


@router.get("", response_model=list[ProviderOut], responses=responses(403))
def list_providers(
    principal: Principal = Depends(require_roles(*access.READ_ALL)),
    db: Session = REQUEST_DB,
) -> list[ProviderOut]:
    """Every registered provider, by OCN."""
    return [_out(row) for row in access.provider_rows(db, principal)]


@router.get("/search", response_model=list[ProviderBrief], responses=responses())
def search_providers(
    q: str = Query(..., min_length=1, max_length=100, description="part of an OCN or name"),
    limit: int = Query(20, ge=1, le=100),
    principal: Principal = Depends(current_principal),
    db: Session = REQUEST_DB,
) -> list[ProviderBrief]:
    """Providers whose OCN or name contains ``q``: OCN, name and country only, for everyone
    signed in (a provider names its upstream with it)."""
    found = access.search_directory(db, q, limit)
    return [ProviderBrief(ocn=e.ocn, name=e.name, country=e.country) for e in found]


@router.get("/{ocn}", response_model=ProviderOut, responses=responses(404))
def get_provider(
    ocn: str,
    principal: Principal = Depends(current_principal),
    db: Session = REQUEST_DB,
) -> ProviderOut:
    """A provider's full record: readers of all see every one, a provider user its own."""
    return _out(access.provider_row(db, principal, ocn))


def read_upload(data: bytes, filename: str) -> list[Provider]:
    """Providers from an uploaded ``providers.csv``; bad rows are named by the upload's name."""
    name = Path(filename or "providers.csv").name
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload.csv"
        path.write_bytes(data)
        try:
            return read_providers_csv(path)
        except BadRowsError as exc:
            errors = [replace(e, file=name) for e in exc.errors]
            raise BadRowsError(errors) from None


@router.post("/import", response_model=ImportOut, responses=responses(403, 422))
async def import_providers(
    file: UploadFile = File(..., description="providers.csv or an RMD export with an ocn column"),
    principal: Principal = Depends(writer(*STAFF)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> ImportOut:
    """Add new providers and update changed ones by OCN; unknown columns are ignored. A file
    with any bad row changes nothing: 422 lists every ``file:line: reason``."""
    data = await file.read()
    try:
        providers = read_upload(data, file.filename or "")
        counts = upsert_providers(db, providers, clock)
    except BadRowsError as exc:
        raise HTTPException(422, [str(e) for e in exc.errors]) from None
    except ValueError as exc:
        raise HTTPException(422, f"{file.filename}: {exc}") from None
    return ImportOut(added=counts.added, updated=counts.updated, unchanged=counts.unchanged)
