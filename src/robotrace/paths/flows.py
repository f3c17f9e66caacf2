"""How each campaign's traffic flows: the providers carrying its calls, with volumes, and
the shares of gateways and origins — from the paths table, one query per figure.

A flow's **links** join consecutive providers of the paths, origin first, each provider
placed at its position on the path (``0`` = the first provider known: the origin, or the
dead end where the trace stopped), so the flow chart (:mod:`robotrace.paths.sankey`) reads
left to right from where the calls came in to where they were delivered.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from robotrace.cdr.duck import connect
from robotrace.files import write_whole

NO_CAMPAIGN = "(no campaign)"


@dataclass(frozen=True)
class Volume:
    provider: str
    calls: int
    share: float  # of the campaign's calls


@dataclass(frozen=True)
class Link:
    source: tuple[int, str]  # (position, provider)
    target: tuple[int, str]
    calls: int


@dataclass(frozen=True)
class Flow:
    campaign: str
    calls: int
    status: dict[str, int]
    origin_identified: float  # share of calls traced to an origin
    origins: list[Volume]
    gateways: list[Volume]
    providers: list[Volume]
    links: list[Link] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        document = asdict(self)
        document["links"] = [
            {"source": list(link.source), "target": list(link.target), "calls": link.calls}
            for link in self.links
        ]
        return document

    @classmethod
    def from_dict(cls, document: dict[str, Any]) -> Flow:
        return cls(
            campaign=document["campaign"],
            calls=document["calls"],
            status=dict(document["status"]),
            origin_identified=document["origin_identified"],
            origins=[Volume(**v) for v in document["origins"]],
            gateways=[Volume(**v) for v in document["gateways"]],
            providers=[Volume(**v) for v in document["providers"]],
            links=[
                Link(tuple(lk["source"]), tuple(lk["target"]), lk["calls"])
                for lk in document["links"]
            ],
        )


def campaign_flows(paths: pa.Table) -> list[Flow]:
    """One flow per campaign of the paths (calls without one under ``(no campaign)``),
    most calls first."""
    connection = connect()
    try:
        connection.register("paths", paths)
        connection.execute(
            f"""CREATE TEMP TABLE p AS
                SELECT coalesce(campaign, '{NO_CAMPAIGN}') AS campaign, * EXCLUDE (campaign)
                FROM paths"""
        )
        totals = dict(
            connection.execute("SELECT campaign, count(*) FROM p GROUP BY campaign").fetchall()
        )
        status = _grouped(connection, "SELECT campaign, status, count(*) FROM p GROUP BY ALL")
        origins = _volumes(connection, "origin_provider", totals)
        gateways = _volumes(connection, "gateway_provider", totals)
        carriers = _volumes(connection, "unnest(list_distinct(path))", totals)
        links = _links(connection)
    finally:
        connection.close()
    flows = [
        Flow(
            campaign=str(campaign),
            calls=int(total),
            status={s: status.get(campaign, {}).get(s, 0) for s in _STATUSES},
            origin_identified=status.get(campaign, {}).get("origin", 0) / total,
            origins=origins.get(campaign, []),
            gateways=gateways.get(campaign, []),
            providers=carriers.get(campaign, []),
            links=links.get(campaign, []),
        )
        for campaign, total in totals.items()
    ]
    return sorted(flows, key=lambda f: (-f.calls, f.campaign))


_STATUSES = ("origin", "no_records", "no_match", "unmapped", "loop", "hop_limit")


def _grouped(connection: duckdb.DuckDBPyConnection, sql: str) -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = {}
    for campaign, key, count in connection.execute(sql).fetchall():
        found.setdefault(campaign, {})[key] = int(count)
    return found


def _volumes(
    connection: duckdb.DuckDBPyConnection, expression: str, totals: dict[str, int]
) -> dict[str, list[Volume]]:
    rows = connection.execute(
        f"""SELECT campaign, provider, count(*) AS n FROM (
              SELECT campaign, {expression} AS provider FROM p)
            WHERE provider IS NOT NULL GROUP BY ALL ORDER BY campaign, n DESC, provider"""
    ).fetchall()
    found: dict[str, list[Volume]] = {}
    for campaign, provider, count in rows:
        found.setdefault(campaign, []).append(
            Volume(str(provider), int(count), int(count) / totals[campaign])
        )
    return found


def _links(connection: duckdb.DuckDBPyConnection) -> dict[str, list[Link]]:
    rows = connection.execute(
        """SELECT campaign, i - 1 AS position, path[i] AS source, path[i + 1] AS target,
             count(*) AS n
           FROM (SELECT campaign, path, unnest(range(1, len(path))) AS i FROM p)
           GROUP BY ALL ORDER BY campaign, position, n DESC, source, target"""
    ).fetchall()
    found: dict[str, list[Link]] = {}
    for campaign, position, source, target, count in rows:
        found.setdefault(campaign, []).append(
            Link((int(position), str(source)), (int(position) + 1, str(target)), int(count))
        )
    return found


# --- Stored flows, for the portal ---------------------------------------------------------

FLOWS = "flows"


def flows_dir(analytics_dir: str | Path) -> Path:
    return Path(analytics_dir) / FLOWS


def file_name(campaign: str, suffix: str = ".json") -> str:
    """A file name for ``campaign`` (anything but letters, digits, - and _ becomes _)."""
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in campaign) + suffix


def save_flows(flows: list[Flow], analytics_dir: str | Path) -> list[Path]:
    """Each campaign's flow as ``<analytics_dir>/flows/<campaign>.json`` (replacing the
    previous run's), where the portal's campaign page finds it."""
    folder = flows_dir(analytics_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for flow in flows:
        if flow.campaign == NO_CAMPAIGN:
            continue
        path = folder / file_name(flow.campaign)
        write_whole(path, json.dumps(flow.as_dict(), indent=1) + "\n")
        written.append(path)
    return written


def load_flow(analytics_dir: str | Path, campaign: str) -> Flow | None:
    """The stored flow of ``campaign``, or None (never traced in bulk, or unreadable)."""
    path = flows_dir(analytics_dir) / file_name(campaign)
    try:
        return Flow.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None
