"""A Notification of Suspected Illegal Traffic in the simulated world (47 CFR 64.1200(n)).

Every provider has an answer to a notification about traffic it carried (``on_notification``
in ``truth.json``): the originating and gateway providers of campaigns ``blocks`` (the
identified traffic and substantially similar traffic) or ``ignores`` it; every other provider,
an intermediate or terminating one in a chain, ``names_upstream`` (says it is neither and
names the provider it got the calls from).

The simulator cannot know which notification a regulator will send. It picks one **subject**
from the seed — the gateway of a traceable foreign-origin campaign, one that keeps sending
after a warning letter when letters are simulated (the mandatory ladder follows the
permissive one) — adds a **variant** of that campaign (a second script of the same scam,
with the same customer, providers and call-back number: substantially similar traffic), and
acts as if the subject got a notification naming the base campaign at ``notifications_at``.
The subject answers as ``notified_response`` says — ``blocks``, ``ignores``, or
``blocks_named_only``: it blocks the calls of the named campaign and keeps carrying the
variant — and from the respond-by on the calls it blocks are not sent.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from robotrace.simulate.campaigns import Campaign, variant_campaign
from robotrace.simulate.letters import CONTINUES, STOPS
from robotrace.simulate.network import SimProvider

BLOCKS = "blocks"
BLOCKS_NAMED_ONLY = "blocks_named_only"
IGNORES = "ignores"
NAMES_UPSTREAM = "names_upstream"
#: How the notified provider may answer (``SimulationParams.notified_response``).
NOTIFIED_RESPONSES = (BLOCKS_NAMED_ONLY, BLOCKS, IGNORES)
#: How the other originating and gateway providers would answer, drawn from the seed.
CARRIER_RESPONSES = (BLOCKS, IGNORES)


@dataclass(frozen=True)
class Notice:
    """The notification the world reacts to: its subject, the campaign it names, the
    variant (not named, substantially similar) and how the subject answers."""

    provider: SimProvider
    campaign: Campaign
    variant: Campaign
    response: str

    def stopping(self) -> set[str]:
        """Ids of the campaigns the subject stops carrying at the respond-by."""
        if self.response == BLOCKS:
            return {self.campaign.id, self.variant.id}
        if self.response == BLOCKS_NAMED_ONLY:
            return {self.campaign.id}
        return set()


def plan_notice(
    rng: random.Random, campaigns: list[Campaign], letters: dict[str, str] | None, response: str
) -> Notice:
    """Pick the subject and build the variant (appended to ``campaigns`` by the caller).
    With ``letters`` (each provider's response to a letter) the subject is a gateway that
    continues after its letter; when none does, the one picked is made to continue."""
    foreign = [c for c in campaigns if c.traceable and c.gateway is not None]
    if not foreign:
        raise ValueError("no traceable campaign from abroad to notify its gateway about")
    continuing = [c for c in foreign if letters and letters[_gateway(c).key] == CONTINUES]
    base = rng.choice(continuing or foreign)
    if letters is not None:
        letters[_gateway(base).key] = CONTINUES
    variant = variant_campaign(rng, base, len(campaigns))
    return Notice(_gateway(base), base, variant, response)


def _gateway(campaign: Campaign) -> SimProvider:
    assert campaign.gateway is not None
    return campaign.gateway


def carriers(campaigns: list[Campaign]) -> list[SimProvider]:
    """The originating and gateway providers of the campaigns, in campaign order."""
    found: dict[str, SimProvider] = {}
    for campaign in campaigns:
        for provider in (campaign.origin, campaign.gateway):
            if provider is not None:
                found.setdefault(provider.key, provider)
    return list(found.values())


def choose_answers(
    rng: random.Random, providers: list[SimProvider], campaigns: list[Campaign], notice: Notice
) -> dict[str, str]:
    """Each provider's answer to a notification, by key (one draw per provider): carriers
    block or ignore — at least one of each among those besides the subject, when there are
    two or more — the others name their upstream; the subject answers as ``notice`` says."""
    drawn = {p.key: rng.choice(CARRIER_RESPONSES) for p in providers}
    others = [p for p in carriers(campaigns) if p.key != notice.provider.key]
    answers = {p.key: NAMES_UPSTREAM for p in providers}
    answers.update({p.key: drawn[p.key] for p in others})
    if len(others) >= 2 and len({answers[p.key] for p in others}) == 1:
        flipped = rng.choice(others).key
        answers[flipped] = IGNORES if answers[flipped] == BLOCKS else BLOCKS
    answers[notice.provider.key] = notice.response
    return answers


def notice_truth(notice: Notice, notifications_at: str, respond_by: str) -> dict[str, Any]:
    """The ``notification`` member of ``truth.json``."""
    return {
        "at": notifications_at,
        "respond_by": respond_by,
        "provider": notice.provider.key,
        "campaign": notice.campaign.id,
        "similar": [notice.variant.id],
        "response": notice.response,
    }


def campaign_notice_truth(campaign: Campaign, notice: Notice) -> dict[str, Any]:
    """The members ``truth.json`` adds to every campaign when a notification is simulated."""
    family = (notice.campaign.id, notice.variant.id)
    after = None
    if campaign.id in family:
        after = STOPS if campaign.id in notice.stopping() else CONTINUES
    calls, honeypot_calls = campaign.calls_since("after respond-by")
    return {
        "variant_of": campaign.variant_of,
        "after_notification": after,
        "calls_after_respond_by": calls,
        "honeypot_calls_after_respond_by": honeypot_calls,
    }
