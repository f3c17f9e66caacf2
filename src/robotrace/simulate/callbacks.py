"""Call-back numbers a carrier can be asked about (Trace Forward), and the numbering
administrators' report of who holds each block.

A campaign that starts in the US reads out a local number its scammer rents from a local
carrier of the world (one with an OCN: every block holder has one); the other campaigns keep
their toll-free numbers, which the NANP reports do not cover (toll-free numbers are
administered through the RespOrgs' registry). The simulator writes:

- ``number-blocks/allutlzd.txt``: every block of the world's local carriers, as NANPA's
  central office code assignment records lay them out (robotrace.numbering.blocks reads it);
- ``subscribers.csv``: which customer each rented call-back number is assigned to, by
  carrier — each carrier's own subscriber records, that it answers Trace Forward from.

``truth.json`` names each campaign's ``callback_holder``.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

from robotrace.simulate.campaigns import Campaign
from robotrace.simulate.network import HONEYPOT_LINE_START, Network, SimProvider
from robotrace.simulate.numbering import NPA_PLACES

NUMBER_BLOCKS_FILE = Path("number-blocks") / "allutlzd.txt"
SUBSCRIBERS_FILE = "subscribers.csv"
CODES_HEADER = (
    "State", "NPA-NXX", "OCN", "Company", "RateCenter", "EffectiveDate", "Use", "AssignDate",
    "Initial/Growth", "Pooled Code",
)  # fmt: skip


def holders(network: Network) -> list[SimProvider]:
    """Local carriers with an OCN and blocks, in the world's order."""
    return [p for p in network.of_kind("local") if p.ocn and p.blocks]


def rent_local_callbacks(rng: random.Random, campaigns: list[Campaign], network: Network) -> None:
    """Give each campaign with a US origin a local call-back number in a block of a local
    carrier (``callback_holder``)."""
    carriers = holders(network)
    for campaign in campaigns:
        if campaign.origin.foreign or not carriers:
            continue
        carrier = rng.choice(carriers)
        block = rng.choice(carrier.blocks)
        campaign.callback = f"{block}{rng.randrange(HONEYPOT_LINE_START):04d}"
        campaign.callback_holder = carrier


def write_number_blocks(out: Path, network: Network) -> Path:
    """The world's blocks in NANPA's layout (tab-separated, assigned: ``AS``)."""
    path = out / NUMBER_BLOCKS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["\t".join(CODES_HEADER)]
    for block, owner in sorted(network.block_owner.items()):
        if not owner.ocn:
            continue
        city, state = NPA_PLACES.get(block[:3], ("", ""))
        cells = [state, f"{block[:3]}-{block[3:]}", owner.ocn, owner.record.business_name]
        cells += [city.upper(), "01/01/2010", "AS", "01/01/2010", "I", "N"]
        lines.append("\t".join(cells))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_subscribers(out: Path, campaigns: list[Campaign]) -> Path:
    """``carrier, number, customer`` for each rented call-back number (E.164)."""
    path = out / SUBSCRIBERS_FILE
    rows = {
        (c.callback_holder.key, "+1" + c.callback, c.customer)
        for c in campaigns
        if c.callback_holder is not None
    }
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["carrier", "number", "customer"])
        writer.writerows(sorted(rows))
    return path


def subscribers_of(out: Path, carrier: str) -> dict[str, str]:
    """One carrier's own subscriber records: number → customer."""
    with (out / SUBSCRIBERS_FILE).open(newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    return {r["number"]: r["customer"] for r in rows if r["carrier"] == carrier}
