"""Provider CDR files, CSV and Parquet (robotrace.cdr.readers).

:func:`~robotrace.cdr.readers.read_cdrs` returns the canonical table, or raises
:class:`~robotrace.rows.BadRowsError` naming every bad row (a file it cannot read at all is
one bad row at line 1). Bytes that start with ``PAR1`` are read as a ``.parquet`` file, the
others as ``.csv``; the Parquet seed is a real file, so mutations reach past the footer into
the row groups.
"""

from __future__ import annotations

from fuzz.scratch import file_name, scratch_file
from robotrace.cdr.readers import read_cdrs
from robotrace.rows import BadRowsError


def test_one_input(data: bytes) -> None:
    with scratch_file(file_name("legs", data), data) as path:
        try:
            read_cdrs([path])
        except BadRowsError as refused:
            assert refused.errors, "a refusal names its bad rows"
