"""What a hop received of STIR/SHAKEN, read (not verified) from the Identity header its records
hold: the PASSporT's attest claim, and the SPC of the x5u's certificate when the provider has
it (issue 23 item 2). Ground truth: the header signed here with a known attestation and SPC."""

from __future__ import annotations

from robotrace.agent.loop import body_of
from robotrace.shaken.received import Received, certificates_by_name, received_of
from robotrace.shaken.sign import sign_identity
from robotrace.traceback.model import Answer, OriginAction
from robotrace.traceback.workflow import Reply

from .conftest import SPC

X5U = "https://cert.example.org/certs/sp-1234.pem"


def _identity(sp, attest: str) -> str:
    return sign_identity(sp.key, X5U, attest=attest, orig="12025550143", dest="13125550199",
                         iat=1_700_000_000)  # fmt: skip


def test_the_attestation_is_read_without_the_certificate(sp):
    assert received_of(_identity(sp, "B")) == Received("B", None)


def test_the_signer_is_the_spc_of_the_certificate_held_under_the_x5us_name(sp, tmp_path):
    (tmp_path / "sp-1234.pem").write_bytes(sp.x5u_pem())
    (tmp_path / "junk.pem").write_bytes(b"not a certificate")
    known = certificates_by_name(tmp_path)
    assert list(known) == ["sp-1234.pem"]
    assert received_of(_identity(sp, "A"), known) == Received("A", SPC)


def test_no_header_or_a_broken_one_says_nothing():
    for identity in (None, "", "   ", "not.a.passport;info=<https://x.example/a.pem>"):
        assert received_of(identity) == Received()


def test_the_agent_sends_what_it_received_and_the_origins_action():
    reply = Reply(Answer.ORIGIN, customer="Acme", note="matched", received_attest="A",
                  received_signer="1234", origin_action=OriginAction.WARNED)  # fmt: skip
    body = body_of(reply)
    assert (body["received_attest"], body["received_signer"], body["origin_action"]) == (
        "A", "1234", "warned",
    )  # fmt: skip
    assert "received_attest" not in body_of(Reply(Answer.NOT_FOUND, note="none"))
