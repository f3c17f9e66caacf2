"""Evidence files of calls: honeypot CSVs and SIP INVITE captures (robotrace.evidence).

A format's reader never raises for what a file holds: it returns a
:class:`~robotrace.evidence.registry.FileRead` with its good rows and a
:class:`~robotrace.rows.RowError` for each bad one (or the whole file rejected). The same
bytes go to both readers, the first byte choosing whether a default call time is given.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fuzz.scratch import scratch_file
from robotrace.evidence import honeypot, sip
from robotrace.evidence.registry import ReadOptions

PROVIDERS = {"TERM": 1, "AAAA": 2}
WITH_DEFAULTS = ReadOptions(
    providers=PROVIDERS,
    default_time=datetime(2020, 5, 1, 12, tzinfo=UTC),
    terminating_provider="TERM",
)
WITHOUT_DEFAULTS = ReadOptions(providers=PROVIDERS)


def test_one_input(data: bytes) -> None:
    options = WITH_DEFAULTS if data[:1] < b"\x80" else WITHOUT_DEFAULTS
    for reader, name in ((honeypot.read, "honeypot.csv"), (sip.read, "capture.sip")):
        with scratch_file(name, data) as path:
            read = reader(path, name, options)
        assert read.rejected or read.rows >= len(read.calls), read
