"""A submission's results: the same ``paths.parquet`` and ``flows.json`` as ``robotrace
paths``, from the same code — the answers become the engine's hop rows
(``robotrace.paths.engine.HOP_SCHEMA``), :func:`robotrace.paths.assemble.assemble_paths`
makes the paths, :func:`robotrace.paths.outputs.write_outputs` writes them, and the
campaigns' flows are stored where the portal's campaign page draws them.

One thing ``robotrace paths`` cannot know tells the two dead ends apart here: a provider
that answered "not found" has records (``no_match``); one that gave no answer — no agent,
or the window passed — is ``no_records`` for that call, whatever it answered for others.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import select
from sqlalchemy.orm import Session

from robotrace.cdr.duck import connect
from robotrace.paths.assemble import assemble_paths
from robotrace.paths.engine import HOP_SCHEMA
from robotrace.paths.flows import Flow, save_flows
from robotrace.paths.outputs import FLOWS_FILE, PATHS_FILE, write_outputs
from robotrace.store import models

RESULTS = "bulk"


def results_dir(analytics_dir: str | Path, bulk_id: int) -> Path:
    """Where a submission's files are kept: ``<analytics_dir>/bulk/<id>/``."""
    return Path(analytics_dir) / RESULTS / str(bulk_id)


def results_written(analytics_dir: str | Path, bulk_id: int) -> bool:
    folder = results_dir(analytics_dir, bulk_id)
    return (folder / PATHS_FILE).is_file() and (folder / FLOWS_FILE).is_file()


def write_results(session: Session, bulk_id: int, analytics_dir: str | Path) -> list[Flow]:
    """Write a finished submission's ``paths.parquet`` and ``flows.json`` into its results
    folder, and store its campaigns' flows for the campaign pages (as ``robotrace paths``
    does); returns the flows."""
    found = bulk_paths(session, bulk_id)
    flows = write_outputs(found, results_dir(analytics_dir, bulk_id))
    save_flows(flows, analytics_dir)
    return flows


def bulk_paths(session: Session, bulk_id: int) -> pa.Table:
    """The ``PATH_SCHEMA`` table of the submission's calls, as far as they have gone."""
    calls = _calls(session, bulk_id)
    hops = _hops(session, bulk_id, calls)
    ends = dict(zip(calls["call_id"].to_pylist(), calls["end"].to_pylist(), strict=True))
    dead_ends = zip(calls["provider"].to_pylist(), calls["end"].to_pylist(), strict=True)
    recorded = {provider for provider, end in dead_ends if end == "no_match"}
    found = assemble_paths(hops, calls, recorded, _foreign(session))
    return _with_ends(found, ends)


_CALL_COLUMNS = (
    "call_id",
    "campaign",
    "called_number",
    "calling_number",
    "t_ms",
    "terminating_provider",
    "provider",
    "hop",
    "path",
    "end",
)


def _calls(session: Session, bulk_id: int) -> pa.Table:
    table = models.BulkCall.__table__
    rows = session.execute(
        select(*(table.c[name] for name in _CALL_COLUMNS), table.c.id)
        .where(table.c.bulk_id == bulk_id)
        .order_by(table.c.id)
    ).all()
    names = [*_CALL_COLUMNS, "id"]
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    types = {"t_ms": pa.int64(), "hop": pa.int32(), "id": pa.int64()}
    return pa.table(
        {
            name: pa.array(list(values), types.get(name, pa.string()))
            for name, values in zip(names, columns, strict=True)
        }
    )


_ANSWER_COLUMNS = pa.schema(
    [
        ("bulk_call_id", pa.int64()),
        ("hop", pa.int32()),
        ("provider", pa.string()),
        ("answer", pa.string()),
        ("upstream", pa.string()),
        ("customer", pa.string()),
        ("delta_ms", pa.int64()),
        ("calling_matched", pa.bool_()),
    ]
)


def _answers(session: Session, bulk_id: int) -> pa.Table:
    """The legs found: every answer but ``not_found`` (a dead end is the call's last hop)."""
    answer, batch = models.BatchCall, models.BatchRequest
    rows = session.execute(
        select(
            answer.bulk_call_id,
            answer.hop,
            batch.provider_key,
            answer.answer,
            answer.upstream,
            answer.customer,
            answer.delta_ms,
            answer.calling_matched,
        )
        .join(batch, batch.id == answer.batch_id)
        .where(batch.bulk_id == bulk_id, answer.answer.in_(("upstream", "origin", "unmapped")))
    ).all()
    columns: list[Sequence[object]] = (
        list(zip(*rows, strict=True)) if rows else [[] for _ in _ANSWER_COLUMNS]
    )
    return pa.table(
        [pa.array(list(c), f.type) for c, f in zip(columns, _ANSWER_COLUMNS, strict=True)],
        schema=_ANSWER_COLUMNS,
    )


def _hops(session: Session, bulk_id: int, calls: pa.Table) -> pa.Table:
    """Hop rows as an engine returns them: each leg found, and a dead end's last hop."""
    connection = connect()
    try:
        connection.register("calls", calls)
        connection.register("answers", _answers(session, bulk_id))
        table = connection.execute(_HOPS_SQL).to_arrow_table()
    finally:
        connection.close()
    return table.rename_columns(HOP_SCHEMA.names).cast(HOP_SCHEMA)


_HOPS_SQL = """
WITH legs AS (
  SELECT c.call_id, a.hop, a.provider, true AS found, c.t_ms + a.delta_ms AS leg_ms,
         a.delta_ms, CASE WHEN a.answer = 'upstream' THEN a.upstream END AS from_provider,
         CASE WHEN a.answer = 'origin' THEN a.customer END AS customer,
         coalesce(a.calling_matched, false) AS calling_matched
  FROM answers a JOIN calls c ON c.id = a.bulk_call_id
  UNION ALL
  SELECT call_id, hop, provider, false, NULL, NULL, NULL, NULL, false
  FROM calls WHERE "end" IN ('no_records', 'no_match')
),
walked AS (
  SELECT *, '|' || string_agg(provider, '|') OVER (
      PARTITION BY call_id ORDER BY hop ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) || '|' AS path
  FROM legs
)
SELECT call_id, hop, provider, found, leg_ms, delta_ms, from_provider, customer,
       calling_matched,
       coalesce(from_provider IS NOT NULL AND contains(path, '|' || from_provider || '|'),
                false) AS loop,
       path
FROM walked ORDER BY call_id, hop
"""


def _foreign(session: Session) -> set[str]:
    """Every identifier (key, OCN, RMD number, FRN) of the providers known to be foreign:
    the records may name a provider by any of them."""
    keys = set(session.scalars(select(models.Provider.key).where(models.Provider.foreign)))
    held = session.scalars(
        select(models.ProviderIdentifier.value)
        .join(models.Provider, models.Provider.id == models.ProviderIdentifier.provider_id)
        .where(models.Provider.foreign, models.ProviderIdentifier.kind != "name")
    )
    return keys | set(held)


def _with_ends(found: pa.Table, ends: dict[str, str | None]) -> pa.Table:
    """``found`` with each ended call's status as the portal saw it end (see the module)."""
    said = [ends.get(call_id) for call_id in found["call_id"].to_pylist()]
    status = pc.coalesce(pa.array(said, pa.string()), found["status"])
    index = found.schema.get_field_index("status")
    return found.set_column(index, found.schema.field("status"), status)
