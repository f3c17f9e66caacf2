"""Reading evidence CSV files fast, and naming the physical line of any bad row.

pyarrow parses the file into text columns (all of them strings: nothing is converted here);
rows with the wrong number of fields are left out and named afterwards by a pass of Python's
``csv`` module. Lines are physical lines, the header being line 1; a quoted value may span
lines, and a row's line is the line it starts on.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.csv as pa_csv

from robotrace.csvlines import first_bad_utf8_line
from robotrace.evidence.registry import ByteProgress

#: At most this many bad rows are listed per file; a last entry at line 0 counts the rest.
_BLOCK = 8 << 20


class CountingReader(io.RawIOBase):
    """A binary file that reports how many bytes were read from it (for a progress bar)."""

    def __init__(self, raw: IO[bytes], shown: str, total: int, progress: ByteProgress) -> None:
        super().__init__()
        self._raw, self._shown, self._total, self._progress = raw, shown, total, progress
        self.done = 0

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self._count(len(data))
        return data

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        buffer[: len(data)] = data
        self._count(len(data))
        return len(data)

    def _count(self, read: int) -> None:
        self.done += read
        self._progress(self._shown, self.done, self._total)

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._raw.close()
        super().close()


def counted(path: Path, shown: str, progress: ByteProgress | None) -> IO[bytes]:
    """``path`` opened for reading bytes, reporting to ``progress`` if there is one."""
    raw = path.open("rb")
    if progress is None:
        return raw
    return io.BufferedReader(CountingReader(raw, shown, path.stat().st_size, progress), _BLOCK)


class FileProblem(ValueError):
    """The file as a whole cannot be read; ``line`` is where that shows."""

    def __init__(self, line: int, reason: str) -> None:
        self.line, self.reason = line, reason
        super().__init__(f"line {line}: {reason}")


@dataclass(frozen=True)
class TextTable:
    """A CSV's data rows as string columns; ``skipped`` rows had the wrong number of fields."""

    table: pa.Table
    skipped: int


def csv_header(path: Path) -> list[str]:
    """The header's column names; :class:`FileProblem` at line 1 when there is none, or when
    it is not one line of CSV (a quote left open would swallow the rows below it)."""
    with path.open("rb") as stream:
        first = stream.readline()
    try:
        header = next(csv.reader([first.decode("utf-8-sig")], strict=True), None)
    except UnicodeDecodeError:
        raise FileProblem(1, "the header is not valid UTF-8") from None
    except csv.Error as exc:
        raise FileProblem(1, f"cannot read the header: {exc}") from None
    if not header:
        raise FileProblem(1, "no header line (empty file)")
    return [name.strip() for name in header]


def read_text_table(
    path: Path, columns: list[str], shown: str, progress: ByteProgress | None = None
) -> TextTable:
    """Every data row as strings, named ``columns`` (those named ``_…`` are left out);
    :class:`FileProblem` if the file cannot be read."""
    skipped = 0

    def skip(_row: pa_csv.InvalidRow) -> str:
        nonlocal skipped
        skipped += 1
        return "skip"

    options = (
        pa_csv.ReadOptions(column_names=columns, skip_rows=1, block_size=_BLOCK),
        pa_csv.ParseOptions(newlines_in_values=True, invalid_row_handler=skip),
        pa_csv.ConvertOptions(
            column_types={c: pa.string() for c in columns},
            strings_can_be_null=False,
            include_columns=[c for c in columns if not c.startswith("_")],
        ),
    )
    _check_utf8(path)  # before pyarrow, whose handler of bad rows cannot take bad UTF-8
    with counted(path, shown, progress) as source:
        try:
            table = pa_csv.read_csv(source, *options)
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            raise _unreadable(path, exc) from None
    return TextTable(table, skipped)


def _check_utf8(path: Path) -> None:
    """:class:`FileProblem` at the first line that is not UTF-8 (one fast pass of C code)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as stream:
            while chunk := stream.read(_BLOCK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise FileProblem(first_bad_utf8_line(path) or 1, "line is not valid UTF-8") from None


def _unreadable(path: Path, exc: Exception) -> FileProblem:
    """Why pyarrow could not read the file: its first line that is not UTF-8, if that is it."""
    line = first_bad_utf8_line(path)
    if line is not None:
        return FileProblem(line, "line is not valid UTF-8")
    return FileProblem(1, f"cannot read CSV: {exc}")
