"""STIR/SHAKEN accountability per signer: which signatures a signer's certificate put on
calls that it should not have (docs/shaken.md#accountability-per-signer).

Plain functions over data; :mod:`robotrace.stats.shaken` reads the store and writes the
export. Each signature counts against the certificate's Service Provider Code (SPC), the
signer whatever the caller ID says, for these reasons:

- ``invalid_caller_id``, ``unassigned_caller_id``, ``dno_caller_id``: a verified A or B
  attestation on a call whose caller ID cannot be assigned (NANP rules), lies in an area
  code the imported number blocks cover but in no block of it, or is on the Do-Not-Originate
  list. A and B both say the signer knows its customer (ATIS-1000074); A adds that the
  customer may use the number. Nobody may use such a number.
- ``over_attestation``: an A or B signature on a call that the traceback shows originated
  at another provider while the signer carried it (on the traced path, or by its own answer
  that it had the call from upstream), or before the third-party rule, a signature the
  traced path never passed. A and B are for the provider that originated the call.
- ``not_own_certificate``: on a call made on or after 18 September 2025, the effective date
  of the FCC's third-party authentication rules (FCC 24-120), a signature under a
  certificate whose provider the traced path never passed, on a call that the traceback
  shows another provider originated: that provider's calls must carry its own certificate,
  whoever performs the signing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from robotrace.clock import as_utc, format_utc
from robotrace.numbering.nanp import NanpRules, number_problem
from robotrace.numbers import match_key

INVALID = "invalid_caller_id"
UNASSIGNED = "unassigned_caller_id"
DNO = "dno_caller_id"
OVER_ATTESTATION = "over_attestation"
NOT_OWN_CERTIFICATE = "not_own_certificate"
#: Every reason, in the order the page, the CLI and the export show them.
REASONS = (INVALID, UNASSIGNED, DNO, OVER_ATTESTATION, NOT_OWN_CERTIFICATE)
#: A line each, for people.
REASON_TEXT = {
    INVALID: "A/B on a caller ID that cannot be assigned",
    UNASSIGNED: "A/B on a caller ID in no assigned number block",
    DNO: "A/B on a caller ID on the Do-Not-Originate list",
    OVER_ATTESTATION: "A/B on a call another provider originated",
    NOT_OWN_CERTIFICATE: "signed under a certificate not the originating provider's",
}
#: The day the FCC's third-party authentication rules took effect (90 FR 40241, FCC 24-120).
THIRD_PARTY_RULE = datetime(2025, 9, 18, tzinfo=UTC)
FULL_OR_PARTIAL = frozenset({"A", "B"})

#: ``assigned(number)``: True when its block is assigned, False when the imported blocks
#: cover its area code and none holds it, None when nothing can be said.
Assigned = Callable[[str], bool | None]


@dataclass(frozen=True)
class SignedCall:
    """A stored call whose Identity header verified."""

    call_id: int
    call_time: datetime
    calling_number: str
    attest: str
    spc: str
    origid: str | None = None


@dataclass(frozen=True)
class TracedSignature:
    """A traceback of a signed call, as far as it tells who originated the call."""

    traceback_id: str
    call_time: datetime
    calling_number: str
    attest: str
    spc: str
    signer: str  # the provider key the SPC names
    originating: str | None  # the provider the traceback shows originated it (or foreign)
    signer_on_path: bool | None
    signer_named_upstream: str | None = None  # the signer's direct answer: from upstream
    call_id: int | None = None
    origid: str | None = None


@dataclass
class Evidence:
    """One call that counts against a signer, and why (a row of the export)."""

    spc: str
    call_id: int | None
    traceback_id: str | None
    call_time: datetime
    calling_number: str
    attest: str
    origid: str | None
    originating: str | None = None
    reasons: list[str] = field(default_factory=list)
    why: list[str] = field(default_factory=list)

    def add(self, reason: str, why: str) -> None:
        if reason not in self.reasons:
            self.reasons.append(reason)
            self.why.append(why)

    def as_dict(self) -> dict[str, object]:
        return {
            "call_id": self.call_id,
            "traceback_id": self.traceback_id,
            "call_time": format_utc(self.call_time),
            "calling_number": self.calling_number,
            "attest": self.attest,
            "origid": self.origid,
            "originating_provider": self.originating,
            "reasons": list(self.reasons),
            "why": "; ".join(self.why),
        }


@dataclass
class SignerRecord:
    """A signer's figures: its verified A/B signatures, its traced signatures, and the
    calls that count against it."""

    spc: str
    provider: str | None = None
    provider_name: str | None = None
    signed_ab: int = 0
    traced: int = 0
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {r: sum(r in e.reasons for e in self.evidence) for r in REASONS}

    @property
    def flagged(self) -> int:
        return len(self.evidence)

    def as_dict(self, with_evidence: bool = True) -> dict[str, object]:
        found: dict[str, object] = {
            "spc": self.spc,
            "provider": self.provider,
            "provider_name": self.provider_name,
            "signed_ab": self.signed_ab,
            "traced": self.traced,
            "flagged": self.flagged,
            "counts": self.counts,
        }
        if with_evidence:
            found["evidence"] = [e.as_dict() for e in self.evidence]
        return found


def caller_id_findings(
    number: str, dno: frozenset[str], assigned: Assigned, rules: NanpRules | None = None
) -> list[tuple[str, str]]:
    """Why an A/B-signed caller ID ``number`` counts: ``(reason, why)`` pairs."""
    found = []
    kind, problem = number_problem(number, rules or NanpRules())
    if kind == "empty":
        problem = "no calling number"
    if problem:
        found.append((INVALID, f"caller ID {number!r} cannot be assigned: {problem}"))
    elif kind == "nanp" and assigned(number) is False:
        found.append((UNASSIGNED, f"caller ID {number} is in no assigned NPA-NXX block"))
    if dno and match_key(number) in dno:
        found.append((DNO, f"caller ID {number} is on the Do-Not-Originate list"))
    return found


def traceback_findings(traced: TracedSignature) -> list[tuple[str, str]]:
    """Why a traced signature counts: ``(reason, why)`` pairs (none when the traceback
    shows the signer originated the call, or does not show who did)."""
    signer, origin, ab = traced.signer, traced.originating, traced.attest in FULL_OR_PARTIAL
    after_rule = as_utc(traced.call_time) >= THIRD_PARTY_RULE
    if ab and traced.signer_named_upstream:
        why = f"{signer} answered that it received the call from {traced.signer_named_upstream}"
        return [(OVER_ATTESTATION, f"signed {traced.attest}, but {why}")]
    if origin is None or origin == signer:
        return []
    if traced.signer_on_path is True and ab:
        why = f"{signer} carried the call, which {origin} originated ({traced.traceback_id})"
        return [(OVER_ATTESTATION, f"signed {traced.attest}, but {why}")]
    if traced.signer_on_path is not False:
        return []
    if after_rule:
        why = (
            f"signed {traced.attest} under {signer}'s certificate (SPC {traced.spc}); the "
            f"call came from {origin} and never passed {signer} ({traced.traceback_id})"
        )
        return [(NOT_OWN_CERTIFICATE, why)]
    if ab:
        why = f"{origin} originated the call and the path never passed {signer}"
        return [(OVER_ATTESTATION, f"signed {traced.attest}, but {why} ({traced.traceback_id})")]
    return []


def accountability(
    calls: Iterable[SignedCall],
    traced: Iterable[TracedSignature],
    dno: frozenset[str],
    assigned: Assigned,
    providers_by_spc: Mapping[str, tuple[str, str]] | None = None,
    rules: NanpRules | None = None,
) -> list[SignerRecord]:
    """Every signer's record, those with the most calls against them first."""
    records: dict[str, SignerRecord] = {}
    by_call: dict[tuple[str, int], Evidence] = {}

    def record(spc: str) -> SignerRecord:
        if spc not in records:
            key, name = (providers_by_spc or {}).get(spc, (None, None))
            records[spc] = SignerRecord(spc, key, name)
        return records[spc]

    for call in calls:
        if call.attest not in FULL_OR_PARTIAL:
            continue
        signer = record(call.spc)
        signer.signed_ab += 1
        for reason, why in caller_id_findings(call.calling_number, dno, assigned, rules):
            _evidence(signer, by_call, call.call_id, call).add(reason, why)
    for tb in traced:
        signer = record(tb.spc)
        signer.traced += 1
        for reason, why in traceback_findings(tb):
            found = _evidence(signer, by_call, tb.call_id, tb)
            found.traceback_id, found.originating = tb.traceback_id, tb.originating
            found.add(reason, why)
    for signer in records.values():
        signer.evidence.sort(key=lambda e: (as_utc(e.call_time), e.call_id or 0))
    return sorted(records.values(), key=lambda r: (-r.flagged, r.spc))


def _evidence(
    signer: SignerRecord,
    by_call: dict[tuple[str, int], Evidence],
    call_id: int | None,
    source: SignedCall | TracedSignature,
) -> Evidence:
    """The signer's row for this call, made on first use (a call found by both its caller ID
    and its traceback is one row with both reasons)."""
    if call_id is not None and (signer.spc, call_id) in by_call:
        return by_call[(signer.spc, call_id)]
    found = Evidence(
        signer.spc,
        call_id,
        None,
        source.call_time,
        source.calling_number,
        source.attest,
        source.origid,
    )
    signer.evidence.append(found)
    if call_id is not None:
        by_call[(signer.spc, call_id)] = found
    return found
