"""What the two complaint harnesses share: import a file of fuzz bytes as one format.

:func:`~robotrace.evidence.imports.import_evidence` never raises for what a file holds: a file
it cannot use is rejected, a bad row is listed with its line (and with ``skip_bad_rows`` the
good rows are stored). Here it stores into a scratch analytics folder, so the canonical
values of the good rows are computed too.
"""

from __future__ import annotations

from pathlib import Path

from fuzz.scratch import scratch_file

# Imported here, not by the registry on first use, so that atheris instruments them.
from robotrace.evidence import fcc, ftc  # noqa: F401
from robotrace.evidence.imports import ImportOptions, evidence_files, import_evidence
from robotrace.evidence.registry import recognise

SKIP_BAD_ROWS = ImportOptions(skip_bad_rows=True)


def import_as(format_name: str, data: bytes) -> None:
    with scratch_file("complaints.csv", data) as path:
        recognise(path)
        files = evidence_files([path], format_name)
        summary = import_evidence(files, Path(path.parent, "analytics"), options=SKIP_BAD_ROWS)
        assert all(error.line >= 0 for error in summary.errors), summary.errors
