"""The agent's loop: fetch open hop requests (and direct requests to its provider as a call's
STIR/SHAKEN signer), search own records, post answers, remember.

Only the answer leaves the machine: answer, upstream OCN or customer, and a note naming the
matched leg's SIP Call-ID and time offset. The records themselves stay local. A request whose
matching call came in on a trunk the provider's trunk map does not map is not answered at all
(never a guess): it is logged, listed at the end of a ``--once`` run, and makes its exit 3.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from robotrace.agent.batches import BatchAnswerer, open_batch_ids
from robotrace.agent.client import PortalClient, PortalRefused, PortalUnavailable
from robotrace.agent.state import AnsweredRequests
from robotrace.cdr.trunkmap import Upstream
from robotrace.clock import parse_utc
from robotrace.providers.identity import readings_of
from robotrace.traceback.answerer import Answerer, HopRequest, UnmappedTrunk
from robotrace.traceback.workflow import Reply

_LOG = logging.getLogger("robotrace.agent")


def hop_request_of(item: dict[str, Any], provider: str) -> HopRequest:
    """The API's hop request as the answerers take it (the API never gives a traceback id)."""
    return HopRequest(
        traceback_id=f"hop-request-{item['id']}",
        provider=provider,
        calling_number=item["calling_number"] or "",
        called_number=item["called_number"],
        call_time=parse_utc(item["call_time"]),
        due_at=parse_utc(item["due_at"]),
    )


def body_of(reply: Reply, upstreams: Mapping[str, Upstream] | None = None) -> dict[str, Any]:
    """The JSON body of ``POST /hop-requests/{id}/answer`` for ``reply``; ``upstreams``: the
    trunk map's upstreams, by the identifier our records hold, which name them fully."""
    body: dict[str, Any] = {"answer": reply.answer.value, "note": reply.note}
    named = (upstreams or {}).get(reply.upstream or "")
    if reply.upstream and (named is None or readings_of(reply.upstream)):
        body["upstream"] = reply.upstream  # a name alone goes in new_provider only
    if reply.customer:
        body["customer"] = reply.customer
    body.update(_received_and_action(reply))
    if reply.new_provider is not None and reply.upstream:
        # Our records name the upstream by an identifier (or the trunk map by its name); the
        # portal finds the provider that holds one, or registers one under it.
        body["new_provider"] = named.new_provider() if named else new_provider_body(reply.upstream)
    return body


def _received_and_action(reply: Reply) -> dict[str, str]:
    """What the call arrived with of STIR/SHAKEN and an origin's action, where known."""
    said = {
        "received_attest": reply.received_attest,
        "received_signer": reply.received_signer,
        "origin_action": reply.origin_action.value if reply.origin_action else None,
    }
    return {key: value for key, value in said.items() if value}


def new_provider_body(identifier: str) -> dict[str, str]:
    """``new_provider`` for an upstream our records know by ``identifier`` alone."""
    body = {"name": f"provider {identifier}"}
    fields = {"ocn": "ocn", "rmd": "rmd_number", "frn": "frn"}
    for kind, value in readings_of(identifier):
        if kind in fields:
            body[fields[kind]] = value
            break
    return body


def signer_request_of(item: dict[str, Any], provider: str) -> HopRequest:
    """The API's direct request to the signer as the answerers take it (with its origid)."""
    return replace(
        hop_request_of(item, provider),
        traceback_id=f"signer-request-{item['id']}",
        origid=item.get("origid"),
    )


def signer_body_of(reply: Reply) -> dict[str, Any]:
    """The JSON body of ``POST /signer-requests/{id}/answer`` for ``reply`` (the portal
    knows the upstream or not; a direct request registers no provider)."""
    body: dict[str, Any] = {"answer": reply.answer.value, "note": reply.note}
    if reply.upstream:
        body["upstream"] = reply.upstream
    if reply.customer:
        body["customer"] = reply.customer
    return body


def _said(reply: Reply) -> str:
    told = reply.upstream or reply.customer
    return f"{reply.answer.value} {told}" if told else reply.answer.value


