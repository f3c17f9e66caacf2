"""Small builders of CDR inputs for the cdr tests."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from robotrace.cdr.readers import read_cdrs
from robotrace.cdr.schema import CDR_COLUMNS

T0 = "2020-05-01T12:00:00Z"


def leg(**fields: str) -> dict[str, str]:
    """One raw CDR row (all text), with defaults for what a test does not care about."""
    row = {
        "provider": "TERM",
        "call_time": T0,
        "calling_number": "+12025550143",
        "called_number": "+13105550199",
        "from_provider": "UPST",
        "to_provider": "",
        "customer": "",
        "duration_s": "30",
        "disposition": "ANSWERED",
        "identity": "",
        "sip_call_id": "call-1",
    }
    row.update(fields)
    return row


def write_csv(
    path: Path, rows: Sequence[dict[str, str]], columns: Sequence[str] = CDR_COLUMNS
) -> Path:
    with path.open("w", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def raw_table(rows: Sequence[dict[str, object]]) -> pa.Table:
    return pa.Table.from_pylist(list(rows))


def write_parquet(path: Path, rows: Sequence[dict[str, object]]) -> Path:
    pq.write_table(raw_table(rows), path)
    return path


def legs(*rows: dict[str, str]) -> pa.Table:
    """Raw rows as a validated canonical table."""
    return read_cdrs([raw_table(rows)])
