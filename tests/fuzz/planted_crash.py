"""A harness with a planted bug, so that the fuzz tests can show a crash is caught.

It parses SIP like ``fuzz/sip_messages.py`` and raises on any INVITE whose Request-URI is a
``+1…`` number: every INVITE seed in ``fuzz/corpus/sip_messages/`` has one, so the first runs
of the seeds must crash.
"""

from __future__ import annotations

from robotrace.blocking.sip.message import parse_request

PLANTED = "sip:+1"


class PlantedCrash(RuntimeError):
    """The bug planted here: never a refusal any parser documents."""


def test_one_input(data: bytes) -> None:
    request = parse_request(data)
    if request.method == "INVITE" and request.uri.startswith(PLANTED):
        raise PlantedCrash(f"planted crash on {request.uri!r}")
