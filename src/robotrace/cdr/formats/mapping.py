"""A mapping file (TOML) for any other CSV export: which column is the time, the caller, the
callee, the ingress, the Call-ID — for ``--format export.toml`` (docs/formats.md,
"Mapping files")::

    [file]
    header = true          # the first line names the columns (false: columns by position)
    delimiter = ","

    [columns]              # a header name, or a 1-based position (a number)
    call_time = "Start Time"
    calling_number = "Calling Number"
    called_number = "Called Number"
    source = "Ingress Signaling IP"
    trunk = "Ingress Trunk Group"

    [time]
    format = "%m/%d/%Y %H:%M:%S"   # strptime; default: epoch seconds or ISO-8601
    zone = "America/Chicago"       # default: the trunk map's time_zone
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb

from robotrace.cdr.formats.common import Columns, column_name, each_file, read_text_csv, stage_sql
from robotrace.cdr.readers import FileCheck
from robotrace.cdr.switch import Staged, SwitchFormat
from robotrace.cdr.tomlfile import TomlLines, load_toml
from robotrace.rows import BadRowsError, RowError

#: What ``[columns]`` may name; ``source_port`` joins ``source`` as ``ip:port``.
MAPPED = (
    "call_time",
    "calling_number",
    "called_number",
    "source",
    "source_port",
    "trunk",
    "tgrp",
    "accountcode",
    "sip_call_id",
    "duration_s",
    "disposition",
    "identity",
)
_REQUIRED = ("call_time", "called_number")
_INGRESS = ("source", "trunk", "tgrp", "accountcode")
_SECTIONS = {"file": ("header", "delimiter"), "columns": MAPPED, "time": ("format", "zone")}


@dataclass(frozen=True)
class Mapping:
    """A checked mapping file: column names (or 1-based positions), the file's layout and
    its time format and zone."""

    path: str
    columns: dict[str, str | int]
    header: bool = True
    delimiter: str = ","
    time_format: str = ""
    time_zone: str = ""

    def names(self, width: int) -> list[str]:
        """Names for a header-less file's ``width`` fields: ``field_<n>``."""
        return [f"field_{n}" for n in range(1, width + 1)]

    def source_column(self, mapped: str) -> str:
        value = self.columns[mapped]
        return f"field_{value}" if isinstance(value, int) else column_name(value)


def load_mapping(path: Path) -> SwitchFormat:
    """The format a mapping file describes; :class:`BadRowsError` names its problems."""
    data, lines = load_toml(path)
    mapping = mapping_of(data, lines, str(path))
    return SwitchFormat(
        str(path),
        f"CSV export described by {path}",
        each_file(lambda p: p.suffix.lower() in (".csv", ".txt")),
        lambda files, check, connection: read_mapped(mapping, files, check, connection),
    )


def mapping_of(data: dict[str, Any], lines: TomlLines, shown: str) -> Mapping:
    errors = _unknown_keys(data, lines, shown)
    columns = data.get("columns", {})
    file, time = data.get("file", {}), data.get("time", {})
    header = file.get("header", True)
    checked: dict[str, str | int] = {}
    for key, value in columns.items() if isinstance(columns, dict) else ():
        if isinstance(value, bool) or not isinstance(value, str | int) or value in ("", 0):
            why = f"columns.{key} must name a column, or give its position (1, 2, …)"
            errors.append(RowError(shown, lines.key(key), why))
        elif isinstance(value, int) and (header is True or value < 0):
            why = f"columns.{key}: a position needs [file] header = false"
            errors.append(RowError(shown, lines.key(key), why))
        elif key in MAPPED:
            checked[key] = value
    errors += _required(checked, lines, shown)
    errors += _layout(header, file.get("delimiter", ","), time, lines, shown)
    if errors:
        raise BadRowsError(sorted(errors, key=lambda e: e.line))
    return Mapping(
        shown, checked, bool(header), file.get("delimiter", ","), time.get("format", ""),
        time.get("zone", ""),
    )  # fmt: skip


def _unknown_keys(data: dict[str, Any], lines: TomlLines, shown: str) -> list[RowError]:
    errors = []
    for section, value in data.items():
        if section not in _SECTIONS or not isinstance(value, dict):
            errors.append(RowError(shown, lines.key(section), f"unknown section [{section}]"))
            continue
        header = (lines.headers(section) or [1])[0]
        for key in value:
            if key not in _SECTIONS[section]:
                line = lines.key_in_table(header, key)
                errors.append(RowError(shown, line, f"unknown key {section}.{key}"))
    return errors


def _required(columns: dict[str, str | int], lines: TomlLines, shown: str) -> list[RowError]:
    errors = [
        RowError(shown, (lines.headers("columns") or [1])[0], f"columns.{key} is required")
        for key in _REQUIRED
        if key not in columns
    ]
    if not any(k in columns for k in _INGRESS):
        why = f"columns: name the ingress ({', '.join(_INGRESS)}): the trunk map routes it"
        errors.append(RowError(shown, (lines.headers("columns") or [1])[0], why))
    if "source_port" in columns and "source" not in columns:
        errors.append(RowError(shown, lines.key("source_port"), "source_port needs source"))
    return errors


def _layout(
    header: object, delimiter: object, time: dict[str, Any], lines: TomlLines, shown: str
) -> list[RowError]:
    errors = []
    if not isinstance(header, bool):
        errors.append(RowError(shown, lines.key("header"), "file.header must be true or false"))
    if not (isinstance(delimiter, str) and len(delimiter) == 1 and delimiter not in '"\n\r'):
        why = "file.delimiter must be one character (not a quote or a line end)"
        errors.append(RowError(shown, lines.key("delimiter"), why))
    zone = time.get("zone", "")
    try:
        if zone:
            ZoneInfo(str(zone))
    except (ZoneInfoNotFoundError, ValueError):
        why = f"time.zone {str(zone)[:60]!r} is not an IANA time zone (e.g. America/Chicago)"
        errors.append(RowError(shown, lines.key("zone"), why))
    if not isinstance(time.get("format", ""), str):
        errors.append(RowError(shown, lines.key("format"), "time.format must be a string"))
    return errors


def read_mapped(
    mapping: Mapping, files: list[Path], check: FileCheck, connection: duckdb.DuckDBPyConnection
) -> Staged | None:
    path = files[0]
    names = None if mapping.header else _positional_names(mapping)
    used = {mapping.source_column(key) for key in mapping.columns}
    text = read_text_csv(path, check, connection, names, mapping.delimiter, used)
    if text is None:
        return None
    have = set(text.table.column_names)
    absent = [
        f"{key} ({mapping.columns[key]!r})"
        for key in mapping.columns
        if mapping.source_column(key) not in have
    ]
    if absent and text.table.num_rows:
        where = "in the header" if mapping.header else "in the rows (too few fields)"
        why = f"mapped column(s) not {where}: {', '.join(absent)}"
        check.errors.append(RowError(check.name, 1, why))
        return None
    col = Columns(text.table.column_names)
    columns = {k: col(mapping.source_column(k)) for k in mapping.columns if k != "source_port"}
    if "source_port" in mapping.columns:
        ip, port = columns["source"], col(mapping.source_column("source_port"))
        columns["source"] = f"CASE WHEN {port} <> '' THEN {ip} || ':' || {port} ELSE {ip} END"
    select = stage_sql(columns)
    return Staged(text.table, select, text.locate, mapping.time_format, mapping.time_zone)


def _positional_names(mapping: Mapping) -> list[str]:
    widest = max((v for v in mapping.columns.values() if isinstance(v, int)), default=1)
    return mapping.names(widest)
