"""Asterisk CDRs: ``cdr_csv``'s ``Master.csv`` (``asterisk-csv``) and a CSV export of the CDR
table ``cdr_adaptive_odbc`` writes (``asterisk-odbc``).

``cdr/cdr_csv.c`` (``build_csv_record``) writes, without a header, ``accountcode, src, dst,
dcontext, clid, channel, dstchannel, lastapp, lastdata, start, answer, end, duration,
billsec, disposition, amaflags`` and then, as ``cdr.conf`` says, ``uniqueid`` and
``userfield`` (``loguniqueid``, ``loguserfield``) and ``peeraccount, linkedid, sequence``
(``newcdrcolumns``); times ``%Y-%m-%d %T`` in local time unless ``usegmtime=yes``. The CDR
table (``contrib/ast-db-manage/cdr/versions/210693f3123d_create_cdr_table.py``) has the same
fields as columns. The inbound channel names the trunk: ``PJSIP/carrier-a-00000012`` came
in on endpoint ``carrier-a``.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from robotrace.cdr.formats.common import (
    Columns,
    each_file,
    missing,
    named,
    read_text_csv,
    stage_sql,
    with_suffix,
)
from robotrace.cdr.readers import FileCheck
from robotrace.cdr.switch import Staged, SwitchFormat
from robotrace.rows import RowError

#: Master.csv's fields in order (``cdr_csv.c``); further ones are read as ``extra_<n>``.
MASTER_FIELDS = (
    "accountcode",
    "src",
    "dst",
    "dcontext",
    "clid",
    "channel",
    "dstchannel",
    "lastapp",
    "lastdata",
    "start",
    "answer",
    "end",
    "duration",
    "billsec",
    "disposition",
    "amaflags",
)
USED = ("start", "src", "dst", "channel", "accountcode", "billsec", "disposition")
REQUIRED = {
    "start-time": ("start",),
    "destination": ("dst",),
    "ingress": ("channel", "accountcode"),
}


def trunk_of_channel(channel: str) -> str:
    """SQL for the trunk a channel name names: its technology and its unique suffix
    dropped (``PJSIP/carrier-a-00000012`` → ``carrier-a``, ``SIP/gw1-0000000a`` → ``gw1``,
    ``Local/100@ctx-00000001;1`` → ``100@ctx``)."""
    peer = f"regexp_replace({channel}, '^[^/]*/', '')"
    return f"regexp_replace({peer}, '-[0-9A-Fa-f]+(;[0-9]+)?$', '')"


def _legs(have: list[str]) -> str:
    col = Columns(have)
    disposition = f"upper({col('disposition')})"
    columns = {
        "call_time": col("start"),
        "calling_number": col("src"),
        "called_number": col("dst"),
        "trunk": trunk_of_channel(col("channel")),
        "accountcode": col("accountcode"),
        "duration_s": col("billsec"),
        "disposition": f"CASE {disposition} WHEN 'CONGESTION' THEN 'FAILED' ELSE {disposition} END",
    }
    return stage_sql(columns)


def read_master_csv(
    files: list[Path], check: FileCheck, connection: duckdb.DuckDBPyConnection
) -> Staged | None:
    text = read_text_csv(files[0], check, connection, MASTER_FIELDS, used=USED)
    if text is None:
        return None
    if 0 < text.width < len(MASTER_FIELDS):
        why = f"has {text.width} fields: cdr_csv writes at least {len(MASTER_FIELDS)}"
        check.errors.append(RowError(check.name, 1, why))
        return None
    return Staged(text.table, _legs(text.table.column_names), text.locate)


def read_cdr_table(
    files: list[Path], check: FileCheck, connection: duckdb.DuckDBPyConnection
) -> Staged | None:
    text = read_text_csv(files[0], check, connection, used=USED)
    if text is None or missing(check, set(text.table.column_names), REQUIRED):
        return None
    return Staged(text.table, _legs(text.table.column_names), text.locate)


CSV = SwitchFormat(
    "asterisk-csv",
    "Asterisk cdr_csv's Master.csv (no header; per-account copies are left out)",
    each_file(named("Master.csv")),
    read_master_csv,
)
ODBC = SwitchFormat(
    "asterisk-odbc",
    "Asterisk's CDR table (cdr_adaptive_odbc) as a CSV export with a header",
    each_file(with_suffix(".csv")),
    read_cdr_table,
)
