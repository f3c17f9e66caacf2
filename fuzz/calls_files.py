"""The calls to trace in bulk, CSV and Parquet (robotrace.paths.calls).

:func:`~robotrace.paths.calls.read_calls` returns the calls with their keys, or raises
:class:`~robotrace.rows.BadRowsError` naming every bad row, nothing else. Bytes that start
with ``PAR1`` are read as a ``.parquet`` file, the others as ``.csv``.
"""

from __future__ import annotations

from fuzz.scratch import file_name, scratch_file
from robotrace.paths.calls import read_calls
from robotrace.rows import BadRowsError


def test_one_input(data: bytes) -> None:
    with scratch_file(file_name("calls", data), data) as path:
        try:
            read_calls(path)
        except BadRowsError as refused:
            assert refused.errors, "a refusal names its bad rows"
