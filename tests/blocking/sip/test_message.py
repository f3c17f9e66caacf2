"""Reading SIP requests: compact and folded headers, URIs, and whatever is wrong with them."""

from __future__ import annotations

from robotrace.blocking.sip.address import address_params, sent_by, split_values, uri_of, user_part
from robotrace.blocking.sip.message import parse_request

from .builders import CALLED, invite


def test_it_reads_the_request_line_and_headers_in_order() -> None:
    request = parse_request(invite())
    assert (request.method, request.problems) == ("INVITE", [])
    assert request.uri.startswith(f"sip:{CALLED};tgrp=")
    assert [name for name, _ in request.headers][:3] == ["via", "max-forwards", "from"]
    assert request.cseq == (314159, "INVITE")


def test_it_reads_compact_header_names_as_their_full_names() -> None:
    data = (
        b"OPTIONS sip:host SIP/2.0\r\nv: SIP/2.0/UDP a;branch=z9hG4bK1\r\nf: <sip:a@b>;tag=1\r\n"
        b"t: <sip:c@d>\r\ni: abc\r\nCSeq: 1 OPTIONS\r\ny: eyJhbGci\r\nl: 0\r\n\r\n"
    )
    request = parse_request(data)
    assert request.first("Via") == "SIP/2.0/UDP a;branch=z9hG4bK1"
    assert request.first("call-id") == "abc"
    assert request.first("identity") == "eyJhbGci"
    assert request.first("To") == "<sip:c@d>"


def test_it_joins_folded_header_lines() -> None:
    data = invite(extra=("Subject: I know you're there,\r\n     pick up the phone",))
    assert parse_request(data).first("subject") == "I know you're there, pick up the phone"


def test_it_keeps_every_via_in_order() -> None:
    data = invite(extra=("Via: SIP/2.0/TCP 10.1.1.1;branch=z9hG4bKb, SIP/2.0/UDP 10.2.2.2",))
    vias = parse_request(data).all("via")
    assert len(vias) == 2
    assert split_values(vias[1]) == ["SIP/2.0/TCP 10.1.1.1;branch=z9hG4bKb", "SIP/2.0/UDP 10.2.2.2"]


def test_it_accepts_bare_line_feeds() -> None:
    request = parse_request(invite().replace(b"\r\n", b"\n"))
    assert request.problems == []
    assert request.first("call-id") == "a84b4c76e66710@pc33.example.com"


def test_it_reports_a_body_shorter_than_its_content_length_on_a_datagram() -> None:
    data = invite(body="v=0\r\n").replace(b"Content-Length: 5", b"Content-Length: 50")
    assert parse_request(data).problems == ["body shorter than Content-Length"]
    assert parse_request(data, framed=True).problems == []


def test_it_reports_what_it_could_not_read_without_raising() -> None:
    request = parse_request(b"\x00\xffgarbage\r\nno colon here\r\nCall-ID: x\r\n")
    assert request.problems[0] == "no blank line after the headers"
    assert "unreadable request line" in request.problems
    assert request.first("call-id") == "x"
    assert request.cseq is None


def test_it_recognises_a_response_so_that_it_is_not_answered() -> None:
    assert parse_request(b"SIP/2.0 200 OK\r\nCall-ID: x\r\n\r\n").is_response


def test_it_reads_rfc_4904_trunk_group_parameters_from_the_user_part() -> None:
    target = user_part("sip:+16305550100;tgrp=TG-1;trunk-context=example.com@gw.example.net")
    assert target.user == "+16305550100"
    assert target.params == {"tgrp": "TG-1", "trunk-context": "example.com"}


def test_it_reads_tel_uris_and_escaped_users() -> None:
    assert user_part("tel:+12025550143;tgrp=X;trunk-context=+1").params["tgrp"] == "X"
    assert user_part("sip:%2B12025550143@host;user=phone").user == "+12025550143"
    assert user_part("sip:host.example.com").user == ""


def test_it_reads_name_addresses_and_their_tags() -> None:
    address = '"Smith, J" <sip:+12025550143@a.example;user=phone>;tag=9fxced76sl'
    assert uri_of(address) == "sip:+12025550143@a.example;user=phone"
    assert address_params(address) == {"tag": "9fxced76sl"}
    assert split_values(address + ", <tel:+1>") == [address, "<tel:+1>"]


def test_it_reads_via_sent_by_including_ipv6() -> None:
    via = sent_by("SIP/2.0/UDP [2001:db8::9]:5070;branch=z9hG4bK1;rport")
    assert via is not None
    assert (via.transport, via.host, via.port) == ("UDP", "2001:db8::9", 5070)
    assert via.params == {"branch": "z9hG4bK1", "rport": ""}
    assert sent_by("SIP/2.0/UDP host:99999") is None
