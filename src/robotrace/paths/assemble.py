"""From hop rows to paths: one row per listed call, the same for every engine.

``status`` says how the path ends:

- ``origin``: the last leg found has no ``from_provider`` — the provider's own customer
  (``customer``) placed the call; ``origin_provider`` is that provider;
- ``no_records``: the call was handed over by a provider the store has no records of at
  all (``dead_end_provider``);
- ``no_match``: that provider has records, but no leg to the called number within the
  tolerance;
- ``unmapped``: the last leg found came in on a trunk its provider's trunk map does not map
  (neither ``from_provider`` nor ``customer``): the records cannot say who sent the call
  (``dead_end_provider``);
- ``loop``: a leg names as its upstream a provider already on the path;
- ``hop_limit``: still going after the hop limit.

``path`` lists the providers origin first, as far as known: for a dead end it starts with
the provider that had no record. ``gateway_provider`` (with a provider directory) is the US
provider that took the call from a foreign one.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyarrow as pa

from robotrace.cdr.duck import connect, sql_text

PATH_SCHEMA = pa.schema(
    [
        ("call_id", pa.string()),
        ("campaign", pa.string()),
        ("call_time", pa.timestamp("ms", tz="UTC")),
        ("called_number", pa.string()),
        ("calling_number", pa.string()),
        ("terminating_provider", pa.string()),
        ("path", pa.list_(pa.string())),
        ("legs_found", pa.int32()),
        ("status", pa.string()),
        ("origin_provider", pa.string()),
        ("customer", pa.string()),
        ("gateway_provider", pa.string()),
        ("dead_end_provider", pa.string()),
        ("max_delta_ms", pa.int64()),
    ]
)
STATUSES = ("origin", "no_records", "no_match", "unmapped", "loop", "hop_limit")


def assemble_paths(
    hops: pa.Table,
    calls: pa.Table,
    with_records: Iterable[str],
    foreign: Iterable[str] | None = None,
) -> pa.Table:
    """The ``PATH_SCHEMA`` table of ``calls`` (as :func:`~robotrace.paths.calls.read_calls`
    gives them) from their ``hops``; ``foreign``: OCNs of foreign providers (None: no
    gateway is worked out)."""
    connection = connect()
    try:
        connection.register("hops", hops)
        connection.register("calls", calls)
        connection.register("recorded", pa.table({"key": sorted(set(with_records))}, _OCNS))
        outside = None if foreign is None else sorted(set(foreign))
        table = connection.execute(_paths_sql(outside)).to_arrow_table()
    finally:
        connection.close()
    return table.rename_columns(PATH_SCHEMA.names).cast(PATH_SCHEMA)


_OCNS = pa.schema([("key", pa.string())])


def _paths_sql(foreign: list[str] | None) -> str:
    gateway = "NULL"
    if foreign:
        # The US provider right after the last foreign one, origin first.
        listed = "[" + ", ".join(sql_text(key) for key in foreign) + "]::VARCHAR[]"
        gateway = f"""list_filter(list_transform(range(1, len(p.path)),
              i -> CASE WHEN list_contains({listed}, p.path[i])
                         AND NOT list_contains({listed}, p.path[i + 1])
                        THEN p.path[i + 1] END), g -> g IS NOT NULL)[-1]"""
    return f"""
    WITH per_call AS (
      SELECT call_id,
        list_reverse(string_split(trim(arg_max(path, hop), '|'), '|')) AS path,
        count(*) FILTER (WHERE found) AS legs_found,
        arg_max(found, hop) AS last_found,
        arg_max_null(from_provider, hop) AS last_from,
        arg_max(loop, hop) AS last_loop,
        arg_max_null(customer, hop) AS last_customer,
        arg_max(provider, hop) AS last_provider,
        max(abs(delta_ms)) AS max_delta_ms
      FROM hops GROUP BY call_id
    ),
    p AS (
      SELECT per_call.*,
        CASE WHEN last_found AND last_from IS NULL AND last_customer IS NULL THEN 'unmapped'
             WHEN last_found AND last_from IS NULL THEN 'origin'
             WHEN last_found AND last_loop THEN 'loop'
             WHEN last_found THEN 'hop_limit'
             WHEN last_provider IN (SELECT key FROM recorded) THEN 'no_match'
             ELSE 'no_records' END AS status
      FROM per_call
    )
    SELECT c.call_id, c.campaign, make_timestamptz(c.t_ms * 1000) AS call_time,
      c.called_number, c.calling_number, c.terminating_provider,
      p.path, CAST(p.legs_found AS INTEGER), p.status,
      CASE WHEN p.status = 'origin' THEN p.last_provider END AS origin_provider,
      CASE WHEN p.status = 'origin' THEN p.last_customer END AS customer,
      {gateway} AS gateway_provider,
      CASE WHEN p.status IN ('no_records', 'no_match', 'unmapped') THEN p.last_provider END,
      p.max_delta_ms
    FROM calls c JOIN p ON p.call_id = c.call_id
    ORDER BY c.t_ms, c.call_id"""
