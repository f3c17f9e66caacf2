"""One Trace Forward in the demo world: the coordinator imports the numbering report the
world's administrators publish, asks the carrier of the first traced campaign's local
call-back number whose it is, and the carrier answers from its own subscriber records.
Only the scoring reads ``truth.json``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from robotrace.clock import SimulatedClock
from robotrace.numbering.blocks import read_number_blocks
from robotrace.numbering.store import holder_of, import_blocks
from robotrace.settings import Settings
from robotrace.simulate.callbacks import NUMBER_BLOCKS_FILE, subscribers_of
from robotrace.store import models
from robotrace.store.db import transaction
from robotrace.traceforward.requests import Reply, answer, ask

ACTOR = "coordinator:demo"
#: How long the carrier takes to look the number up.
ANSWER_AFTER = timedelta(hours=3)


@dataclass(frozen=True)
class TraceForwardStory:
    campaign_id: str
    number: str
    carrier: str
    answer: str
    customer: str
    #: The customer truth.json gives the campaign with this call-back number.
    truth_customer: str | None
    asked_at: datetime

    @property
    def right(self) -> bool:
        return self.answer == "assigned" and self.customer == self.truth_customer


def run_trace_forward(
    engine: Engine,
    out: Path,
    campaign_ids: list[str],
    now: datetime,
    truth: dict[str, Any],
    settings: Settings,
) -> TraceForwardStory | None:
    """Trace the first call-back number the report places forward, asked by ``settings``;
    None when no traced campaign reads out a number any block holds (toll-free numbers
    only)."""
    clock = SimulatedClock(now)
    with transaction(engine) as session:
        import_blocks(session, read_number_blocks(out / NUMBER_BLOCKS_FILE), clock.now())
        found = _first_placed(session, campaign_ids)
        if found is None:
            return None
        campaign_id, number = found
        request = ask(session, campaign_id, number, ACTOR, clock, settings)
        carrier = session.get(models.Provider, request.provider_id)
        assert carrier is not None
        clock.advance(ANSWER_AFTER)
        customer = subscribers_of(out, carrier.key).get(request.number)
        reply = Reply("assigned", customer) if customer else Reply("not_assigned")
        answer(session, request, reply, f"provider:{carrier.key}", clock)
        return TraceForwardStory(
            campaign_id, request.number, carrier.key, reply.answer, reply.customer,
            _truth_customer(truth, request.number), now,
        )  # fmt: skip


def _first_placed(session: Any, campaign_ids: list[str]) -> tuple[str, str] | None:
    for campaign_id in campaign_ids:
        campaign = session.get(models.Campaign, campaign_id)
        for number in campaign.callback_numbers if campaign else []:
            if holder_of(session, number) is not None:
                return campaign_id, number
    return None


def _truth_customer(truth: dict[str, Any], number: str) -> str | None:
    for campaign in truth["campaigns"]:
        if campaign["callback_number"] == number and campaign.get("callback_holder"):
            return str(campaign["customer"])
    return None
