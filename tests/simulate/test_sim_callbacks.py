"""Call-back numbers for Trace Forward: a US-origin campaign's number is rented from a local
carrier, the numbering report says which, and the carrier's subscriber file names the
campaign's customer; the others stay toll-free (not in the NANP reports)."""

from __future__ import annotations

import csv

from robotrace.numbering.blocks import read_number_blocks

from .worlds import World


def test_every_local_call_back_number_is_in_its_holders_block(world: World):
    report = read_number_blocks(world.out / "number-blocks" / "allutlzd.txt")
    holder_of_code = {b.prefix: b.ocn for b in report.blocks}
    campaigns = world.truth["campaigns"]
    providers = world.truth["providers"]
    local = [c for c in campaigns if c["callback_holder"] is not None]
    assert local, "the world has a campaign with a US origin"
    for campaign in campaigns:
        digits = campaign["callback_number"][2:]
        if campaign["callback_holder"] is None:
            assert digits[:3] in {"800", "833", "844", "855", "866", "877", "888"}
            assert digits[:6] not in holder_of_code
        else:
            holder = providers[campaign["callback_holder"]]
            assert holder_of_code[digits[:6]] == holder["ocn"]
            assert not providers[campaign["originating_provider"]]["foreign"]


def test_the_holders_subscriber_file_names_the_campaigns_customer(world: World):
    with (world.out / "subscribers.csv").open(newline="") as stream:
        rows = {(r["carrier"], r["number"]): r["customer"] for r in csv.DictReader(stream)}
    expected = {
        (c["callback_holder"], c["callback_number"]): c["customer"]
        for c in world.truth["campaigns"]
        if c["callback_holder"] is not None
    }
    assert rows == expected
