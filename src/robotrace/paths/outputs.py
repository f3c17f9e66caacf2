"""The files a bulk trace writes: ``paths.parquet`` and ``flows.json``, each written whole —
by ``robotrace paths`` and by the portal's federated bulk tracebacks alike."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from robotrace.files import write_whole, written_whole
from robotrace.paths.flows import Flow, campaign_flows

PATHS_FILE = "paths.parquet"
FLOWS_FILE = "flows.json"


def write_outputs(found: pa.Table, out: Path, flows: list[Flow] | None = None) -> list[Flow]:
    """``found`` (``PATH_SCHEMA``) as ``out/paths.parquet`` and its campaigns' flows (made
    from it unless given) as ``out/flows.json``; returns the flows."""
    flows = campaign_flows(found) if flows is None else flows
    out.mkdir(parents=True, exist_ok=True)
    with written_whole(out / PATHS_FILE) as partial:
        pq.write_table(found, partial)
    write_whole(out / FLOWS_FILE, json.dumps([f.as_dict() for f in flows], indent=1) + "\n")
    return flows
