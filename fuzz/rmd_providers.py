"""The provider registry: ``providers.csv``, the FCC Robocall Mitigation Database export plus
``ocn`` (robotrace.providers.registry).

:func:`~robotrace.providers.registry.read_providers_csv` returns the providers, or raises
:class:`~robotrace.rows.BadRowsError` naming every bad row, nothing else.
"""

from __future__ import annotations

from fuzz.scratch import scratch_file
from robotrace.providers.registry import read_providers_csv
from robotrace.rows import BadRowsError


def test_one_input(data: bytes) -> None:
    with scratch_file("providers.csv", data) as path:
        try:
            read_providers_csv(path)
        except BadRowsError as refused:
            assert refused.errors, "a refusal names its bad rows"
