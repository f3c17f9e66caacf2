"""The FTC's Do Not Call complaint CSV (robotrace.evidence.ftc), imported whole."""

from __future__ import annotations

from fuzz.complaints import import_as


def test_one_input(data: bytes) -> None:
    import_as("ftc", data)
