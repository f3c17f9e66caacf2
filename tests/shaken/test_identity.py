"""The Identity header field (RFC 8224 §4.1) and the SIP request around it."""

from __future__ import annotations

import pytest

from robotrace.shaken import sip
from robotrace.shaken.codes import Code, ShakenFailure
from robotrace.shaken.identity import check_parameters, parse_identity_header

TOKEN = "eyJh.eyJi.c2ln"


def test_the_full_form_with_info_alg_and_ppt_parses():
    header = parse_identity_header(
        f"{TOKEN};info=<https://cert.example.org/sp.pem>;alg=ES256;ppt=shaken"
    )
    assert (header.token, header.info, header.alg, header.ppt) == (
        TOKEN,
        "https://cert.example.org/sp.pem",
        "ES256",
        "shaken",
    )
    check_parameters(header)


def test_field_name_whitespace_quotes_and_uri_semicolons_are_understood():
    header = parse_identity_header(
        f'Identity:  {TOKEN} ; info=<https://c.example/a;b=c.pem> ;ppt="shaken"; alg=ES256'
    )
    assert header.info == "https://c.example/a;b=c.pem"
    assert header.ppt == "shaken"
    assert parse_identity_header(f"y: {TOKEN};info=<https://c.example/x>").token == TOKEN


def test_the_compact_form_is_reported_unsupported_with_its_reason():
    with pytest.raises(ShakenFailure) as caught:
        parse_identity_header("eyJh..c2ln;info=<https://cert.example.org/sp.pem>")
    assert caught.value.code == Code.INVALID_IDENTITY_HEADER
    assert "compact form" in caught.value.reason and "full form" in caught.value.reason


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", Code.USE_IDENTITY_HEADER),
        ("not a token;info=<https://x>", Code.INVALID_IDENTITY_HEADER),
        (f"{TOKEN};info=<https://x", Code.INVALID_IDENTITY_HEADER),
        (f"{TOKEN};info=<https://x>;info=<https://y>", Code.INVALID_IDENTITY_HEADER),
        (f"{TOKEN};in fo=<https://x>", Code.INVALID_IDENTITY_HEADER),
    ],
)
def test_malformed_identity_headers_raise_their_code(value, code):
    with pytest.raises(ShakenFailure) as caught:
        parse_identity_header(value)
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("params", "code"),
    [
        (";info=<https://x>;ppt=div", Code.USE_IDENTITY_HEADER),  # RFC 8224 §6.2.2: 428
        (";info=<https://x>;alg=RS256", Code.INVALID_IDENTITY_HEADER),
        (";alg=ES256;ppt=shaken", Code.INVALID_IDENTITY_HEADER),  # info is required
    ],
)
def test_parameters_shaken_cannot_use_are_refused(params, code):
    with pytest.raises(ShakenFailure) as caught:
        check_parameters(parse_identity_header(TOKEN + params))
    assert caught.value.code == code


INVITE = (
    "INVITE sip:+12025550199@terminating.example;user=phone SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
    'From: "Someone, Inc." <sip:+12025550143@orig.example;user=phone>;tag=1\r\n'
    "To: <tel:+1-202-555-0198>\r\n"
    "P-Asserted-Identity: <sip:+12025550100@orig.example>, <tel:+12025550101>\r\n"
    f"Identity: {TOKEN};\r\n"
    " info=<https://cert.example.org/sp.pem>;alg=ES256;ppt=shaken\r\n"
    f"y: {TOKEN};info=<https://cert.example.org/div.pem>;ppt=div\r\n"
    "Content-Length: 0\r\n"
    "\r\n"
)


def test_a_sip_request_gives_its_identity_headers_unfolded_and_compact_names():
    request = sip.parse_request(INVITE)
    assert request.method == "INVITE"
    identities = request.values("identity")
    assert len(identities) == 2
    assert parse_identity_header(identities[0]).info == "https://cert.example.org/sp.pem"
    assert parse_identity_header(identities[1]).ppt == "div"


def test_the_caller_is_every_p_asserted_identity_then_from_and_the_callee_to_then_ruri():
    request = sip.parse_request(INVITE)
    assert sip.caller_numbers(request) == [
        "sip:+12025550100@orig.example",
        "tel:+12025550101",
        "sip:+12025550143@orig.example;user=phone",
    ]
    assert sip.callee_numbers(request) == [
        "tel:+1-202-555-0198",
        "sip:+12025550199@terminating.example;user=phone",
    ]


def test_text_is_recognised_as_a_request_only_with_a_request_line():
    assert sip.looks_like_request(INVITE)
    assert not sip.looks_like_request(f"Identity: {TOKEN};info=<https://x>")
    with pytest.raises(ValueError):
        sip.parse_request("SIP/2.0 200 OK\r\n\r\n")
