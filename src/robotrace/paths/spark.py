"""The Spark engine: the same band join on ``pyspark`` DataFrames, for a cluster or ``local[*]``.

It returns what :class:`~robotrace.paths.duck.DuckEngine` returns, row for row
(:func:`~robotrace.paths.duck.best_legs_sql` is the reference): the calls are exploded into
their own time bucket and the two neighbours, joined on equality of called key and bucket
with the legs to the listed numbers (a broadcast semi-join), filtered by the tolerance, and
the nearest leg per call and provider is kept by a window ``row_number()`` — once, cached.
No ASOF join (see :mod:`robotrace.paths.engine`). Each hop is then an equality join with
those best legs, materialised with ``localCheckpoint()`` so that the plan of hop 16 does not
carry the fifteen before it. Times are read as epoch milliseconds with ``unix_millis``, in a
session whose time zone is UTC. Needs the ``spark`` extra (``pip install 'robotrace[spark]'``)
and a Java runtime.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import reduce
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from robotrace.paths.duck import store_files
from robotrace.paths.engine import CALL_COLUMNS, HOP_SCHEMA, Band, TracingEngine

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession

DEFAULT_MASTER = "local[*]"
#: Listed calls up to this many are shipped whole to every task (a broadcast semi-join);
#: above it Spark chooses the join itself.
BROADCAST_CALLS = 500_000
#: The calls as handed to Spark: fixed Arrow types, whatever produced the table.
CALLS_ARROW = pa.schema(
    [
        ("call_id", pa.string()),
        ("called_key", pa.string()),
        ("calling_key", pa.string()),
        ("t_ms", pa.int64()),
        ("terminating_provider", pa.string()),
    ]
)
_SPARK_TYPES = {
    pa.string(): "string",
    pa.int32(): "int",
    pa.int64(): "bigint",
    pa.bool_(): "boolean",
}
_LOCAL = re.compile(r"^local(?:\[(\*|\d+)(?:,\s*\d+)?\])?$")


def spark_session(master: str | None = None, driver_memory: str | None = None) -> SparkSession:
    """A session for bulk tracing: UTC, no UI, few shuffle partitions on a local master.

    ``driver_memory`` (e.g. ``"8g"``) sizes a JVM that this call starts; without it Spark's
    own ``SPARK_DRIVER_MEMORY`` variable or its default (1g) applies.
    """
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master(master or DEFAULT_MASTER)
        .appName("robotrace-paths")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
    )
    cores = local_cores(master or DEFAULT_MASTER)
    if cores is not None:
        # Spark's 200 shuffle partitions are tiny tasks on a laptop's two cores.
        builder = builder.config("spark.sql.shuffle.partitions", str(2 * cores))
        builder = builder.config("spark.driver.bindAddress", "127.0.0.1")
        builder = builder.config("spark.driver.host", "127.0.0.1")
    if driver_memory:
        builder = builder.config("spark.driver.memory", driver_memory)
    with _no_pandas_version_warning():
        return builder.getOrCreate()


@contextmanager
def _no_pandas_version_warning() -> Iterator[None]:
    """pyspark warns of a pandas it has not tried (3.x) even where no pandas is used."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "PySpark does not yet fully support", FutureWarning)
        yield


def local_cores(master: str) -> int | None:
    """The cores of a ``local``/``local[N]``/``local[*]`` master; None for a cluster."""
    match = _LOCAL.match(master.strip())
    if not match:
        return None
    count = match.group(1)
    if count is None:
        return 1
    return (os.cpu_count() or 1) if count == "*" else max(int(count), 1)


