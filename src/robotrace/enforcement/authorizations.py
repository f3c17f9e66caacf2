"""Block authorizations: the rules for issuing and lifting them, and the notice to industry.

Scopes:

- ``provider``: every downstream US provider may block **all** calls from the provider;
- ``numbers``: only calls from the named originator numbers (E.164) through it;
- ``no_direct_traffic``: the provider is absent from, or was removed from, the Robocall
  Mitigation Database, so US providers may not accept traffic **directly** from it.

``provider`` and ``numbers`` need a warning letter decided ``noncompliant``;
``no_direct_traffic`` needs none (the RMD listing is the regulator's finding).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from robotrace.enforcement.errors import EnforcementError, InvalidRequest
from robotrace.enforcement.letters import ProviderAddress, render_template, template_source, when
from robotrace.numbers import InvalidNumber, normalize

if TYPE_CHECKING:
    from robotrace.settings import Settings

ACTIVE = "active"
LIFTED = "lifted"


def step_reference(prefix: str, action_id: int) -> str:
    """A ladder step's reference: ``BA-000012`` (prefix BA, id 12)."""
    return f"{prefix}-{action_id:06d}"


class Scope(StrEnum):
    PROVIDER = "provider"
    NUMBERS = "numbers"
    NO_DIRECT_TRAFFIC = "no_direct_traffic"


@dataclass(frozen=True)
class ActiveAuthorization:
    id: int
    scope: str
    numbers: tuple[str, ...]


def normalized_numbers(scope: Scope, numbers: Iterable[str]) -> tuple[str, ...]:
    """The scope's numbers in E.164, sorted; only ``numbers`` takes (and needs) them."""
    given = [n for n in numbers if n.strip()]
    if scope is not Scope.NUMBERS:
        if given:
            raise InvalidRequest(f"scope {scope.value} takes no numbers")
        return ()
    if not given:
        raise InvalidRequest("scope numbers needs at least one originator number")
    try:
        return tuple(sorted({normalize(n) for n in given}))
    except InvalidNumber as exc:
        raise InvalidRequest(f"not a telephone number: {exc}") from None


def check_issuable(
    scope: Scope,
    numbers: tuple[str, ...],
    noncompliant_letter: int | None,
    active: Sequence[ActiveAuthorization],
) -> None:
    """Refuse an authorization the ladder does not allow, or one already in force."""
    if scope is not Scope.NO_DIRECT_TRAFFIC and noncompliant_letter is None:
        raise EnforcementError(
            "blocking needs a warning letter decided noncompliant for this provider"
        )
    for existing in active:
        if existing.scope == scope.value and tuple(existing.numbers) == numbers:
            raise EnforcementError(
                f"authorization {existing.id} with this scope is already in force"
            )


def check_liftable(status: str) -> None:
    if status != ACTIVE:
        raise EnforcementError(f"this authorization is {status}; only an active one can be lifted")


_SCOPE_TEXT = {
    Scope.PROVIDER: "Every US voice service provider is authorized to block all calls "
    "received from {name}, from the effective time below until this authorization is lifted.",
    Scope.NUMBERS: "Every US voice service provider is authorized to block all calls from the "
    "originating numbers listed below that reach it through {name}.",
    Scope.NO_DIRECT_TRAFFIC: "{name} is not listed in the Robocall Mitigation Database. US "
    "voice service providers may not accept traffic directly from it (47 CFR 64.6305).",
}

_TITLES = {
    Scope.PROVIDER: "Blocking authorized: all calls from {name}",
    Scope.NUMBERS: "Blocking authorized: named originator numbers through {name}",
    Scope.NO_DIRECT_TRAFFIC: "No direct traffic: {name}",
}


@dataclass(frozen=True)
class NoticeContent:
    reference: str
    provider: ProviderAddress
    agencies: Sequence[str]
    issued_at: datetime
    effective_at: datetime
    scope: Scope
    numbers: Sequence[str]
    reason: str
    letter_reference: str | None


def notice_context(content: NoticeContent, zone: str) -> dict[str, Any]:
    """The variables a notice template gets, its times written in ``zone``."""
    name = content.provider.name
    return {
        "notice": {
            "reference": content.reference,
            "issued_at": when(content.issued_at, zone),
            "effective_at": when(content.effective_at, zone),
            "scope": content.scope.value,
        },
        "title": _TITLES[content.scope].format(name=name),
        "scope_text": _SCOPE_TEXT[content.scope].format(name=name),
        "provider": vars(content.provider),
        "agencies": list(content.agencies),
        "numbers": list(content.numbers),
        "reason": content.reason,
        "letter_reference": content.letter_reference,
    }


def render_notice_html(
    content: NoticeContent, settings: Settings, template: str | None = None
) -> str:
    """The notice as HTML, its times in the ``display_zone``; ``template`` is template text
    (default: the ``block_notice_template`` setting's, else the shipped one)."""
    source = template or template_source(settings.block_notice_template, "block_notice.html")
    return render_template(source, notice_context(content, settings.display_zone))
