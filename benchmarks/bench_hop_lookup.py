"""Hop-lookup latency over one provider's canonical store file, against a plain full scan;
and the same legs as a Kamailio acc export, imported through a trunk map.

    .venv/bin/python benchmarks/bench_hop_lookup.py                 # 10^7 legs, 300 lookups
    .venv/bin/python benchmarks/bench_hop_lookup.py --legs 1000000 --queries 100 --json
    .venv/bin/python benchmarks/bench_hop_lookup.py --no-kamailio   # the canonical store only
    .venv/bin/python benchmarks/bench_hop_lookup.py --quick         # 10^5 legs, in seconds

1. Generates one provider's raw CDR export with DuckDB ``range()`` SQL: ``--legs`` legs to
   about a tenth as many subscribers, time-ordered over three days, called and calling
   numbers in nine spellings, 5% garbage caller IDs, ISO-8601 times.
2. Imports it with ``write_provider_store`` (validation included) and times that.
3. Runs ``--queries`` lookups with ``ProviderRecords.lookup`` in a fresh child process (its
   peak RSS and the time to open the store are reported): existing legs asked with a random
   skew of up to 4 s and the called number in another spelling, plus 10% misses. Lookups
   read the store file's row groups themselves (``robotrace.cdr.storefile``); the same
   requests are also timed through the DuckDB query on the same file (``duckdb_query``,
   what every lookup did before issue 21), with the same answers required.
4. Runs ``--baseline-queries`` of the same lookups as a plain DuckDB scan of the raw input
   (Parquet, unsorted, keys and times computed on the fly), and prints both p50/p99.
5. Unless ``--no-kamailio``: writes the same legs as the CSV export of Kamailio's ``acc``
   table (``kamailio-csv``: local ``DATETIME(3)`` times in New York, the ingress as
   ``src_ip``/``src_port``: one /24 per upstream, one address per customer), imports it
   through a trunk map of 540 entries, times that and the same lookups, and counts the legs
   whose upstream, customer, time or number key differ from the canonical store's (0).

``targets`` says whether the lookup met issue 21's p50 ≤ 5 ms and p99 ≤ 50 ms (before it:
13.2 / 21.8 ms at 10^7 legs, the ``duckdb_query`` figures of this run).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from robotrace.cdr.duck import connect, sql_text
from robotrace.cdr.formats import format_named
from robotrace.cdr.lookup import LookupResult, ProviderRecords
from robotrace.cdr.store import ROW_GROUP_ROWS, StoreSummary, write_provider_store
from robotrace.cdr.switch import SwitchRecords
from robotrace.cdr.trunkmap import load_trunk_map
from robotrace.numbers import digits_key, digits_key_sql
from robotrace.settings import DEFAULTS

SKEW_S = DEFAULTS.cdr_skew_seconds  # the cdr_skew_seconds setting by default: 5 s

PROVIDER = "BNCH"
#: Issue 21's targets for a lookup at 10^7 legs, milliseconds.
TARGET_P50_MS, TARGET_P99_MS = 5.0, 50.0
START = datetime(2020, 5, 1, tzinfo=UTC)
DAYS = 3
_FORMATS = [
    "'+1' || {n}",
    "{n}",
    "'1' || {n}",
    "'1-' || {n}[1:3] || '-' || {n}[4:6] || '-' || {n}[7:10]",
    "'(' || {n}[1:3] || ') ' || {n}[4:6] || '-' || {n}[7:10]",
    "'tel:+1-' || {n}[1:3] || '-' || {n}[4:6] || '-' || {n}[7:10]",
    "'sip:+1' || {n} || '@gw.example.net;user=phone'",
    "'001' || {n}",
    "'0111' || {n}",
]


def _spelled(column: str, salt: int) -> str:
    """SQL spelling the 10-digit national number in ``column`` in one of the formats."""
    cases = " ".join(f"WHEN {k} THEN {f.format(n=column)}" for k, f in enumerate(_FORMATS))
    return f"CASE hash(i * {salt}) % {len(_FORMATS)} {cases} END"


def _national(seed_sql: str) -> str:
    """A 10-digit NANP number (area and exchange 200-999) from an integer expression."""
    return (
        f"CAST(200 + ({seed_sql}) % 800 AS VARCHAR) || CAST(200 + ({seed_sql}) // 800 % 800 "
        f"AS VARCHAR) || lpad(CAST(({seed_sql}) * 7919 % 10000 AS VARCHAR), 4, '0')"
    )


def generate_sql(legs: int, subscribers: int) -> str:
    """One provider's raw export: ``legs`` rows, time-ordered (``i`` spreads over DAYS)."""
    step_us = DAYS * 86_400_000_000 // legs
    garbage = "['0000000000', '123', 'anonymous', ''][CAST(hash(i) % 4 AS BIGINT) + 1]"
    return f"""
    WITH base AS (
      SELECT i, {_national(f"hash(i) % {subscribers}")} AS called_n,
        {_national("hash(i + 7) % 100000000")} AS calling_n
      FROM range({legs}) t(i))
    SELECT '{PROVIDER}' AS provider,
      strftime(TIMESTAMPTZ '{START.isoformat()}' + to_microseconds(i * {step_us}
        + CAST(hash(i * 3) % {step_us} AS BIGINT)), '%Y-%m-%dT%H:%M:%S.%gZ') AS call_time,
      CASE WHEN hash(i * 5) % 20 = 0 THEN {garbage}
        ELSE {_spelled("calling_n", 11)} END AS calling_number,
      {_spelled("called_n", 13)} AS called_number,
      CASE WHEN hash(i * 17) % 10 < 7 THEN 'UP' || lpad(CAST(hash(i) % 40 AS VARCHAR), 2, '0')
        ELSE '' END AS from_provider,
      '' AS to_provider,
      CASE WHEN hash(i * 17) % 10 >= 7 THEN 'customer-' || CAST(hash(i) % 500 AS VARCHAR)
        ELSE '' END AS customer,
      CAST(hash(i * 19) % 600 AS VARCHAR) AS duration_s,
      'ANSWERED' AS disposition, '' AS identity, 'call-' || CAST(i AS VARCHAR) AS sip_call_id
    FROM base ORDER BY i
    """


