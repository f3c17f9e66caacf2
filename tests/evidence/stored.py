"""Reading the analytics store back, the way campaigns and statistics will."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from robotrace.cdr.duck import connect
from robotrace.evidence.analytics import complaints_relation


def complaints(analytics_dir: Path, order: str = "created_at, row_key") -> list[dict[str, Any]]:
    connection = connect()
    try:
        table = connection.sql(
            f"SELECT * FROM {complaints_relation(analytics_dir)} ORDER BY {order}"
        ).to_arrow_table()
    finally:
        connection.close()
    return table.to_pylist()


def complaint_count(analytics_dir: Path) -> int:
    connection = connect()
    try:
        row = connection.sql(
            f"SELECT count(*) FROM {complaints_relation(analytics_dir)}"
        ).fetchone()
    finally:
        connection.close()
    return int(row[0]) if row else 0
