"""What a traceback found: each provider's role, and the originating, gateway and
non-cooperative providers of the call."""

from __future__ import annotations

from collections.abc import Mapping

from robotrace.clock import format_utc
from robotrace.traceback.model import Answer, HopRole, ProviderInfo, Role, SignerLead, Traceback


def _is_foreign(key: str, directory: Mapping[str, ProviderInfo]) -> bool:
    info = directory.get(key)
    return bool(info and info.foreign)


def roles_of(tb: Traceback, directory: Mapping[str, ProviderInfo]) -> tuple[HopRole, ...]:
    """Each asked provider's roles in the call, plus a foreign upstream named but not asked."""
    result = []
    for hop in tb.hops:
        roles: list[Role] = []
        if hop.position == 0:
            roles.append(Role.TERMINATING)
        if hop.answer is Answer.ORIGIN:
            roles.append(Role.ORIGINATING)
        foreign = _is_foreign(hop.provider, directory)
        if foreign:
            roles.append(Role.FOREIGN)
        elif (
            hop.answer is Answer.UPSTREAM and hop.upstream and _is_foreign(hop.upstream, directory)
        ):
            roles.append(Role.GATEWAY)
        if not roles:
            roles.append(Role.INTERMEDIATE)
        result.append(HopRole(hop.position, hop.provider, tuple(roles)))
    last = tb.current_hop
    asked = {h.provider for h in tb.hops}
    named = last.upstream if last and last.answer is Answer.UPSTREAM else None
    if named and named not in asked and _is_foreign(named, directory):
        result.append(HopRole(len(tb.hops), named, (Role.FOREIGN,)))
    return tuple(result)


def originating_provider_of(tb: Traceback) -> str | None:
    """The chain's origin; before the chain gets there, the signer that confirmed it."""
    last = tb.current_hop
    if last and last.answer is Answer.ORIGIN:
        return last.provider
    return tb.signer.provider if tb.signer and tb.signer.confirmed_origin else None


def customer_of(tb: Traceback) -> str | None:
    last = tb.current_hop
    if last and last.answer is Answer.ORIGIN:
        return last.customer
    return tb.signer.customer if tb.signer and tb.signer.confirmed_origin else None


def chain_ended(tb: Traceback) -> bool:
    """Whether the hop chain has gone as far as it will (whatever closed the traceback)."""
    last = tb.current_hop
    return last is not None and last.answer is not None and last.answer is not Answer.UPSTREAM


def signer_on_path(tb: Traceback) -> bool | None:
    """Whether the provider that signed the call is on the path the chain traced: None while
    the chain has not reached it and may still (or there is no signer)."""
    if tb.signer is None:
        return None
    traced = {h.provider for h in tb.hops} | {h.upstream for h in tb.hops if h.upstream}
    if tb.signer.provider in traced:
        return True
    return False if chain_ended(tb) else None


def signer_summary(signer: SignerLead | None) -> dict[str, object] | None:
    if signer is None:
        return None
    return {
        "provider": signer.provider,
        "attest": signer.attest,
        "origid": signer.origid,
        "requested_at": format_utc(signer.requested_at) if signer.requested_at else None,
        "answer": signer.answer.value if signer.answer else None,
        "answered_at": format_utc(signer.answered_at) if signer.answered_at else None,
        "upstream": signer.upstream,
        "customer": signer.customer,
    }


def gateway_provider_of(tb: Traceback, directory: Mapping[str, ProviderInfo]) -> str | None:
    """The US provider that took the call straight from a foreign one, if the chain shows it."""
    for hop_role in roles_of(tb, directory):
        if Role.GATEWAY in hop_role.roles:
            return hop_role.provider
    return None


def non_cooperative_of(tb: Traceback) -> list[str]:
    """Providers that refused, or never answered, their hop request in this traceback."""
    return [h.provider for h in tb.hops if h.answer in (Answer.REFUSED, Answer.NO_RESPONSE)]


def summary_of(tb: Traceback, directory: Mapping[str, ProviderInfo]) -> dict[str, object]:
    """The traceback as the JSON that ``robotrace trace`` prints (documented in docs/cli.md)."""
    roles = {r.position: r for r in roles_of(tb, directory)}
    hops: list[dict[str, object]] = []
    for hop in tb.hops:
        hop_roles = roles[hop.position]
        hops.append(
            {
                "provider": hop.provider,
                "answer": hop.answer.value if hop.answer else None,
                "role": hop_roles.role.value,
                "roles": [r.value for r in hop_roles.roles],
                "upstream": hop.upstream,
                "customer": hop.customer,
                "late": hop.late,
            }
        )
    return {
        "id": tb.id,
        "calling_number": tb.call.calling_number,
        "called_number": tb.call.called_number,
        "call_time": format_utc(tb.call.call_time),
        "terminating_provider": tb.terminating_provider,
        "outcome": tb.outcome.value if tb.outcome else None,
        "hops": hops,
        "originating_provider": originating_provider_of(tb),
        "gateway_provider": gateway_provider_of(tb, directory),
        "non_cooperative": non_cooperative_of(tb),
        "customer": customer_of(tb),
        "signer": signer_summary(tb.signer),
        "signer_on_path": signer_on_path(tb),
    }
