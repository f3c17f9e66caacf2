"""The provider registry: search for everyone; the list (by RMD status) for readers of all;
each provider's record with its RMD status and history; the import of a registry file for
staff; and the FCC's removal orders and reinstatements, entered by regulators and admins
(they republish the block list: 47 CFR 64.6305)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import TYPE_CHECKING, Literal

from fastapi import APIRouter, Depends, File, HTTPException, Query, UploadFile
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from robotrace.clock import Clock
from robotrace.enforcement.errors import InvalidRequest
from robotrace.enforcement.rmd import record_reinstatement, record_removal
from robotrace.providers.directory import registry_rows
from robotrace.providers.registry import Provider
from robotrace.providers.rmd_store import history, statuses
from robotrace.providers.status import RmdStatus
from robotrace.providers.store import provider_of
from robotrace.settings import Settings
from robotrace.store import models
from robotrace.store.models import UserRole
from robotrace.web import access
from robotrace.web.api.errors import responses
from robotrace.web.api.schemas import LARGEST_ID, fields_of
from robotrace.web.deps import (
    REQUEST_DB,
    current_principal,
    get_clock,
    get_settings,
    require_roles,
    writer,
)
from robotrace.web.pages.providers import (
    QUERY_LIMIT,
    ImportRefused,
    import_upload,
)
from robotrace.web.principal import Principal

router = APIRouter(prefix="/providers", tags=["providers"])
STAFF = (UserRole.COORDINATOR, UserRole.ADMIN)
RMD_EDITORS = (UserRole.REGULATOR, UserRole.ADMIN)

StatusName = Literal["listed", "not_in_export", "removed", "unlisted"]


class ProviderBrief(BaseModel):
    """What anyone signed in may learn of a provider by search."""

    key: str
    name: str
    country: str


#: ProviderOut's fields in the order the published document has them (other names second).
PROVIDER_ORDER = (
    "key", "business_name", "other_names", "country", "foreign", "rmd_numbers", "frns", "ocns",
    "business_address", "implementation", "voice_service_provider", "gateway_provider",
    "intermediate_provider", "last_recertified", "contact_email", "rmd_contact",
)  # fmt: skip

if TYPE_CHECKING:  # the checker sees a plain model; the fields are the registry record's
    ProviderFields = BaseModel
else:
    ProviderFields = fields_of(Provider, order=PROVIDER_ORDER)


class ProviderOut(ProviderFields):
    """A provider's registry record: robotrace's key and everything it is known by."""

    created_at: datetime
    updated_at: datetime


class ImportOut(BaseModel):
    """What an import did: counts of filings (RMD export) or rows (providers.csv)."""

    format: Literal["rmd-export", "providers-csv"]
    added: int
    updated: int
    unchanged: int
    not_in_export: int = Field(description="filings of the previous export not in this one")
    merged: int = Field(description="records that showed two providers to be one")
    providers_added: int
    refused: list[str] = Field(description="file:line: reason of each row left out")
    import_id: int | None = Field(description="the RMD import's number; null: none recorded")
    same_as: int | None = Field(description="the earlier import of the very same file")


class RmdStatusOut(BaseModel):
    """A provider's standing in the Robocall Mitigation Database (docs/concepts.md)."""

    status: StatusName = Field(
        description="listed: in the latest export; not_in_export: filed, but not in the latest "
        "export; removed: by an FCC order a regulator entered; unlisted: never in an export"
    )
    listed_numbers: list[str] = Field(description="its RMD numbers in the latest export")
    filed_numbers: list[str] = Field(description="every RMD number it ever filed under")
    removal_order: str | None = Field(description="the standing removal order's reference")
    removed_at: datetime | None
    last_recertified: str | None
    recertification_due: date | None = Field(description="the last yearly due date passed")
    recertification_overdue: bool | None = Field(
        description="listed and last recertified before the due date; null: not known"
    )

    @classmethod
    def of(cls, status: RmdStatus) -> RmdStatusOut:
        return cls.model_validate(status.as_dict())


class ProviderStatusOut(ProviderOut):
    """A provider's record with its RMD status."""

    status: StatusName = Field(description="its RMD status (details in rmd)")
    rmd: RmdStatusOut


class RmdEventOut(BaseModel):
    """One thing the RMD said of a provider: an import that changed one of its filings
    (added, updated, relisted, dropped), or a removal order or reinstatement."""

    at: datetime
    what: Literal["added", "updated", "relisted", "dropped", "removed", "reinstated"]
    filing: str | None = Field(default=None, description="the RMD number the import changed")
    import_id: int | None = Field(default=None, description="the import's number")
    order: str | None = Field(default=None, description="the order's or notice's reference")


class ProviderDetailOut(ProviderStatusOut):
    """A provider's record with its RMD status and history, oldest first."""

    history: list[RmdEventOut]


class RmdRemovalIn(BaseModel):
    order_reference: str = Field(description="the FCC's order, e.g. DA 25-694 (200 at most)")
    removed_at: datetime | None = Field(default=None, description="effective; default: now")


class RmdReinstatementIn(BaseModel):
    reference: str = Field(description="the reinstatement's order or notice (200 at most)")
    reinstated_at: datetime | None = Field(default=None, description="default: now")


@contextmanager
def refused() -> Iterator[None]:
    """A request the rule refuses is 422 with the rule's reason."""
    try:
        yield
    except InvalidRequest as exc:
        raise HTTPException(422, str(exc)) from None


