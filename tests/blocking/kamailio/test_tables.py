"""The list as Kamailio's tables: keys by every name a trunk may carry, the 603+ value as
ATIS-1000099 writes it, numbers only in their provider's traffic, nothing not yet in force."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from robotrace.blocking.decide import Policy
from robotrace.blocking.kamailio.tables import (
    UnsupportedTrunkTable,
    count_key,
    parse_count_key,
    tables_for,
)
from robotrace.blocking.listfile import parse
from robotrace.blocking.plus603 import Redress
from robotrace.blocking.trunks import parse_trunks
from robotrace.enforcement.blocklist import json_body

from .builders import CRITICAL, SPOOFED, T0, entry, first_list, reason

NOW = datetime(2024, 1, 1, tzinfo=UTC)
POLICY = Policy(
    redress=Redress("https://redress.example.org/blocks", "+12025550100", "redress@example.org"),
    critical_callers=frozenset({CRITICAL}),
)
NO_TRUNKS = parse_trunks([])


def tables(entries=None, policy=POLICY, trunks=NO_TRUNKS, at=NOW):  # type: ignore[no-untyped-def]
    blocklist = parse(json_body(3, T0, entries if entries is not None else first_list()))
    return tables_for(blocklist, policy, trunks, at)


def test_a_provider_is_blocked_under_its_key_and_each_ocn_with_the_603_plus_value() -> None:
    block = tables().block
    assert block["p:BBBB"] == block["p:1234"] == reason("BA-000007")
    assert block["p:BBBB"] == (
        'SIP;cause=603;text="v=analytics1;url=https://redress.example.org/blocks;'
        'tel=+12025550100;email=redress@example.org;id=BA-000007";location=RLN'
    )


def test_a_number_is_blocked_only_in_the_traffic_of_its_provider() -> None:
    block = tables().block
    numbers = {key for key in block if key.startswith("n:")}
    assert numbers == {"n:CCCC:2025550188"}  # digits key of +1 202 555 0188
    assert block["n:CCCC:2025550188"] == reason("BA-000009")
    assert SPOOFED not in str(block)


def test_an_entry_not_in_force_yet_is_left_out_and_named_as_the_next_change() -> None:
    result = tables()
    assert "p:EEEE" not in result.block
    assert result.next_change == datetime(2999, 1, 1, tzinfo=UTC)
    assert "p:EEEE" in tables(at=datetime(2999, 1, 1, tzinfo=UTC)).block


def test_an_entrys_own_redress_wins_over_the_operators() -> None:
    own = entry("BBBB", "BA-000007", 7) | {"redress": {"email": "desk@bbbb-regulator.example"}}
    value = tables([own]).block["p:BBBB"]
    assert value == (
        'SIP;cause=603;text="v=analytics1;email=desk@bbbb-regulator.example;id=BA-000007";'
        "location=RLN"
    )


def test_each_blocked_key_counts_under_its_reason_and_authorization() -> None:
    why = tables().why
    assert why == {
        "p:BBBB": "provider_blocked|7|",
        "p:1234": "provider_blocked|7|",
        "n:CCCC:2025550188": "number_blocked|9|",
    }
    nd = entry("FFFF", "BA-000012", 12, scope="no_direct_traffic")
    assert tables([nd]).why["p:FFFF"] == "no_direct_traffic|12|"


def test_emergency_codes_and_critical_callers_are_always_allowed() -> None:
    allow = tables().allow
    # 911, 933 (911 test), 988 (crisis line) and the other N11 codes (47 CFR 64.1200(k)(5)).
    codes = {"911", "933", "988", "211", "311", "511", "611", "711", "811"}
    assert {f"to:{c}" for c in codes} <= set(allow)
    assert "from:3125550111" in allow


def test_the_trunk_table_becomes_address_tags_and_trunk_groups() -> None:
    trunks = parse_trunks(
        [
            {"source": "192.0.2.0/24", "ocn": "AAAA"},
            {"source": "192.0.2.7", "ocn": "BBBB"},
            {"source": "198.51.100.10", "trust_tgrp": "1"},
            {"tgrp": "tg-17", "trunk_context": "GW.example", "ocn": "CCCC"},
        ],
        tgrp_is_ocn=True,
    )
    result = tables(trunks=trunks)
    assert [(a.network, a.prefixlen, a.tag) for a in result.addresses] == [
        ("192.0.2.7", 32, "BBBB"),
        ("198.51.100.10", 32, "*"),
        ("192.0.2.0", 24, "AAAA"),
    ]
    assert result.groups["g:tg-17|gw.example"] == "CCCC"
    assert {"o:BBBB", "o:1234", "o:CCCC", "o:AAAA"} <= set(result.groups)


def test_a_network_with_trunk_groups_of_its_own_is_refused_by_name() -> None:
    trunks = parse_trunks([{"source": "203.0.113.5", "tgrp": "tg-g", "ocn": "GGGG"}])
    with pytest.raises(UnsupportedTrunkTable, match=r"203\.0\.113\.5"):
        tables(trunks=trunks)


def test_a_count_key_reads_back_and_junk_is_refused() -> None:
    assert parse_count_key(count_key("provider_blocked", 7, None)) == ("provider_blocked", 7, None)
    assert parse_count_key("final_order|12|3") == ("final_order", 12, 3)
    for junk in ("", "provider_blocked", "x|a|", "|1|2", "a|1|2|3"):
        with pytest.raises(ValueError):
            parse_count_key(junk)
