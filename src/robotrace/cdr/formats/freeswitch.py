"""FreeSWITCH CDRs: ``mod_cdr_csv``'s default template (``freeswitch-csv``) and
``mod_json_cdr``'s JSON records (``freeswitch-json``).

The default template ``example`` (``conf/vanilla/autoload_configs/cdr_csv.conf.xml``) writes,
without a header, ``caller_id_name, caller_id_number, destination_number, context,
start_stamp, answer_stamp, end_stamp, duration, billsec, hangup_cause, uuid, bleg_uuid,
accountcode, read_codec, write_codec``, times in local time. It names no source address: the
ingress is the dialplan ``context`` the call entered (a gateway's or an ACL's) and the
``accountcode``. ``mod_json_cdr`` (``src/mod/event_handlers/mod_json_cdr``,
``switch_ivr_generate_json_cdr`` in ``src/switch_ivr.c``) writes one file per call leg
(``<uuid>.cdr.json``): ``channel_data`` (with ``direction``), ``variables`` (URL-encoded by
default, ``encode-values``) and ``callflow`` (the caller profiles, newest first).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import duckdb
import pyarrow as pa

from robotrace.cdr.formats.common import Columns, each_file, find, named, read_text_csv, stage_sql
from robotrace.cdr.readers import FileCheck
from robotrace.cdr.switch import STAGED_COLUMNS, Staged, SwitchFormat
from robotrace.rows import RowError

#: The default template's fields in order; further ones are read as ``extra_<n>``.
EXAMPLE_FIELDS = (
    "caller_id_name",
    "caller_id_number",
    "destination_number",
    "context",
    "start_stamp",
    "answer_stamp",
    "end_stamp",
    "duration",
    "billsec",
    "hangup_cause",
    "uuid",
    "bleg_uuid",
    "accountcode",
    "read_codec",
    "write_codec",
)
USED = (
    "start_stamp", "caller_id_number", "destination_number", "context", "accountcode",
    "billsec", "answer_stamp", "hangup_cause",
)  # fmt: skip
_NOT_ANSWERED = ("NO_ANSWER", "NO_USER_RESPONSE", "ORIGINATOR_CANCEL", "NORMAL_CLEARING")


def disposition(answered: str, cause: str) -> str:
    """SQL for the canonical disposition from the answer time and the hangup cause."""
    quiet = ", ".join(f"'{c}'" for c in _NOT_ANSWERED)
    return (
        f"CASE WHEN {answered} NOT IN ('', '0') THEN 'ANSWERED' WHEN {cause} = '' THEN '' "
        f"WHEN {cause} = 'USER_BUSY' THEN 'BUSY' WHEN {cause} IN ({quiet}) THEN 'NO ANSWER' "
        "ELSE 'FAILED' END"
    )


def read_cdr_csv(
    files: list[Path], check: FileCheck, connection: duckdb.DuckDBPyConnection
) -> Staged | None:
    text = read_text_csv(files[0], check, connection, EXAMPLE_FIELDS, used=USED)
    if text is None:
        return None
    if 0 < text.width < len(EXAMPLE_FIELDS):
        why = f"has {text.width} fields: the default template writes {len(EXAMPLE_FIELDS)}"
        check.errors.append(RowError(check.name, 1, why))
        return None
    col = Columns(text.table.column_names)
    columns = {
        "call_time": col("start_stamp"),
        "calling_number": col("caller_id_number"),
        "called_number": col("destination_number"),
        "trunk": col("context"),
        "accountcode": col("accountcode"),
        "duration_s": col("billsec"),
        "disposition": disposition(col("answer_stamp"), col("hangup_cause")),
    }
    return Staged(text.table, stage_sql(columns), text.locate)


# --- JSON -----------------------------------------------------------------------------------


def json_groups(paths: Sequence[Path]) -> list[tuple[str, list[Path]]]:
    """All JSON records found are read as one input (one file per call leg)."""
    files = find(paths, lambda p: p.name.lower().endswith(".json"))
    if not files:
        return []
    name = str(paths[0]) if len(paths) == 1 else f"{len(files)} JSON CDR files"
    return [(name, files)]


def leg_of(record: dict[str, Any]) -> dict[str, str] | None:
    """A ``mod_json_cdr`` record as a staged leg; None for an outbound (B) leg."""
    variables = {k: unquote(str(v)) for k, v in (record.get("variables") or {}).items()}
    if (record.get("channel_data") or {}).get("direction", "inbound") == "outbound":
        return None
    profile = _original_profile(record.get("callflow"))
    ip, port = variables.get("sip_network_ip", ""), variables.get("sip_network_port", "")
    source = f"[{ip}]" if ":" in ip else ip
    when = variables.get("start_uepoch", "")
    call_time = f"{when[:-6]}.{when[-6:]}" if when.isdigit() and len(when) > 6 else ""
    leg = {
        "call_time": call_time or variables.get("start_epoch") or variables.get("start_stamp", ""),
        "calling_number": unquote(profile.get("caller_id_number", ""))
        or variables.get("sip_from_user", ""),
        "called_number": variables.get("sip_req_user")
        or unquote(profile.get("destination_number", "")),
        "source": f"{source}:{port}" if ip and port else ip,
        "trunk": variables.get("sip_gateway_name", ""),
        "accountcode": variables.get("accountcode", ""),
        "sip_call_id": variables.get("sip_call_id", ""),
        "duration_s": variables.get("billsec", ""),
        "disposition": _disposition(variables),
    }
    return {c: leg.get(c, "") for c in STAGED_COLUMNS}


def _original_profile(callflow: object) -> dict[str, Any]:
    """The first caller profile (the call as it came in): the last of ``callflow``."""
    flows = callflow if isinstance(callflow, list) else [callflow] if callflow else []
    profile = flows[-1].get("caller_profile") if flows and isinstance(flows[-1], dict) else None
    return profile if isinstance(profile, dict) else {}


def _disposition(variables: dict[str, str]) -> str:
    if variables.get("answer_epoch", "0") not in ("", "0"):
        return "ANSWERED"
    cause = variables.get("hangup_cause", "")
    if cause == "USER_BUSY":
        return "BUSY"
    return "NO ANSWER" if cause in _NOT_ANSWERED else "FAILED" if cause else ""


def read_json(
    files: list[Path], check: FileCheck, _connection: duckdb.DuckDBPyConnection
) -> Staged | None:
    legs: list[dict[str, str]] = []
    where: list[str] = []
    for path in files:
        record = _record(path, check)
        leg = leg_of(record) if record is not None else None
        if leg is not None:
            legs.append(leg)
            where.append(str(path))
    if check.errors:
        return None
    table = pa.table({c: pa.array([leg[c] for leg in legs], pa.string()) for c in STAGED_COLUMNS})
    table = table.append_column("_row", pa.array(range(len(legs)), pa.int64()))

    def locate(rows: list[int]) -> dict[int, tuple[str, int]]:
        return {r: (where[r], 1) for r in rows}

    return Staged(table, "SELECT * FROM switch_rows", locate)


def _record(path: Path, check: FileCheck) -> dict[str, Any] | None:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = getattr(exc, "lineno", 1)
        check.errors.append(RowError(str(path), line, f"not a JSON CDR: {exc}"))
        return None
    if not isinstance(record, dict) or not isinstance(record.get("variables"), dict):
        why = 'not a mod_json_cdr record (no "variables" object)'
        check.errors.append(RowError(str(path), 1, why))
        return None
    return record


CSV = SwitchFormat(
    "freeswitch-csv",
    "FreeSWITCH mod_cdr_csv with its default template (Master.csv)",
    each_file(named("Master.csv")),
    read_cdr_csv,
)
JSON = SwitchFormat(
    "freeswitch-json",
    "FreeSWITCH mod_json_cdr records (one .json file per call leg)",
    json_groups,
    read_json,
)
