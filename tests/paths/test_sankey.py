"""The Sankey chart: a well-formed, labelled SVG whose boxes and bands are as tall as the
calls through them; small providers folded into "others"."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pyarrow as pa

from robotrace.paths.flows import Flow, Link, Volume, campaign_flows
from robotrace.paths.sankey import MAX_NODES, OTHERS, folded_links, sankey_png, sankey_svg

SVG = "{http://www.w3.org/2000/svg}"


def flow_of(paths: list[list[str]], campaign: str = "C-1") -> Flow:
    rows = {
        "call_id": [str(n) for n in range(len(paths))],
        "campaign": [campaign] * len(paths),
        "path": paths,
        "status": ["origin"] * len(paths),
        "origin_provider": [p[0] for p in paths],
        "gateway_provider": pa.array([None] * len(paths), pa.string()),
    }
    (flow,) = campaign_flows(pa.table(rows))
    return flow


def boxes(svg: str) -> dict[str, float]:
    root = ET.fromstring(svg)
    found = {}
    for rect in root.iter(f"{SVG}rect"):
        title = rect.find(f"{SVG}title")
        if title is not None:
            name, calls = re.match(r"(.+): ([\d,]+) calls", title.text).groups()
            found[name] = float(rect.get("height")) / int(calls.replace(",", ""))
    return found


def test_boxes_are_as_tall_as_their_calls():
    paths = [["ORIG", "GATE", "MID", "TERM"]] * 30 + [["ORIG", "GATE", "TERM"]] * 10
    flow = flow_of(paths)
    assert (flow.calls, flow.origins[0].provider, flow.origins[0].calls) == (40, "ORIG", 40)
    svg = sankey_svg(flow)
    ratios = boxes(svg)
    assert set(ratios) == {"ORIG", "GATE", "MID", "TERM"}
    # Every box has the same height per call (TERM appears twice: positions 2 and 3).
    assert max(ratios.values()) - min(ratios.values()) < 1e-6
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    assert "40 calls" in root.find(f"{SVG}desc").text


def test_a_column_keeps_its_biggest_providers_and_folds_the_rest():
    paths = [["ORIG", f"T{n:02d}"] for n in range(MAX_NODES + 5) for _ in range(n + 1)]
    flow = flow_of(paths)
    links = folded_links(flow)
    targets = {link.target[1]: link.calls for link in links}
    assert len(targets) == MAX_NODES + 1 and OTHERS in targets
    assert targets[OTHERS] == sum(range(1, 6))  # T00..T04 are the five smallest
    assert sum(targets.values()) == len(paths)


def test_the_png_is_a_png():
    flow = Flow("C-1", 2, {"origin": 2}, 1.0, [Volume("A", 2, 1.0)], [], [Volume("A", 2, 1.0)],
                [Link((0, "A"), (1, "B"), 2)])  # fmt: skip
    assert sankey_png(flow).startswith(b"\x89PNG\r\n\x1a\n")


def test_names_are_escaped():
    flow = flow_of([["<A&B>", "TERM"]])
    svg = sankey_svg(flow)
    ET.fromstring(svg)  # well-formed
    assert "<A&B>" not in svg and "&lt;A&amp;B&gt;" in svg
