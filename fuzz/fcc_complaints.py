"""The FCC's consumer complaint CSV (robotrace.evidence.fcc), imported whole."""

from __future__ import annotations

from fuzz.complaints import import_as


def test_one_input(data: bytes) -> None:
    import_as("fcc", data)