UPSTREAMS, CUSTOMERS, ZONE = 40, 500, "America/New_York"


def acc_export_sql() -> str:
    """The legs of ``raw`` as rows of Kamailio's ``acc`` table with the stock extras (and
    ``src_port``): what ``\\copy acc TO 'acc.csv' CSV HEADER`` gives."""
    customer = "CAST(substr(customer, 10) AS INTEGER)"
    source = (
        "CASE WHEN from_provider <> '' THEN '10.0.' || CAST(substr(from_provider, 3) AS INTEGER)"
        f" || '.1' ELSE '172.16.' || ({customer} // 250) || '.' || ({customer} % 250 + 1) END"
    )
    local = f"strftime(timezone('{ZONE}', CAST(call_time AS TIMESTAMPTZ)), '%Y-%m-%d %H:%M:%S.%g')"
    return f"""
    SELECT row_number() OVER () AS id, 'INVITE' AS method, 'f' || sip_call_id AS from_tag,
      't' || sip_call_id AS to_tag, sip_call_id AS callid, '200' AS sip_code,
      'OK' AS sip_reason, {local} AS time, calling_number AS src_user,
      'example.net' AS src_domain, {source} AS src_ip, '5060' AS src_port,
      called_number AS dst_ouser, called_number AS dst_user, 'bnch.example' AS dst_domain
    FROM raw"""


def trunk_map_text() -> str:
    """The trunk map that makes the acc export's legs the canonical export's."""
    entries = [f'provider = "{PROVIDER}"\ntime_zone = "{ZONE}"\n']
    for n in range(UPSTREAMS):
        entries.append(f'[[trunk]]\nsource = "10.0.{n}.0/24"\nupstream = "UP{n:02d}"\n')
    for n in range(CUSTOMERS):
        source = f"172.16.{n // 250}.{n % 250 + 1}"
        entries.append(f'[[trunk]]\nsource = "{source}"\ncustomer = "customer-{n}"\n')
    return "\n".join(entries)


def generate(directory: Path, legs: int, kamailio: bool = False) -> tuple[Path, Path, float]:
    """Write the raw export as CSV (imported) and Parquet (the baseline scans it), and with
    ``kamailio`` as ``acc.csv`` too."""
    started = time.perf_counter()
    connection = connect()
    connection.execute(f"CREATE TABLE raw AS {generate_sql(legs, max(legs // 10, 1))}")
    csv_path, parquet_path = directory / "export.csv", directory / "export.parquet"
    connection.execute(f"COPY raw TO {sql_text(str(csv_path))} (HEADER)")
    connection.execute(f"COPY raw TO {sql_text(str(parquet_path))} (FORMAT parquet)")
    if kamailio:
        acc = sql_text(str(directory / "acc.csv"))
        connection.execute(f"COPY ({acc_export_sql()}) TO {acc} (HEADER)")
    connection.close()
    return csv_path, parquet_path, time.perf_counter() - started


