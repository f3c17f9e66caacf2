"""Fuzz inputs as files, for parsers that read paths: a fresh folder per input; and a folder
for what a harness keeps for the whole run (a database)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: Names the folder ``python -m fuzz.run`` removes after the run (libFuzzer ends the process
#: without Python's clean-up, so a harness cannot remove its own).
WORK_VARIABLE = "ROBOTRACE_FUZZ_WORK"


def work_folder() -> Path:
    """The run's folder for lasting files: the runner's, or a new temporary one."""
    named = os.environ.get(WORK_VARIABLE)
    folder = Path(named) if named else Path(tempfile.mkdtemp(prefix="robotrace-fuzz-"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextmanager
def scratch_file(name: str, data: bytes) -> Iterator[Path]:
    """``data`` written to a file called ``name`` in a folder removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="robotrace-fuzz-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        yield path


def file_name(stem: str, data: bytes) -> str:
    """``stem.parquet`` for bytes that start as Parquet files do (``PAR1``), else ``stem.csv``:
    the suffix is how the readers tell the two apart."""
    return f"{stem}.parquet" if data.startswith(b"PAR1") else f"{stem}.csv"