class SparkEngine(TracingEngine):
    """Bulk tracing on Spark. ``master``: any Spark master URL (default ``local[*]``);
    ``session``: use this session instead (it is never stopped by :meth:`close`)."""

    name = "spark"

    def __init__(
        self,
        master: str | None = None,
        *,
        session: SparkSession | None = None,
        driver_memory: str | None = None,
    ) -> None:
        from pyspark import SparkContext

        # A session that was running before this engine is someone else's: never stop it.
        self._owns_session = session is None and SparkContext._active_spark_context is None
        self.spark = session or spark_session(master, driver_memory)
        if self._owns_session:
            self.spark.sparkContext.setLogLevel("ERROR")  # its WARN lines are noise to a user
        self._cached: list[DataFrame] = []
        self._calls_rows = 0

    def load_calls(self, calls: pa.Table) -> DataFrame:
        table = calls.select(list(CALL_COLUMNS)).cast(CALLS_ARROW)
        self._calls_rows = table.num_rows
        if _spark_major() >= 4:
            with _no_pandas_version_warning():
                return self.spark.createDataFrame(table)
        return self.spark.createDataFrame(table.to_pylist(), schema=_ddl(CALLS_ARROW))

    def best_legs(self, store: Path, calls: DataFrame, band: Band) -> DataFrame:
        from pyspark.sql import functions as F

        keys = calls.select("called_key").distinct()
        if self._calls_rows <= BROADCAST_CALLS:
            keys = F.broadcast(keys)
        leg_ms = F.unix_millis(F.col("call_time"))
        legs = (
            self._store(store)
            .join(keys, "called_key", "left_semi")
            .select(
                "provider",
                leg_ms.alias("leg_ms"),
                _floor_div(leg_ms, band.bucket_ms).alias("bucket"),
                "called_key",
                F.coalesce("calling_key", F.lit("")).alias("calling_key"),
                F.when(F.col("from_provider") != "", F.col("from_provider")).alias("from_provider"),
                "customer",
                F.coalesce("sip_call_id", F.lit("")).alias("sip_call_id"),
            )
        )
        # Every hop joins the best legs: compute them once and keep them.
        return self._cache(_nearest(_candidates(calls, legs, band)))

    def first_frontier(self, calls: DataFrame) -> DataFrame:
        from pyspark.sql import functions as F

        return calls.select(
            "call_id",
            F.lit(0).cast("int").alias("hop"),
            F.col("terminating_provider").alias("provider"),
            F.concat(F.lit("|"), "terminating_provider", F.lit("|")).alias("path"),
        )

    def follow(self, frontier: DataFrame, best: DataFrame) -> DataFrame:
        from pyspark.sql import functions as F

        f, b = frontier.alias("f"), best.alias("b")
        found = F.col("b.call_id").isNotNull()
        on_path = F.col("f.path").contains(
            F.concat(F.lit("|"), F.col("b.from_provider"), F.lit("|"))
        )
        same = (F.col("f.call_id") == F.col("b.call_id")) & (
            F.col("f.provider") == F.col("b.provider")
        )
        matched = f.join(b, same, "left").select(
            F.col("f.call_id").alias("call_id"),
            F.col("f.hop").alias("hop"),
            F.col("f.provider").alias("provider"),
            found.alias("found"),
            F.col("b.leg_ms").alias("leg_ms"),
            F.col("b.delta_ms").alias("delta_ms"),
            F.col("b.from_provider").alias("from_provider"),
            F.col("b.customer").alias("customer"),
            F.coalesce(F.col("b.calling_matched"), F.lit(False)).alias("calling_matched"),
            F.coalesce(F.col("b.from_provider").isNotNull() & on_path, F.lit(False)).alias("loop"),
            F.col("f.path").alias("path"),
        )
        # Materialise the hop: the next one starts from this result, not from its plan.
        return matched.localCheckpoint(eager=True)

    def next_frontier(self, matched: DataFrame) -> DataFrame:
        from pyspark.sql import functions as F

        going_on = F.col("found") & F.col("from_provider").isNotNull() & ~F.col("loop")
        return matched.where(going_on).select(
            "call_id",
            (F.col("hop") + 1).alias("hop"),
            F.col("from_provider").alias("provider"),
            F.concat("path", "from_provider", F.lit("|")).alias("path"),
        )

    def is_empty(self, relation: DataFrame) -> bool:
        return bool(relation.isEmpty())  # Any to mypy where the spark extra is not installed

    def hops(self, matched: list[DataFrame]) -> pa.Table:
        if not matched:
            return HOP_SCHEMA.empty_table()
        columns = [f"CAST({f.name} AS {_SPARK_TYPES[f.type]}) AS {f.name}" for f in HOP_SCHEMA]
        union = reduce(lambda a, b: a.unionByName(b), (m.selectExpr(*columns) for m in matched))
        return _to_arrow(union)

    def providers_with_records(self, store: Path) -> set[str]:
        rows = self._store(store).select("provider").distinct().collect()
        return {str(row["provider"]) for row in rows}

    def close(self) -> None:
        for frame in self._cached:
            frame.unpersist()
        self._cached.clear()
        if self._owns_session:
            self.spark.stop()

    def _store(self, store: Path) -> DataFrame:
        return self.spark.read.parquet(*(str(f) for f in store_files(store)))

    def _cache(self, frame: DataFrame) -> DataFrame:
        from pyspark import StorageLevel

        self._cached.append(frame.persist(StorageLevel.MEMORY_AND_DISK))
        return frame


