"""``robotrace paths`` over a provider's switch records: a call that came in on an unmapped
trunk ends there with status ``unmapped``, never as an origin."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
from click.testing import CliRunner

from robotrace.cli import main
from tests.cdr.test_switch_formats import ACC_ROWS, TRUNKS, acc_file, write


def test_paths_end_at_an_unmapped_trunk(tmp_path: Path) -> None:
    acc_file(tmp_path / "dbtext", *ACC_ROWS)  # TERM's: one leg mapped to UPST, one unmapped
    trunks = write(tmp_path / "trunks.toml", TRUNKS)
    calls = write(
        tmp_path / "calls.csv",
        "call_id,called_number,calling_number,call_time,terminating_provider\n"
        "mapped,+13105550199,+12025550143,2020-05-01T12:00:01Z,TERM\n"
        "unmapped,+13105550100,,2020-05-01T12:00:00Z,TERM\n",
    )
    result = CliRunner().invoke(
        main,
        ["paths", "--cdrs", str(tmp_path / "dbtext"), "--format", "kamailio-dbtext",
         "--trunk-map", str(trunks), "--calls", str(calls), "--out", str(tmp_path / "out"),
         "--no-png", "--no-publish", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = {r["call_id"]: r for r in pq.read_table(tmp_path / "out" / "paths.parquet").to_pylist()}
    assert (rows["mapped"]["status"], rows["mapped"]["path"]) == ("no_records", ["UPST", "TERM"])
    unmapped = rows["unmapped"]
    assert (unmapped["status"], unmapped["dead_end_provider"]) == ("unmapped", "TERM")
    assert (unmapped["origin_provider"], unmapped["customer"]) == (None, None)
    flows = json.loads((tmp_path / "out" / "flows.json").read_text())
    assert flows[0]["status"]["unmapped"] == 1
