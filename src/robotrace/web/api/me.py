"""``GET /api/v1/me``: who the credentials belong to."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from robotrace.web import access
from robotrace.web.api.errors import responses
from robotrace.web.deps import REQUEST_DB, current_principal
from robotrace.web.principal import Principal

router = APIRouter(tags=["account"])


class Me(BaseModel):
    email: str
    name: str
    role: Literal["admin", "coordinator", "regulator", "provider"]
    provider_key: str | None = Field(description="the provider a provider user belongs to")
    provider_name: str | None
    via: Literal["session", "token"]
    can_write: bool


@router.get("/me", response_model=Me, responses=responses())
def me(
    principal: Principal = Depends(current_principal),
    db: Session = REQUEST_DB,
) -> Me:
    """Your role, and for a provider user its provider (agents read their OCN here)."""
    key = principal.provider_key
    provider = access.provider_row(db, principal, key) if key else None
    return Me(
        email=principal.email,
        name=principal.name,
        role=principal.role.value,
        provider_key=principal.provider_key,
        provider_name=provider.business_name if provider else None,
        via=principal.via,
        can_write=principal.can_write,
    )
