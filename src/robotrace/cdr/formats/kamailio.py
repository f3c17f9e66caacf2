"""Kamailio ``acc`` records: the db_text table files (``kamailio-dbtext``) and a CSV export of
the ``acc`` SQL table (``kamailio-csv``).

The acc module (kamailio ``src/modules/acc/README``) writes one row per accounted transaction
with the columns ``method, from_tag, to_tag, callid, sip_code, sip_reason, time`` and the
extra columns ``db_extra`` names (the stock ``etc/kamailio.cfg``: ``src_user=$fU;
src_domain=$fd;src_ip=$si;dst_ouser=$tU;dst_user=$rU;dst_domain=$rd``). db_text
(``src/modules/db_text/README``, ``dbt_file.c``) writes a table as one header line of column
declarations ``name(type[,null|auto])`` and one line per row, fields separated by ``:``, with
``\\:``, ``\\\\``, ``\\n``, ``\\r``, ``\\t`` and ``\\0`` escaped; an empty field is NULL.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pa_csv

from robotrace.cdr.formats.common import (
    Columns,
    column_name,
    each_file,
    missing,
    read_text_csv,
    sip_disposition,
    stage_sql,
    with_suffix,
)
from robotrace.cdr.readers import FileCheck
from robotrace.cdr.switch import Staged, SwitchFormat
from robotrace.rows import RowError

#: The columns read, each a list of alternatives (docs/formats.md, "Kamailio acc").
REQUIRED = {
    "time": ("time",),
    "called-number": ("dst_user", "dst_ouser", "to_user"),
    "ingress": ("src_ip", "trunk", "tgrp"),
}
_SIP_CODE = "[1-6][0-9][0-9]"
#: Every column read; the rest of an acc row is left alone.
USED = (
    "time", "invite_time", "method", "callid", "sip_code", "src_ip", "src_port", "trunk",
    "tgrp", "src_user", "from_user", "dst_user", "dst_ouser", "to_user", "identity",
)  # fmt: skip


def _legs(have: list[str], extra_problem: str, relation: str = "switch_rows") -> str:
    """SQL for the acc rows of INVITE transactions as staged legs."""
    col = Columns(have)
    ip, port = col("src_ip"), col("src_port")
    bracketed = (  # an IPv6 address before a port: [2001:db8::1]:5060
        f"CASE WHEN contains({ip}, ':') AND NOT starts_with({ip}, '[') "
        f"THEN '[' || {ip} || ']' ELSE {ip} END"
    )
    code = col("sip_code")
    problems = [
        extra_problem,
        f"CASE WHEN {code} <> '' AND NOT regexp_full_match({code}, '{_SIP_CODE}') "
        f"THEN 'sip_code ''' || left({code}, 20) || ''' is not a SIP status code' END",
    ]
    columns = {
        "call_time": col.first("invite_time", "time"),
        "calling_number": col.first("src_user", "from_user"),
        "called_number": col.first("dst_user", "dst_ouser", "to_user"),
        "source": f"CASE WHEN {port} <> '' AND {ip} <> '' "
        f"THEN {bracketed} || ':' || {port} ELSE {ip} END",
        "trunk": col("trunk"),
        "tgrp": col("tgrp"),
        "sip_call_id": col("callid"),
        "disposition": sip_disposition(code),
        "identity": col("identity"),
        "_problem": f"concat_ws('; ', {', '.join(problems)})",
    }
    method = col("method")
    return stage_sql(columns, f"{method} = '' OR upper({method}) = 'INVITE'", relation)


# --- kamailio-csv -----------------------------------------------------------------------------


def read_acc_csv(
    files: list[Path], check: FileCheck, connection: duckdb.DuckDBPyConnection
) -> Staged | None:
    text = read_text_csv(files[0], check, connection, used=USED)
    if text is None or missing(check, set(text.table.column_names), REQUIRED):
        return None
    return Staged(text.table, _legs(text.table.column_names, "NULL"), text.locate)


# --- kamailio-dbtext --------------------------------------------------------------------------

_DECLARATION = r"([^\s():]+)\(\s*([A-Za-z]+)\s*(?:,\s*([A-Za-z]+)\s*)?\)"
_TYPES = {"int", "double", "str", "string", "blob", "time", "datetime"}
#: db_text's table files in a directory: the acc module's tables and their rotated copies.
_TABLE_FILE = re.compile(r"(acc|missed_calls)([.-].*)?")


def dbtext_columns(line: str) -> list[str] | None:
    """The column names a db_text header line declares; None if it is not one."""
    if not re.fullmatch(rf"\s*({_DECLARATION}\s*)+", line):
        return None
    declared = re.findall(_DECLARATION, line)
    if any(kind.lower() not in _TYPES for _, kind, _ in declared):
        return None
    return [column_name(name) for name, _, _ in declared]


def read_dbtext(
    files: list[Path], check: FileCheck, connection: duckdb.DuckDBPyConnection
) -> Staged | None:
    path = files[0]
    columns = _header(path, check)
    if columns is None or missing(check, set(columns), REQUIRED, " in the db_text header"):
        return None
    lines = _lines(path, check)
    if lines is None:
        return None
    count = len(columns)
    wrong = (
        f"CASE WHEN _fields <> {count} THEN 'has ' || _fields || ' fields, the header "
        f"declares {count}' END"
    )

    def locate(rows: list[int]) -> dict[int, tuple[str, int]]:
        return {r: (str(path), r + 2) for r in rows}

    split = f"({_split_sql(columns)})"
    return Staged(lines, _legs([*columns, "_fields"], wrong, split), locate)


def _header(path: Path, check: FileCheck) -> list[str] | None:
    try:
        with path.open(encoding="utf-8", newline="\n") as stream:
            first = stream.readline().rstrip("\n")
    except UnicodeDecodeError:
        check.errors.append(RowError(check.name, 1, "line is not valid UTF-8"))
        return None
    columns = dbtext_columns(first)
    if columns is None:
        why = "not a db_text table: line 1 must declare the columns, e.g. method(str) time(int)"
        check.errors.append(RowError(check.name, 1, why))
    return columns


def _lines(path: Path, check: FileCheck) -> pa.Table | None:
    """Every line after the header as one text column, and ``_row`` (blank lines kept, so
    that a row's line is ``_row + 2``)."""
    odd: list[str] = []

    def skip(row: pa_csv.InvalidRow) -> str:
        odd.append(row.text or "")
        return "skip"

    try:
        table = pa_csv.read_csv(
            path,
            pa_csv.ReadOptions(column_names=["line"], skip_rows=1, block_size=16 << 20),
            pa_csv.ParseOptions(
                delimiter="\x1f",  # never in a db_text row: each line is one field
                quote_char=False,
                escape_char=False,
                ignore_empty_lines=False,
                invalid_row_handler=skip,
            ),
            pa_csv.ConvertOptions(column_types={"line": pa.string()}, strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError):
        check.errors.append(RowError(check.name, _bad_line(path), "line is not valid UTF-8"))
        return None
    if odd:
        line = _bad_line(path, b"\x1f")
        check.errors.append(RowError(check.name, line, "line holds a 0x1f byte"))
        return None
    return table.append_column("_row", pa.array(range(table.num_rows), pa.int64()))


def _bad_line(path: Path, byte: bytes | None = None) -> int:
    with path.open("rb") as stream:
        for number, line in enumerate(stream, start=1):
            if byte is not None and byte in line:
                return number
            if byte is None:
                try:
                    line.decode("utf-8")
                except UnicodeDecodeError:
                    return number
    return 1


def _unescape(field: str) -> str:
    """SQL undoing db_text's escapes in a field whose ``\\\\`` became chr(1) and ``\\:``
    chr(2) before the split."""
    text = field
    for escaped, plain in (("\\n", "chr(10)"), ("\\r", "chr(13)"), ("\\t", "chr(9)")):
        text = f"replace({text}, '{escaped}', {plain})"
    text = f"replace({text}, '\\0', '')"
    return f"replace(replace({text}, chr(2), ':'), chr(1), '\\')"


def _split_sql(columns: list[str]) -> str:
    """The fields of each row line, unescaped, named by the header, and their count."""
    marked = "replace(replace(line, '\\\\', chr(1)), '\\:', chr(2))"
    fields = ", ".join(f'{_unescape(f"f[{n}]")} AS "{c}"' for n, c in enumerate(columns, 1))
    return (
        f"SELECT {fields}, len(f) AS _fields, _row FROM "
        f"(SELECT string_split({marked}, ':') AS f, _row FROM switch_rows WHERE line <> '')"
    )


DBTEXT = SwitchFormat(
    "kamailio-dbtext",
    "Kamailio acc rows through db_text (the acc and missed_calls table files)",
    each_file(lambda p: bool(_TABLE_FILE.fullmatch(p.name))),
    read_dbtext,
)
CSV = SwitchFormat(
    "kamailio-csv",
    "Kamailio acc rows as a CSV export of the acc table (a header of its columns)",
    each_file(with_suffix(".csv")),
    read_acc_csv,
)