def _out(row: models.Provider) -> ProviderOut:
    record = provider_of(row)
    return ProviderOut(
        **{k: v for k, v in record.as_dict().items() if k in ProviderOut.model_fields},
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _with_status(row: models.Provider, status: RmdStatus) -> ProviderStatusOut:
    base = _out(row).model_dump()
    return ProviderStatusOut(**base, status=status.status, rmd=RmdStatusOut.of(status))


def _detail(
    db: Session, row: models.Provider, today: date, recertification_due: str
) -> ProviderDetailOut:
    status = _with_status(row, statuses(db, [row.id], today, recertification_due)[row.id])
    events = [
        RmdEventOut(**{("import_id" if k == "import" else k): v for k, v in e.items()})
        for e in history(db, row.id)
    ]
    return ProviderDetailOut(**status.model_dump(), history=events)


@router.get("", response_model=list[ProviderStatusOut], responses=responses(403))
def list_providers(
    status: StatusName | None = Query(None, description="only the providers with this status"),
    q: str = Query("", max_length=QUERY_LIMIT, description="name, DBA, key, OCN, RMD or FRN"),
    limit: int | None = Query(None, ge=1, le=10_000, description="default: all"),
    offset: int = Query(0, ge=0, le=LARGEST_ID),
    principal: Principal = Depends(require_roles(*access.READ_ALL)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
    settings: Settings = Depends(get_settings),
) -> list[ProviderStatusOut]:
    """Registered providers by key, each with its RMD status; a page of them with ``limit``
    and ``offset``. A search ``q`` considers its first 500 matches."""
    rows = registry_rows(db, status, q.strip(), limit, offset)
    found = statuses(
        db, [row.id for row in rows], clock.now().date(), settings.rmd_recertification_due
    )
    return [_with_status(row, found[row.id]) for row in rows]


@router.get("/search", response_model=list[ProviderBrief], responses=responses())
def search_providers(
    q: str = Query(
        ...,
        min_length=1,
        max_length=QUERY_LIMIT,
        description="part of a name, DBA, key, OCN, RMD number or FRN",
    ),
    limit: int = Query(20, ge=1, le=100),
    principal: Principal = Depends(current_principal),
    db: Session = REQUEST_DB,
) -> list[ProviderBrief]:
    """Providers whose name, DBA or identifier contains ``q``: key, name and country only,
    for everyone signed in (a provider names its upstream with it)."""
    found = access.search_directory(db, q, limit)
    return [ProviderBrief(key=e.key, name=e.name, country=e.country) for e in found]


@router.get("/{key}", response_model=ProviderDetailOut, responses=responses(404))
def get_provider(
    key: str,
    principal: Principal = Depends(current_principal),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
    settings: Settings = Depends(get_settings),
) -> ProviderDetailOut:
    """A provider's full record, named by any identifier (its key, a merged provider's key,
    an OCN, an RMD number or an FRN), with its RMD status and history: readers of all see
    every one, a provider user its own."""
    row = access.provider_row(db, principal, key)
    return _detail(db, row, clock.now().date(), settings.rmd_recertification_due)


@router.post("/import", response_model=ImportOut, responses=responses(403, 422))
def import_providers(
    file: UploadFile = File(..., description="the FCC's RMD export, or robotrace's providers.csv"),
    skip_bad_rows: bool = Query(False, description="import the good rows, list the bad ones"),
    principal: Principal = Depends(writer(*STAFF)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> ImportOut:
    """Import a provider registry file: the RMD export as published (columns in any order,
    unknown ones kept) or robotrace's ``providers.csv``. Providers are matched by every
    identifier. A file with any bad row changes nothing (unless ``skip_bad_rows``): 422
    lists every ``file:line: reason``."""
    try:
        done = import_upload(db, file, principal, clock, skip_bad_rows)
    except ImportRefused as exc:
        raise HTTPException(422, exc.lines) from None
    return ImportOut(**done.as_dict())


@router.post(
    "/{key}/rmd-removal",
    status_code=201,
    response_model=ProviderDetailOut,
    responses=responses(403, 404, 422),
)
def enter_removal(
    key: str,
    body: RmdRemovalIn,
    principal: Principal = Depends(writer(*RMD_EDITORS)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
    settings: Settings = Depends(get_settings),
) -> ProviderDetailOut:
    """Enter the FCC's order removing the provider from the RMD (regulators and admins).
    From ``removed_at`` the signed block list carries a ``no_direct_traffic`` entry with
    reason code ``rmd_removed``: no provider may accept its calls directly (47 CFR 64.6305).
    422 when the reference is empty, too long or holds markup, or it is removed already."""
    row = access.provider_row(db, principal, key)
    with refused():
        record_removal(
            db, row.key, body.order_reference, body.removed_at, principal.actor, clock, settings
        )
    return _detail(db, row, clock.now().date(), settings.rmd_recertification_due)


@router.post(
    "/{key}/rmd-reinstatement",
    response_model=ProviderDetailOut,
    responses=responses(403, 404, 422),
)
def enter_reinstatement(
    key: str,
    body: RmdReinstatementIn,
    principal: Principal = Depends(writer(*RMD_EDITORS)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
    settings: Settings = Depends(get_settings),
) -> ProviderDetailOut:
    """Enter the provider's reinstatement in the RMD (regulators and admins): its
    ``rmd_removed`` entry leaves the block list at once. 422 when it is not removed or the
    reference is not valid."""
    row = access.provider_row(db, principal, key)
    with refused():
        record_reinstatement(
            db, row.key, body.reference, body.reinstated_at, principal.actor, clock, settings
        )
    return _detail(db, row, clock.now().date(), settings.rmd_recertification_due)