def _candidates(calls: DataFrame, legs: DataFrame, band: Band) -> DataFrame:
    """Every leg within the tolerance of a listed call, at any provider, found through the
    call's bucket ±1."""
    from pyspark.sql import functions as F

    shifted = calls.select(
        "call_id",
        "called_key",
        F.col("calling_key").alias("call_calling_key"),
        "t_ms",
        F.explode(F.array(F.lit(-1), F.lit(0), F.lit(1))).alias("shift"),
    ).withColumn("bucket", _floor_div(F.col("t_ms"), band.bucket_ms) + F.col("shift"))
    delta = F.col("leg_ms") - F.col("t_ms")
    calling_matched = (F.col("call_calling_key") != "") & (
        F.col("calling_key") == F.col("call_calling_key")
    )
    return (
        shifted.join(legs, ["called_key", "bucket"])
        .where(F.abs(delta) <= band.tolerance_ms)
        .select(
            "call_id",
            "provider",
            "leg_ms",
            delta.alias("delta_ms"),
            "from_provider",
            "customer",
            calling_matched.alias("calling_matched"),
            "sip_call_id",
        )
    )


def _nearest(candidates: DataFrame) -> DataFrame:
    """Each call's best candidate at each provider, in :func:`robotrace.cdr.lookup.best_leg`'s
    order (nulls last, as DuckDB sorts them)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    order = Window.partitionBy("call_id", "provider").orderBy(
        F.abs("delta_ms").asc_nulls_last(),
        F.col("calling_matched").desc_nulls_last(),
        F.col("leg_ms").asc_nulls_last(),
        F.col("sip_call_id").asc_nulls_last(),
    )
    return (
        candidates.withColumn("rank", F.row_number().over(order))
        .where(F.col("rank") == 1)
        .select(
            "call_id",
            "provider",
            "leg_ms",
            "delta_ms",
            "from_provider",
            "customer",
            "calling_matched",
        )
    )


def _floor_div(column: Column, divisor: int) -> Column:
    """``column // divisor`` in whole numbers (a double division could round)."""
    from pyspark.sql import functions as F

    # An exact multiple of the divisor, divided: exact in a double up to 2^53.
    return ((column - F.pmod(column, F.lit(divisor))) / F.lit(divisor)).cast("bigint")


def _to_arrow(frame: DataFrame) -> pa.Table:
    if hasattr(frame, "toArrow"):  # pyspark 4
        table = frame.toArrow()
    else:
        table = pa.Table.from_pylist([row.asDict() for row in frame.collect()], HOP_SCHEMA)
    return table.select(HOP_SCHEMA.names).cast(HOP_SCHEMA)


def _spark_major() -> int:
    import pyspark

    return int(pyspark.__version__.split(".", 1)[0])


def _ddl(schema: pa.Schema) -> str:
    return ", ".join(f"{f.name} {_SPARK_TYPES[f.type]}" for f in schema)
