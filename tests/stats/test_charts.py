"""The charts: their data equal an independent count of the CSV, and ``robotrace stats --png``
writes real PNG images (read back by their header, not by robotrace)."""

from __future__ import annotations

import json
import shutil
import struct
from collections import Counter
from datetime import date
from pathlib import Path

from click.testing import CliRunner

from robotrace.cli import main
from robotrace.stats.charts import NONE_GIVEN, OTHERS, statistics_charts
from robotrace.stats.complaints import complaint_stats
from tests.stats.test_complaints import complaints_csv, expected, read_rows, stored

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: The PNGs are kept where CI keeps the browser tests' screenshots.
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "statistics"
START, END = date(2020, 3, 1), date(2020, 5, 1)


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from the IHDR chunk (PNG spec, section 11.2.2)."""
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert (length, kind) == (13, b"IHDR")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def values(spec: dict) -> list[dict]:
    return spec["data"]["values"]


def ranked(want: dict) -> list[tuple[str, int]]:
    rows = [(c["value"], c["complaints"]) for c in want["top"]]
    if want["rest"]:
        rows.append((OTHERS, want["rest"]))
    if want["unknown"]:
        rows.append((NONE_GIVEN, want["unknown"]))
    return rows


def test_the_charts_show_the_counted_figures(tmp_path):
    path = complaints_csv(tmp_path / "ftc.csv")
    want = expected(read_rows(path), START, END, 3, None)
    charts = statistics_charts(complaint_stats(stored(tmp_path, path), START, END, top=3))
    assert list(charts) == ["complaints-per-day", "subjects", "states", "robocalls"]
    per_day = {row["day"]: row["complaints"] for row in values(charts["complaints-per-day"])}
    assert per_day == {c["value"]: c["complaints"] for c in want["per_day"]}
    for name, figure in (("subjects", "subjects"), ("states", "states")):
        got = [(row["value"], row["complaints"]) for row in values(charts[name])]
        assert got == ranked(want[figure]), name
    answers = Counter({row["answer"]: row["complaints"] for row in values(charts["robocalls"])})
    assert list(answers.values()) == [
        want["robocalls"]["yes"],
        want["robocalls"]["no"],
        want["robocalls"]["unknown"],
    ]
    assert all(
        spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
        for spec in charts.values()
    )


def test_no_complaints_make_no_charts(tmp_path):
    assert statistics_charts(complaint_stats(tmp_path / "empty")) == {}


def test_the_command_writes_pngs_and_json(tmp_path):
    path = complaints_csv(tmp_path / "ftc.csv")
    analytics = stored(tmp_path, path)
    out = ARTIFACTS
    shutil.rmtree(out, ignore_errors=True)
    arguments = ["stats", "complaints", "--json", "--png", str(out)]
    arguments += ["--analytics-dir", str(analytics)]
    result = CliRunner().invoke(main, [*arguments, "--from", "2020-03-01", "--to", "2020-05-01"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["complaints"] == len(read_rows(path))
    names = sorted(p.name for p in out.iterdir())
    assert names == ["complaints-per-day.png", "robocalls.png", "states.png", "subjects.png"]
    for name in names:
        width, height = png_size(out / name)
        assert width >= 400 and height >= 150, (name, width, height)
    result = CliRunner().invoke(main, ["stats", "--scorecards", "--png", str(out)])
    assert result.exit_code == 2 and "--png draws the complaint statistics" in result.output
