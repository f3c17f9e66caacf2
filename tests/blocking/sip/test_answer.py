"""What the redirect server answers, and how the answer is written and addressed."""

from __future__ import annotations

import pytest

from robotrace.blocking.model import Decision, Reason, Verdict
from robotrace.blocking.plus603 import Redress
from robotrace.blocking.sip import SipService, reason_header, reason_text
from robotrace.blocking.sip.answer import quoted_text
from robotrace.blocking.sip.message import parse_request
from robotrace.blocking.sip.responses import (
    build_response,
    reply_address,
    stamp_received,
    to_tag,
)

from .builders import CALLED, CALLING, NEXT_HOP, ScriptedDecider, invite, service

SOURCE = ("192.0.2.7", 5062)


def answer_to(data: bytes, decider: ScriptedDecider | None = None) -> bytes | None:
    request = parse_request(data)
    stamp_received(request, *SOURCE)
    response = service(decider).answer(request, SOURCE[0])
    return None if response is None else build_response(request, response)


def lines_of(wire: bytes | None) -> list[str]:
    assert wire is not None
    return wire.decode().split("\r\n")


def test_it_blocks_with_a_603_plus_naming_the_redress_and_the_authorization() -> None:
    """ATIS-1000099: status phrase Network Blocked; Reason with v=analytics1, the redress
    ways, the id and the location (RLN: the called party's network)."""
    lines = lines_of(answer_to(invite()))
    assert lines[0] == "SIP/2.0 603 Network Blocked"
    assert (
        'Reason: SIP;cause=603;text="v=analytics1;url=https://redress.example.org/blocks;'
        'email=redress@example.org;id=BA-004242";location=RLN'
    ) in lines
    assert (
        'Warning: 399 robotrace "provider_blocked: Acme Telecom is under a block '
        'authorization; authorization 4242"'
    ) in lines


def test_it_asks_the_decider_with_the_asserted_identity_and_the_trunk_group() -> None:
    decider = ScriptedDecider()
    answer_to(
        invite(extra=("P-Asserted-Identity: <tel:+13015550111>, <sip:x@y>", "Identity: eyJ.x.y")),
        decider,
    )
    (call,) = decider.asked
    assert (call.upstream, call.calling, call.called) == ("BAD1", "+13015550111", CALLED)
    assert call.identity == "eyJ.x.y"


def test_it_takes_the_calling_number_from_from_and_the_called_from_to_when_needed() -> None:
    decider = ScriptedDecider()
    answer_to(invite(uri="sip:gw.example.net"), decider)
    (call,) = decider.asked
    assert (call.upstream, call.calling, call.called) == ("", CALLING, CALLED)


def test_it_maps_the_upstream_through_the_injected_trunk_table() -> None:
    decider = ScriptedDecider()
    seen = []

    def upstream_of(ip: str, tgrp: str | None, context: str | None) -> str | None:
        seen.append((ip, tgrp, context))
        return None

    request = parse_request(invite())
    SipService(decider, NEXT_HOP, upstream_of).answer(request, "192.0.2.7")
    assert seen == [("192.0.2.7", "BAD1", "example.net")]
    assert decider.asked[0].upstream == ""


def test_it_redirects_an_allowed_call_to_the_next_hop() -> None:
    lines = lines_of(answer_to(invite(uri=f"sip:{CALLED}@192.0.2.1")))
    assert lines[0] == "SIP/2.0 302 Moved Temporarily"
    assert f"Contact: <sip:{CALLED}@{NEXT_HOP}>" in lines


def test_it_copies_via_from_to_call_id_and_cseq_and_adds_a_to_tag() -> None:
    data = invite(extra=("Via: SIP/2.0/TCP proxy.example;branch=z9hG4bKp, SIP/2.0/UDP 10.2.2.2",))
    lines = lines_of(answer_to(data))
    assert lines[1:7] == [
        "Via: SIP/2.0/UDP 192.0.2.7:5062;branch=z9hG4bK776asdhds",
        "Via: SIP/2.0/TCP proxy.example;branch=z9hG4bKp, SIP/2.0/UDP 10.2.2.2",
        'From: "Caller" <sip:+12025550143@192.0.2.7>;tag=1928301774',
        f"To: <sip:{CALLED}@192.0.2.1>;tag={to_tag(parse_request(data))}",
        "Call-ID: a84b4c76e66710@pc33.example.com",
        "CSeq: 314159 INVITE",
    ]
    assert lines[-3:] == ["Content-Length: 0", "", ""]


def test_it_keeps_an_existing_to_tag() -> None:
    data = invite().replace(b"192.0.2.1>\r\n", b"192.0.2.1>;tag=abc\r\n", 1)
    assert f"To: <sip:{CALLED}@192.0.2.1>;tag=abc" in lines_of(answer_to(data))


def test_it_gives_a_cancel_the_same_to_tag_as_its_invite() -> None:
    cancel = invite(method="CANCEL", cseq="314159 CANCEL")
    assert to_tag(parse_request(cancel)) == to_tag(parse_request(invite()))
    assert lines_of(answer_to(cancel))[0] == "SIP/2.0 200 OK"


@pytest.mark.parametrize(
    ("method", "status"),
    [("OPTIONS", "200 OK"), ("BYE", "405 Method Not Allowed"), ("FROB", "501 Not Implemented")],
)
def test_it_answers_other_methods_with_allow(method: str, status: str) -> None:
    lines = lines_of(answer_to(invite(method=method, cseq=f"1 {method}")))
    assert lines[0] == f"SIP/2.0 {status}"
    assert "Allow: INVITE, ACK, CANCEL, OPTIONS" in lines


