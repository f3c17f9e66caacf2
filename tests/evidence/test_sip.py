"""SIP INVITE captures: the numbers, time and Identity of each INVITE, the message kept."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from robotrace.evidence.registry import ReadOptions
from robotrace.evidence.sip import number_of, read, uri_of
from robotrace.store import models

from .builders import IDENTITY, count_calls, import_files, invite, sip_file, with_providers

T = datetime(2020, 5, 1, 12, 0, tzinfo=UTC)


def read_one(tmp_path, *messages: str, **options):
    path = sip_file(tmp_path / "capture.sip", *messages)
    return read(path, "capture.sip", ReadOptions(**options))


def test_an_invite_gives_its_numbers_time_and_identity(tmp_path):
    found = read_one(tmp_path, invite(extra=[f"Identity: {IDENTITY}"]))
    assert found.errors == []
    (call,) = found.calls
    assert (call["source"], len(call["source_ref"])) == ("sip", 64)
    assert (call["calling_number"], call["calling_e164"]) == ("+12025550143", "+12025550143")
    assert (call["called_number"], call["called_e164"]) == ("+13125550199", "+13125550199")
    assert call["call_time"] == T
    assert call["identity"] == IDENTITY
    assert call["sip_message"].startswith("INVITE sip:+13125550199@sbc.example.net;user=phone")
    assert "\r\nCall-ID: a84b4c76e66710@pc33.example.com\r\n" in call["sip_message"]
    assert call["sip_message"].endswith("t=0 0\r\n")


def test_the_asserted_identity_wins_over_from_and_its_tel_uri_over_its_sip_uri(tmp_path):
    pai = (
        'P-Asserted-Identity: "Acme" <sip:+12025550111@carrier.example.com>, <tel:+1-202-555-0122>'
    )
    (call,) = read_one(tmp_path, invite(extra=[pai])).calls
    assert (call["calling_number"], call["calling_e164"]) == ("+1-202-555-0122", "+12025550122")


def test_an_anonymous_caller_is_kept_without_a_number(tmp_path):
    message = invite().replace(
        '"Warranty Dept" <sip:+12025550143@carrier.example.com;user=phone>',
        '"Anonymous" <sip:anonymous@anonymous.invalid>',
    )
    (call,) = read_one(tmp_path, message).calls
    assert (call["calling_number"], call["calling_e164"]) == ("anonymous", None)


def test_the_called_number_comes_from_to_when_the_request_uri_has_none(tmp_path):
    message = invite().replace(
        "INVITE sip:+13125550199@sbc.example.net;user=phone SIP/2.0",
        "INVITE sip:trunk7@10.0.0.5 SIP/2.0",
    )
    (call,) = read_one(tmp_path, message).calls
    assert (call["called_number"], call["called_e164"]) == ("+13125550199", "+13125550199")


def test_an_invite_without_a_date_takes_the_default_time_or_is_refused(tmp_path):
    assert read_one(tmp_path, invite(date=None), default_time=T).calls[0]["call_time"] == T
    found = read_one(tmp_path, invite(date=None))
    assert [(e.line, e.reason) for e in found.errors] == [
        (1, "no Date header, and no default time was given for such INVITEs")
    ]


def test_several_messages_each_start_at_their_request_line(tmp_path):
    found = read_one(
        tmp_path,
        invite(call_id="one"),
        invite(call_id="two", date="Sat, 02 May 2020 08:30:00 -0400"),
        "SIP/2.0 180 Ringing\r\nCall-ID: two\r\n",
        invite(call_id="three", method="BYE"),
    )
    assert [c["call_time"] for c in found.calls] == [T, datetime(2020, 5, 2, 12, 30, tzinfo=UTC)]
    lines = invite().count("\r\n")  # lines per INVITE; a blank line follows each message
    assert [(e.line, e.reason) for e in found.errors] == [
        (2 * (lines + 1) + 1, "a SIP response (180 Ringing), not an INVITE"),
        (2 * (lines + 1) + 4, "a BYE request, not an INVITE"),
    ]


def test_text_that_is_no_sip_message_is_a_bad_row_at_its_line(tmp_path):
    found = read_one(tmp_path, "captured on eth0\r\n", invite())
    assert [(e.line, e.reason) for e in found.errors] == [
        (1, "not a SIP start line: 'captured on eth0'")
    ]
    assert len(found.calls) == 1


def test_an_invite_without_a_valid_called_number_is_a_bad_row(tmp_path):
    found = read_one(tmp_path, invite(called="12"))
    assert (
        found.errors[0].reason == "no valid called number in the Request-URI or To ('12' nor '12')"
    )


def test_a_retransmitted_invite_is_one_call(session, tmp_path):
    with_providers(session)
    path = sip_file(tmp_path / "capture.sip", invite(), invite())
    summary = import_files(tmp_path / "store", path, session=session)
    assert (summary.added, summary.skipped) == (1, 1)


def test_captures_are_stored_as_calls_once_with_the_message_kept(session, tmp_path):
    with_providers(session)
    path = sip_file(tmp_path / "capture.txt", invite(call_id="one"), invite(call_id="two"))
    first = import_files(tmp_path / "store", path, session=session, terminating_provider="term")
    again = import_files(tmp_path / "store", path, session=session, terminating_provider="TERM")
    assert (first.added, again.added, again.skipped) == (2, 0, 2)
    session.commit()
    calls = session.scalars(select(models.Call).order_by(models.Call.id)).all()
    assert [c.source for c in calls] == ["sip", "sip"]
    assert "Call-ID: two" in calls[1].sip_message
    provider = session.scalar(select(models.Provider.id).where(models.Provider.key == "TERM"))
    assert {c.terminating_provider_id for c in calls} == {provider}
    assert not (tmp_path / "store").exists()  # calls never touch the analytics store


def test_an_unknown_terminating_provider_refuses_the_file(session, tmp_path):
    with_providers(session)
    path = sip_file(tmp_path / "capture.sip", invite())
    summary = import_files(tmp_path / "store", path, session=session, terminating_provider="ZZZZ")
    assert summary.files[0].rejected and count_calls(session) == 0
    assert summary.errors[0].reason == "terminating provider ZZZZ is not a known provider"


def test_name_addresses_and_uris_give_their_numbers():
    assert uri_of('"Bob" <sip:+12025550143@a.example;user=phone>;tag=9') == (
        "sip:+12025550143@a.example;user=phone"
    )
    assert uri_of("sip:2025550143@a.example;tag=9") == "sip:2025550143@a.example"
    assert number_of("tel:+1-202-555-0143;npdi") == "+1-202-555-0143"
    assert number_of("sip:+12025550143;npdi@a.example") == "+12025550143"
    assert number_of("sip:a.example") == ""