def sample_requests(parquet_path: Path, count: int, seed: int) -> list[dict[str, Any]]:
    """Hop requests: existing legs with skew ≤ 4 s, re-spelled; about 10% misses."""
    rng, connection = random.Random(seed), connect()
    hits = connection.execute(
        f"SELECT called_number, calling_number, call_time, sip_call_id "
        f"FROM read_parquet({sql_text(str(parquet_path))}) USING SAMPLE {count} ROWS "
        f"(reservoir, {seed})"
    ).fetchall()
    connection.close()
    requests = []
    for n, (called, calling, call_time, call_id) in enumerate(hits):
        when = datetime.fromisoformat(call_time.replace("Z", "+00:00"))
        miss = n % 10 == 9
        national = "1" + digits_key(called)[1:] if miss else digits_key(called)
        spelling = rng.choice(["+1{}", "1-{}", "{}", "tel:+1{}", "001{}", "0111{}"]).format(
            national
        )
        skew = timedelta(seconds=rng.uniform(-4, 4))
        requests.append(
            {
                "called": spelling,
                "calling": calling,
                "when": when + skew,
                "expect": None if miss else call_id,
            }
        )
    return requests


def baseline_lookup(connection: Any, parquet_path: Path, request: dict[str, Any]) -> list[Any]:
    """The same question as a plain scan: keys and times computed on the fly, no layout."""
    low, high = (
        (request["when"] + timedelta(seconds=s)).strftime("%Y-%m-%d %H:%M:%S.%f+00")
        for s in (-5, 5)
    )
    return connection.execute(
        f"SELECT epoch_ms(t), from_provider, customer, calling_number, sip_call_id "
        f"FROM (SELECT *, TRY_CAST(call_time AS TIMESTAMPTZ) AS t "
        f"FROM read_parquet({sql_text(str(parquet_path))})) "
        f"WHERE {digits_key_sql('called_number')} = ? "
        f"AND t BETWEEN TIMESTAMPTZ '{low}' AND TIMESTAMPTZ '{high}'",
        [digits_key(request["called"])],
    ).fetchall()


def timed(run: Callable[[], Any]) -> tuple[float, Any]:
    """Milliseconds ``run`` took, and what it returned."""
    started = time.perf_counter()
    value = run()
    return (time.perf_counter() - started) * 1000, value


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {
        "p50_ms": round(statistics.median(ordered), 3),
        "p99_ms": round(p99, 3),
        "n": len(ordered),
    }


def time_lookups(store_file: Path, requests: list[dict[str, Any]]) -> tuple[list[float], int]:
    """Latency of each ``ProviderRecords.lookup``, and how many found the expected leg."""
    samples, correct = [], 0
    with ProviderRecords.open(store_file) as records:
        for r in requests:
            ms, result = timed(
                lambda r=r: records.lookup(r["called"], r["calling"], r["when"], SKEW_S)
            )
            samples.append(ms)
            correct += result.sip_call_id == r["expect"]
    return samples, correct


def lookup_process(store_file: Path, requests: list[dict[str, Any]]) -> dict[str, Any]:
    """In a fresh process: open the store, time the lookups and the same ones through the
    DuckDB query; the process's peak RSS."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        return pool.apply(_lookups_here, (store_file, requests))


def _lookups_here(store_file: Path, requests: list[dict[str, Any]]) -> dict[str, Any]:
    open_ms, records = timed(lambda: ProviderRecords.open(store_file))
    with records:
        by_row_groups = records.by_row_groups
        samples, answers = _timed_answers(records, requests)
    with ProviderRecords(connect(), f"read_parquet({sql_text(str(store_file))})", PROVIDER) as q:
        query_samples, query_answers = _timed_answers(q, requests)
    correct = sum(a.sip_call_id == r["expect"] for a, r in zip(answers, requests, strict=True))
    return {
        "open_ms": round(open_ms, 1),
        "by_row_groups": by_row_groups,
        "lookup": percentiles(samples),
        "correct": f"{correct}/{len(requests)}",
        "duckdb_query": percentiles(query_samples),
        "answers_differing_from_duckdb_query": sum(
            a != b for a, b in zip(answers, query_answers, strict=True)
        ),
        "peak_rss_mib": peak_rss_mib(),
    }


def peak_rss_mib() -> float:
    """This process's peak RSS (``VmHWM``). Not ``ru_maxrss``: Linux carries that across
    ``exec``, so a spawned child would report its parent's peak (the import's gigabytes)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _timed_answers(
    records: ProviderRecords, requests: list[dict[str, Any]]
) -> tuple[list[float], list[LookupResult]]:
    samples, answers = [], []
    for r in requests:
        ms, result = timed(lambda r=r: records.lookup(r["called"], r["calling"], r["when"], SKEW_S))
        samples.append(ms)
        answers.append(result)
    return samples, answers


