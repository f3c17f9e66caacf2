"""The published block list: public, no sign-in, like the FCC's public notices.

Every body is served as the exact bytes that were signed: ``ETag`` is the quoted SHA-256 of
them, ``X-Robotrace-Signature: ed25519=<base64>`` their Ed25519 signature, verifiable with
``/api/v1/blocklist/public-key`` (docs/enforcement.md shows how).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Depends, Header, HTTPException, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from robotrace.clock import Clock
from robotrace.enforcement import service, signing
from robotrace.enforcement.blocklist import etag_matches
from robotrace.settings import Settings
from robotrace.store import models
from robotrace.store.models import EnforcementKind
from robotrace.web.api.enforcement import pdf_response
from robotrace.web.api.errors import Responses
from robotrace.web.api.schemas import RowId
from robotrace.web.deps import REQUEST_DB, get_clock, get_settings

router = APIRouter(tags=["block list (public)"])


class BlocklistEntry(BaseModel):
    kind: str = Field(description="provider: every call from it; number: calls from that number")
    scope: str = Field(description="provider, numbers or no_direct_traffic")
    provider: str = Field(description="robotrace's key of the provider")
    ocns: list[str] = Field(description="its OCNs (STIR/SHAKEN SPCs); may be empty")
    name: str
    number: str | None
    reason_code: Literal["authorization", "rmd_removed"] = Field(
        description="authorization: a regulator's block authorization; rmd_removed: the "
        "provider was removed from the Robocall Mitigation Database (47 CFR 64.6305)"
    )
    authorization_id: int | None = Field(description="null for rmd_removed")
    rmd_order: str | None = Field(description="the FCC's removal order (rmd_removed)")
    effective_at: datetime
    reason: str
    contact: str = Field(description="whom a blocked caller can ask")


class Blocklist(BaseModel):
    """The body of ``/api/v1/blocklist`` (canonical JSON: sorted keys, no spaces)."""

    version: int
    generated_at: datetime
    entries: list[BlocklistEntry]


JSON_BODY: Responses = {200: {"model": Blocklist, "description": "the signed body"}}
CSV_BODY: dict[int | str, dict[str, object]] = {
    200: {"content": {"text/csv": {}}, "description": "the signed CSV"}
}
NOT_MODIFIED: Responses = {304: {"description": "If-None-Match matched the ETag"}}


def signed(
    body: str, etag: str, signature: str, version: int, media_type: str, if_none_match: str | None
) -> Response:
    headers = {
        "ETag": etag,
        "X-Robotrace-Signature": signature,
        "X-Robotrace-Blocklist-Version": str(version),
        "Cache-Control": "no-cache",
    }
    if etag_matches(if_none_match, etag):
        return Response(status_code=304, headers=headers)
    return Response(body.encode(), media_type=media_type, headers=headers)


def current(db: Session, clock: Clock, settings: Settings) -> models.BlocklistVersion:
    """The current version, published first if the entries changed since the last one."""
    return service.publish_blocklist(db, clock, settings)


@router.get("/blocklist", response_class=Response, responses={**JSON_BODY, **NOT_MODIFIED})
def get_blocklist(
    if_none_match: str | None = Header(None),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
    settings: Settings = Depends(get_settings),
) -> Response:
    """The block list as JSON: ``version``, ``generated_at`` and ``entries``."""
    v = current(db, clock, settings)
    return signed(v.body, v.etag, v.signature, v.version, "application/json", if_none_match)


@router.get("/blocklist.csv", response_class=Response, responses={**CSV_BODY, **NOT_MODIFIED})
def get_blocklist_csv(
    if_none_match: str | None = Header(None),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
    settings: Settings = Depends(get_settings),
) -> Response:
    """The same entries as CSV, with their own ETag and signature over the CSV bytes."""
    v = current(db, clock, settings)
    media = "text/csv; charset=utf-8"
    return signed(v.csv, v.csv_etag, v.csv_signature, v.version, media, if_none_match)


@router.get(
    "/blocklist/public-key",
    response_class=Response,
    responses={200: {"content": {"application/x-pem-file": {}}, "description": "the key"}},
)
def get_public_key(settings: Settings = Depends(get_settings)) -> Response:
    """The Ed25519 public key (PEM) that verifies ``X-Robotrace-Signature``."""
    pem = signing.public_key_pem(settings.blocklist_signing_key)
    return Response(pem, media_type="application/x-pem-file")


@router.get(
    "/blocklist/versions/{version}",
    response_class=Response,
    responses={**JSON_BODY, **NOT_MODIFIED, 404: {"description": "no such version"}},
)
def get_blocklist_version(
    version: RowId,
    if_none_match: str | None = Header(None),
    db: Session = REQUEST_DB,
) -> Response:
    """Any version ever published, exactly as it was served and signed then."""
    v = service.blocklist_version(db, version)
    if v is None:
        raise HTTPException(404, "not found")
    return signed(v.body, v.etag, v.signature, v.version, "application/json", if_none_match)


@router.get(
    "/blocklist/notices/{authorization_id}.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, 404: {"description": "no such notice"}},
)
def get_notice(authorization_id: RowId, db: Session = REQUEST_DB) -> Response:
    """A block authorization's public notice to the industry (also once lifted)."""
    auth = db.get(models.EnforcementAction, authorization_id)
    if auth is None or auth.kind != EnforcementKind.BLOCK_AUTHORIZATION:
        raise HTTPException(404, "not found")
    return pdf_response(service.notice_pdf(auth), f"{service.reference_of(auth)}.pdf")
