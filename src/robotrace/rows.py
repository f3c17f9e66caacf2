"""Reporting bad input rows: file, line and reason — the same shape for every importer."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RowError:
    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


class BadRowsError(ValueError):
    """Input had bad rows; nothing of it was loaded. ``errors`` lists every one."""

    def __init__(self, errors: list[RowError], shown: int = 20) -> None:
        self.errors = errors
        lines = [str(e) for e in errors[:shown]]
        if len(errors) > shown:
            lines.append(f"… and {len(errors) - shown} more bad rows")
        super().__init__(f"{len(errors)} bad row(s), nothing loaded:\n" + "\n".join(lines))