def test_it_absorbs_ack() -> None:
    assert answer_to(invite(method="ACK", cseq="314159 ACK")) is None


@pytest.mark.parametrize(
    ("data", "warning"),
    [
        (invite(cseq="1 BYE"), "CSeq method differs"),
        (invite().replace(b"INVITE sip:", b"INVITE  sip:", 1), "unreadable request line"),
        (invite().replace(b"Max-Forwards: 70", b"Max Forwards 70"), "unreadable header line"),
        (invite().replace(b"From: ", b"X-From: "), "From or To missing"),
    ],
)
def test_it_answers_400_with_a_warning_when_it_can(data: bytes, warning: str) -> None:
    lines = lines_of(answer_to(data))
    assert lines[0] == "SIP/2.0 400 Bad Request"
    assert any(line.startswith("Warning: 399 robotrace") and warning in line for line in lines)


def test_it_stays_silent_when_a_response_could_not_be_addressed() -> None:
    assert answer_to(invite().replace(b"Call-ID:", b"X-Call-ID:")) is None
    assert answer_to(invite().replace(b"Via:", b"X-Via:")) is None
    assert answer_to(b"SIP/2.0 200 OK\r\n" + invite().split(b"\r\n", 1)[1]) is None


def test_it_answers_484_without_a_called_number() -> None:
    data = invite(uri="sip:gw.example.net").replace(f"<sip:{CALLED}@".encode(), b"<sip:")
    assert lines_of(answer_to(data))[0] == "SIP/2.0 484 Address Incomplete"


def test_it_answers_500_when_the_decider_fails() -> None:
    def broken(call: object) -> Decision:
        raise RuntimeError("no list")

    request = parse_request(invite())
    response = SipService(broken, NEXT_HOP).answer(request, SOURCE[0])
    assert response is not None and response.status == 500


def test_the_prose_cannot_break_out_of_its_quotes_or_line() -> None:
    decision = Decision(Verdict.BLOCK, Reason.NUMBER_BLOCKED, None, detail='a "b"\r\nX: y\\')
    assert reason_text(decision) == 'number_blocked: a "b"\r\nX: y\\'
    assert quoted_text(reason_text(decision)) == 'number_blocked: a \\"b\\" X: y\\\\'


def test_an_rmd_removal_names_its_order_as_the_id_and_in_the_prose() -> None:
    decision = Decision(
        Verdict.BLOCK,
        Reason.NO_DIRECT_TRAFFIC,
        None,
        Redress(tel="+12025550100"),
        "removed from the Robocall Mitigation Database (DA 25-694)",
        rmd_order="DA 25-694",
        reference="DA 25-694",
    )
    assert reason_header(decision, "TN") == (
        'SIP;cause=603;text="v=analytics1;tel=+12025550100;id=DA-25-694";location=TN'
    )
    assert reason_text(decision) == (
        "no_direct_traffic: removed from the Robocall Mitigation Database (DA 25-694); "
        "RMD removal order DA 25-694"
    )


def test_it_stamps_received_and_rport_and_replies_there() -> None:
    request = parse_request(invite(via="SIP/2.0/UDP pc33.example.com;rport;branch=z9hG4bK1"))
    stamp_received(request, "198.51.100.4", 40123)
    assert request.first("via") == (
        "SIP/2.0/UDP pc33.example.com;rport=40123;branch=z9hG4bK1;received=198.51.100.4"
    )
    assert reply_address(request, ("198.51.100.4", 40123)) == ("198.51.100.4", 40123)


def test_it_replies_to_the_sent_by_port_without_rport() -> None:
    request = parse_request(invite(via="SIP/2.0/UDP 192.0.2.7:5062;branch=z9hG4bK1"))
    stamp_received(request, "192.0.2.7", 33333)
    assert request.first("via") == "SIP/2.0/UDP 192.0.2.7:5062;branch=z9hG4bK1"
    assert reply_address(request, ("192.0.2.7", 33333)) == ("192.0.2.7", 5062)
    nat = parse_request(invite(via="SIP/2.0/UDP 10.0.0.5;branch=z9hG4bK1"))
    stamp_received(nat, "203.0.113.9", 33333)
    assert reply_address(nat, ("203.0.113.9", 33333)) == ("203.0.113.9", 5060)


@pytest.mark.parametrize(
    "via",
    [
        "SIP/2.0/UDP 192.0.2.7:5062;rport=70000;branch=z9hG4bK1",  # past 65535: OverflowError
        "SIP/2.0/UDP 192.0.2.7:5062;rport=0;branch=z9hG4bK1",
        "SIP/2.0/UDP 192.0.2.7:5062;rport=" + "9" * 40 + ";branch=z9hG4bK1",
    ],
)
def test_a_reply_port_out_of_range_goes_back_to_the_source(via: str) -> None:
    request = parse_request(invite(via=via))
    stamp_received(request, "192.0.2.7", 33333)
    assert reply_address(request, ("192.0.2.7", 33333)) == ("192.0.2.7", 33333)


def test_a_received_the_sender_wrote_never_sends_the_answer_elsewhere() -> None:
    # sent-by equals the source and no rport: nothing is stamped, so the sender's own
    # received= stays in the Via; answering there would reflect our answer to a third party.
    request = parse_request(
        invite(via="SIP/2.0/UDP 192.0.2.7;received=203.0.113.50;branch=z9hG4bK1")
    )
    stamp_received(request, "192.0.2.7", 33333)
    assert reply_address(request, ("192.0.2.7", 33333)) == ("192.0.2.7", 5060)
