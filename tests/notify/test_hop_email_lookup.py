"""The hop request e-mail helps the provider find the call in its own records: both numbers
in the spellings call records use, the call time in UTC and on its own clock (issue 22)."""

from robotrace.notify.channels.email.render import render
from robotrace.settings import Settings

PAYLOAD = {
    "traceback_id": "TB-000001",
    "hop_id": 7,
    "position": 0,
    "provider": {"key": "AAAA", "name": "Alpha Local Telco"},
    "call": {
        "calling_number": "+17135551234",
        "called_number": "+13125550199",
        "call_time": "2020-04-30T15:04:05Z",
    },
    "requested_at": "2020-05-01T12:00:00Z",
    "due_at": "2020-05-04T12:00:00Z",
    "due_at_local": "2020-05-04T07:00:00-05:00",
    "time_zone": "America/Chicago",
    "link": "https://portal.example/inbox/7",
    "audience": "provider",
}


def lines_of(kind: str, payload: dict) -> list[str]:
    return render(kind, payload, Settings.from_environ().display_zone).body.splitlines()


def test_the_request_spells_both_numbers_the_ways_call_records_write_them():
    body = "\n".join(lines_of("hop.requested", PAYLOAD))
    # Spelled by hand, as the issue lists them.
    assert "Calling number:  +17135551234\n  also written:  7135551234, 17135551234, " in body
    assert "(713) 555-1234, 713-555-1234" in body
    assert "3125550199, 13125550199, (312) 555-0199, 312-555-0199" in body


def test_the_call_time_is_in_utc_and_on_the_providers_clock():
    lines = lines_of("hop.reminder", PAYLOAD)
    assert "Call time:       30 Apr 2020, 15:04:05 UTC" in lines
    # 15:04:05 UTC is 10:04:05 in Chicago (CDT, UTC-5).
    assert "  your zone:     30 Apr 2020, 10:04:05 CDT (America/Chicago)" in lines


def test_without_a_known_zone_the_call_time_is_also_on_the_display_clock():
    payload = {k: v for k, v in PAYLOAD.items() if k not in ("time_zone", "due_at_local")}
    lines = lines_of("hop.requested", payload)
    assert "Call time:       30 Apr 2020, 15:04:05 UTC" in lines
    assert "  that is:       30 Apr 2020, 11:04:05 EDT" in lines  # America/New_York


def test_the_signer_request_spells_the_numbers_too():
    payload = {**PAYLOAD, "origid": "0f3c", "attest": "A"}
    body = render("signer.requested", payload, Settings.from_environ().display_zone).body
    assert "(713) 555-1234" in body and "10:04:05 CDT (America/Chicago)" in body