@dataclass
class Agent:
    """One provider's agent: its portal client, its answerer, and its memory."""

    client: PortalClient
    answerer: Answerer
    provider: str
    answered: AnsweredRequests = field(default_factory=AnsweredRequests)
    log: Callable[[str], None] = _LOG.info
    rejected: set[int] = field(default_factory=set)
    signer_answered: set[int] = field(default_factory=set)
    signer_rejected: set[int] = field(default_factory=set)
    #: The trunk map's upstreams (``robotrace.cdr.trunkmap``), for ``new_provider``.
    upstreams: Mapping[str, Upstream] = field(default_factory=dict)
    #: Requests not answered because their call came in on an unmapped trunk: what and why.
    unmapped: dict[str, str] = field(default_factory=dict)
    #: Answers batch requests from the provider's records; None: batches are left alone.
    batches: BatchAnswerer | None = None

    def poll_all(self) -> None:
        """Catch up: answer every open request of every kind not answered before."""
        self.poll()
        self.poll_signer()
        self.poll_batches()

    def poll_batches(self) -> list[int]:
        """Answer every open batch request (federated bulk tracing) not answered before, from
        the same records (``robotrace.agent.batches``); returns the ids done now."""
        if self.batches is None:
            return []
        done = []
        for batch_id in open_batch_ids(self.client):
            if batch_id in self.answered.batches:
                continue
            if self.batches.answer(self.client, batch_id):
                self.answered.add_batch(batch_id)
                done.append(batch_id)
        return done

    def poll(self) -> list[int]:
        """Answer every open request not answered before; returns the ids answered now."""
        done = []
        for item in self.client.open_requests():
            hop_id = int(item["id"])
            if hop_id in self.answered or hop_id in self.rejected:
                continue
            if f"hop request {hop_id}" in self.unmapped:
                continue
            if self.handle(item):
                done.append(hop_id)
        return done

    def handle(self, item: dict[str, Any]) -> bool:
        hop_id = int(item["id"])
        reply = self._reply(f"hop request {hop_id}", hop_request_of(item, self.provider))
        if reply is None:
            return False
        response = self.client.answer(hop_id, body_of(reply, self.upstreams))
        if response.status_code == 200:
            self.answered.add(hop_id)
            self.log(f"hop request {hop_id}: answered {_said(reply)} ({reply.note})")
            return True
        if response.status_code == 409:
            self.answered.add(hop_id)
            self.log(f"hop request {hop_id}: answered already, skipped ({_detail(response)})")
            return False
        if response.status_code in (401, 403):
            raise PortalRefused(f"answer refused: {response.status_code} {_detail(response)}")
        self.rejected.add(hop_id)
        self.log(f"hop request {hop_id}: portal said {response.status_code} {_detail(response)}")
        return False

    def poll_signer(self) -> list[int]:
        """Answer every open direct request to this provider as the call's signer, from the
        same records (remembered in memory: once answered, the portal lists it no more)."""
        done = []
        for item in self.client.open_signer_requests():
            request_id = int(item["id"])
            if request_id in self.signer_answered or request_id in self.signer_rejected:
                continue
            if f"direct request {request_id}" in self.unmapped:
                continue
            if self.handle_signer(item):
                done.append(request_id)
        return done

    def handle_signer(self, item: dict[str, Any]) -> bool:
        request_id = int(item["id"])
        what = f"direct request {request_id} (origid {item.get('origid')})"
        reply = self._reply(what, signer_request_of(item, self.provider))
        if reply is None:
            return False
        response = self.client.answer_signer(request_id, signer_body_of(reply))
        if response.status_code in (200, 409):  # 409: answered already, or closed
            self.signer_answered.add(request_id)
            if response.status_code == 409:
                self.log(f"{what}: skipped ({_detail(response)})")
                return False
            self.log(f"{what}: answered {_said(reply)} ({reply.note})")
            return True
        if response.status_code in (401, 403):
            raise PortalRefused(f"answer refused: {response.status_code} {_detail(response)}")
        self.signer_rejected.add(request_id)
        self.log(f"{what}: portal said {response.status_code} {_detail(response)}")
        return False

    def _reply(self, what: str, request: HopRequest) -> Reply | None:
        """The answerer's reply; None (logged) where it gives none or the call came in on an
        unmapped trunk — then the request is left alone until the agent restarts."""
        try:
            reply = self.answerer.answer(request)
        except UnmappedTrunk as exc:
            key = what.split(" (")[0]
            self.unmapped[key] = str(exc)
            self.log(f"{what}: not answered: {exc}")
            return None
        if reply is None:
            self.log(f"{what}: no answer given")
        return reply

    def run(
        self, interval: float, once: bool = False, sleep: Callable[[float], None] = time.sleep
    ) -> int:
        """Poll every ``interval`` seconds (once with ``once``); returns an exit status: 1
        when the portal stayed unreachable, 3 when a call came in on an unmapped trunk."""
        while True:
            try:
                self.poll_all()
            except PortalUnavailable as exc:
                self.log(f"portal unavailable: {exc}")
                if once:
                    return 1
            if once:
                return self._summary()
            sleep(interval)

    def _summary(self) -> int:
        if not self.unmapped:
            return 0
        self.log(f"{len(self.unmapped)} request(s) not answered: unmapped trunks")
        for what, why in sorted(self.unmapped.items()):
            self.log(f"  {what}: {why}")
        return 3


def _detail(response: Any) -> str:
    try:
        return str(response.json().get("detail", ""))
    except ValueError:
        return str(response.text)[:200]