def time_baseline(parquet_path: Path, requests: list[dict[str, Any]]) -> list[float]:
    connection = connect()
    return [timed(lambda r=r: baseline_lookup(connection, parquet_path, r))[0] for r in requests]


def differing_legs(canonical: Path, kamailio: Path) -> int:
    """Legs whose upstream, customer, time or called key differ between the two stores."""
    connection = connect()
    a, b = sql_text(str(canonical)), sql_text(str(kamailio))
    row = connection.sql(
        f"SELECT count(*) FROM read_parquet({a}) a FULL JOIN read_parquet({b}) b "
        "USING (sip_call_id) WHERE a.from_provider IS DISTINCT FROM b.from_provider "
        "OR a.customer IS DISTINCT FROM b.customer OR a.call_time IS DISTINCT FROM b.call_time "
        "OR a.called_key IS DISTINCT FROM b.called_key"
    ).fetchone()
    connection.close()
    return int(row[0]) if row else -1


def run_kamailio(
    directory: Path, requests: list[dict[str, Any]], canonical: StoreSummary
) -> dict[str, Any]:
    """Import ``acc.csv`` through the trunk map; its lookups and its difference from the
    canonical store."""
    (directory / "trunks.toml").write_text(trunk_map_text())
    switch_format = format_named("kamailio-csv")
    assert switch_format is not None
    switch = SwitchRecords(switch_format, load_trunk_map(directory / "trunks.toml"))
    acc = directory / "acc.csv"
    import_ms, summary = timed(
        lambda: write_provider_store([acc], directory / "kamailio-store", switch=switch)
    )
    lookup_ms, correct = time_lookups(summary.path(PROVIDER), requests)
    return {
        "import_s": round(import_ms / 1000, 1),
        "acc_csv_mb": round(acc.stat().st_size / 2**20, 1),
        "lookup": percentiles(lookup_ms),
        "correct": f"{correct}/{len(requests)}",
        "unmapped_legs": sum(summary.unmapped.values()),
        "legs_differing_from_canonical": differing_legs(
            canonical.path(PROVIDER), summary.path(PROVIDER)
        ),
    }


def targets_met(lookup: dict[str, float]) -> dict[str, bool]:
    return {
        f"p50 <= {TARGET_P50_MS:g} ms": lookup["p50_ms"] <= TARGET_P50_MS,
        f"p99 <= {TARGET_P99_MS:g} ms": lookup["p99_ms"] <= TARGET_P99_MS,
    }


def run(
    legs: int, queries: int, baseline_queries: int, seed: int, kamailio: bool = True
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-hop-") as tmp:
        directory = Path(tmp)
        csv_path, parquet_path, generate_s = generate(directory, legs, kamailio)
        import_s, summary = timed(lambda: write_provider_store([csv_path], directory / "store"))
        requests = sample_requests(parquet_path, queries, seed)
        lookups = lookup_process(summary.path(PROVIDER), requests)
        baseline_ms = time_baseline(parquet_path, requests[:baseline_queries])
        switch = run_kamailio(directory, requests, summary) if kamailio else None
        return {
            "legs": legs,
            "row_group_rows": ROW_GROUP_ROWS,
            "generate_s": round(generate_s, 1),
            "import_s": round(import_s / 1000, 1),
            "raw_csv_mb": round(csv_path.stat().st_size / 2**20, 1),
            "store_mb": round(summary.path(PROVIDER).stat().st_size / 2**20, 1),
            **lookups,
            "baseline_full_scan": percentiles(baseline_ms),
            "p50_speedup": round(statistics.median(baseline_ms) / lookups["lookup"]["p50_ms"]),
            "targets": targets_met(lookups["lookup"]),
            **({"kamailio_csv": switch} if switch else {}),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--legs", type=int, default=10_000_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument(
        "--baseline-queries",
        type=int,
        default=30,
        help="full scans to time (each reads the whole file)",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--no-kamailio",
        dest="kamailio",
        action="store_false",
        help="skip the Kamailio acc export (import and lookups through a trunk map)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a small run: 10^5 legs, 100 lookups, 10 full scans, no Kamailio export",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    if args.quick:
        args.legs, args.queries, args.baseline_queries, args.kamailio = 100_000, 100, 10, False
    result = run(args.legs, args.queries, args.baseline_queries, args.seed, args.kamailio)
    if args.json:
        print(json.dumps(result))
        return
    for name, value in result.items():
        print(f"{name:>20}: {value}")


if __name__ == "__main__":
    main()
