"""Trunk maps: read and checked where they enter, and the first matching entry wins."""

from __future__ import annotations

import pytest

from robotrace.cdr.trunkmap import Ingress, parse_source, parse_trunk_map
from robotrace.rows import BadRowsError

MAP = """\
provider = "term"
time_zone = "America/New_York"

[[trunk]]
source = "192.0.2.10:5060"
customer = "Acme Dialer LLC"

[[trunk]]
source = "192.0.2.0/24"
upstream = "1234"

[[trunk]]
source = "2001:db8::/32"
upstream = { name = "Carrier V6 Inc", rmd = "rmd0001234" }

[[trunk]]
trunk = "carrier-b"
upstream = "RMD0004008"

[[trunk]]
accountcode = "acme"
customer = "  Acme   Dialer LLC "
"""


def routed(ingress: Ingress) -> str | None:
    entry, problem = parse_trunk_map(MAP).route(ingress)
    assert problem == ""
    if entry is None:
        return None
    return entry.upstream.label if entry.upstream else f"customer {entry.customer}"


def errors_of(text: str) -> list[str]:
    with pytest.raises(BadRowsError) as caught:
        parse_trunk_map(text, "trunks.toml")
    return [str(e) for e in caught.value.errors]


def test_the_map_names_its_provider_and_zone() -> None:
    trunks = parse_trunk_map(MAP)
    assert (trunks.provider, trunks.time_zone, len(trunks.entries)) == (
        "TERM",
        "America/New_York",
        5,
    )


@pytest.mark.parametrize(
    ("ingress", "expected"),
    [
        (Ingress(source="192.0.2.10:5060"), "customer Acme Dialer LLC"),  # first entry wins
        (Ingress(source="192.0.2.10:5080"), "1234"),  # another port: only the network
        (Ingress(source="192.0.2.10"), "1234"),  # no port recorded: the port entry can't say
        (Ingress(source="192.0.2.255"), "1234"),
        (Ingress(source="192.0.3.1:5060"), None),
        (Ingress(source="[2001:db8::7]:5060"), "RMD0001234"),
        (Ingress(source="2001:db8:ffff::1"), "RMD0001234"),
        (Ingress(source="2001:db9::1"), None),
        (Ingress(trunk="carrier-b"), "RMD0004008"),
        (Ingress(trunk="Carrier-B"), None),  # trunk names are exact
        (Ingress(trunk="carrier-x", accountcode="acme"), "customer Acme Dialer LLC"),
        (Ingress(), None),
    ],
)
def test_each_ingress_goes_to_the_first_entry_that_matches(
    ingress: Ingress, expected: str | None
) -> None:
    assert routed(ingress) == expected


def test_an_unreadable_source_is_a_problem_not_a_match() -> None:
    entry, problem = parse_trunk_map(MAP).route(Ingress(source="sbc-1.example.net"))
    assert entry is None
    assert problem == "source 'sbc-1.example.net' is not an IP address (optionally :port)"


@pytest.mark.parametrize(
    ("text", "address", "port"),
    [
        ("192.0.2.7", "192.0.2.7", None),
        ("192.0.2.7:5060", "192.0.2.7", 5060),
        ("2001:db8::7", "2001:db8::7", None),
        ("[2001:db8::7]:5061", "2001:db8::7", 5061),
    ],
)
def test_sources_are_read_with_or_without_a_port(text: str, address: str, port: int | None) -> None:
    found, found_port, problem = parse_source(text)
    assert (str(found), found_port, problem) == (address, port, "")


def test_a_port_out_of_range_is_refused() -> None:
    assert (
        parse_source("192.0.2.7:70000")[2] == "source '192.0.2.7:70000' has no valid port (1-65535)"
    )


def test_labels_name_every_recorded_part_of_the_ingress() -> None:
    assert (
        Ingress(trunk="carrier-a", accountcode="acme").label == "trunk=carrier-a accountcode=acme"
    )
    assert Ingress().label == "(no ingress recorded)"


def test_the_upstream_is_named_to_the_portal_with_every_identifier() -> None:
    upstreams = parse_trunk_map(MAP).upstreams
    assert upstreams["RMD0001234"].new_provider() == {
        "name": "Carrier V6 Inc",
        "rmd_number": "RMD0001234",
    }
    # A bare identifier is read as the agent reads one: its first reading, an OCN here.
    assert upstreams["1234"].new_provider() == {"name": "provider 1234", "ocn": "1234"}


def test_every_problem_is_reported_with_its_line() -> None:
    text = """\
provider = "te rm"
time_zone = "Mars/Olympus"
colour = "blue"

[[trunk]]
source = "192.0.2.1/24"
upstream = "1234"

[[trunk]]
trunk = "a"
accountcode = "b"
customer = "C"

[[trunk]]
trunk = "d"
upstream = "Carrier D"

[[trunk]]
tgrp = "e"
upstream = { ocn = "12" }

[[trunk]]
tgrp = "f"
customer = ""
upsteam = "1234"

[[trunk]]
accountcode = "g"
customer = "G"

[[trunk]]
accountcode = "g"
customer = "H"
"""
    assert errors_of(text) == [
        "trunks.toml:1: provider: 'te rm' is not a provider key "
        "(2 to 32 letters, digits and hyphens)",
        "trunks.toml:2: time_zone 'Mars/Olympus' is not an IANA time zone (e.g. America/New_York)",
        "trunks.toml:3: unknown setting 'colour'",
        "trunks.toml:6: source: 192.0.2.1/24 has host bits set",
        "trunks.toml:9: [[trunk]]: needs exactly one of source, trunk, tgrp, accountcode (has 2)",
        "trunks.toml:16: upstream: 'Carrier D' is not an OCN, RMD number, FRN or provider key "
        '(name a provider by name: upstream = { name = "…" })',
        "trunks.toml:20: upstream: ocn: '12' is not an OCN (3 to 8 letters and digits)",
        "trunks.toml:22: [[trunk]]: unknown key 'upsteam'",
        "trunks.toml:31: [[trunk]]: accountcode 'g' is mapped already at line 27",
    ]


def test_a_toml_syntax_error_names_its_line() -> None:
    assert errors_of('provider = "TERM"\n[[trunk]\nsource = "x"\n') == [
        "trunks.toml:2: not TOML: Expected ']]' at the end of an array declaration "
        "(at line 2, column 8)"
    ]
