"""A campaign's flow drawn as a Sankey chart: SVG for the portal, PNG through vl-convert.

Columns are positions on the path, origin side left; a node is a provider at a position, as
tall as the calls through it; a band joins consecutive providers, as wide as the calls
handed from one to the other. Origins are red, gateways orange, the rest blue; beyond
``MAX_NODES`` providers a column folds the smallest into ``others``. Vega-Lite has no
Sankey mark, so the layout is computed here (a few dozen lines, no dependency).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from html import escape

from robotrace.paths.flows import Flow, Link

WIDTH, HEIGHT = 900, 420
MARGIN, NODE_WIDTH, GAP, LABEL = 16, 14, 8, 110
MAX_NODES = 10
OTHERS = "others"
COLOURS = {"origin": "#b04a3b", "gateway": "#d9822b", "carrier": "#1f5f8b"}

Node = tuple[int, str]


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    height: float
    calls: int


def folded_links(flow: Flow, max_nodes: int = MAX_NODES) -> list[Link]:
    """The flow's links with each column's smaller providers merged into ``others``."""
    size = _node_calls(flow.links)
    columns: dict[int, list[Node]] = defaultdict(list)
    for node in size:
        columns[node[0]].append(node)
    kept = {
        node
        for nodes in columns.values()
        for node in sorted(nodes, key=lambda n: (-size[n], n[1]))[:max_nodes]
    }

    def fold(node: Node) -> Node:
        return node if node in kept else (node[0], OTHERS)

    merged: dict[tuple[Node, Node], int] = defaultdict(int)
    for link in flow.links:
        merged[(fold(link.source), fold(link.target))] += link.calls
    return [Link(s, t, n) for (s, t), n in sorted(merged.items())]


def _node_calls(links: list[Link]) -> dict[Node, int]:
    """Calls through each node: the larger of what comes in and what goes out."""
    inflow: dict[Node, int] = defaultdict(int)
    outflow: dict[Node, int] = defaultdict(int)
    for link in links:
        outflow[link.source] += link.calls
        inflow[link.target] += link.calls
    return {node: max(inflow[node], outflow[node]) for node in set(inflow) | set(outflow)}


def layout(links: list[Link]) -> tuple[dict[Node, Box], float]:
    """Where each node goes — columns by position, nodes stacked biggest first — and the
    pixels a call takes."""
    calls = _node_calls(links)
    nodes = set(calls)
    columns: dict[int, list[Node]] = defaultdict(list)
    for node in nodes:
        columns[node[0]].append(node)
    last = max(columns, default=0)
    tallest = max((sum(calls[n] for n in c) for c in columns.values()), default=1)
    most = max((len(c) for c in columns.values()), default=1)
    scale = (HEIGHT - 2 * MARGIN - GAP * (most - 1)) / max(tallest, 1)
    step = (WIDTH - 2 * MARGIN - NODE_WIDTH - LABEL) / max(last, 1)
    boxes = {}
    for position, members in columns.items():
        y: float = MARGIN
        for node in sorted(members, key=lambda n: (n[1] == OTHERS, -calls[n], n[1])):
            height = max(calls[node] * scale, 1.0)
            boxes[node] = Box(MARGIN + position * step, y, height, calls[node])
            y += height + GAP
    return boxes, scale


def sankey_svg(flow: Flow, title: str | None = None) -> str:
    """The flow of one campaign as a standalone, accessible SVG document."""
    links = folded_links(flow)
    boxes, scale = layout(links)
    origins = {v.provider for v in flow.origins}
    gateways = {v.provider for v in flow.gateways}
    heading = title or f"How the calls of {flow.campaign} flowed"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-labelledby="sankey-title '
        f'sankey-desc" font-family="DejaVu Sans, sans-serif" font-size="11">',
        f'<title id="sankey-title">{escape(heading)}</title>',
        f'<desc id="sankey-desc">{escape(_description(flow))}</desc>',
        '<rect width="100%" height="100%" fill="#ffffff"/>',
    ]
    out_used: dict[Node, float] = defaultdict(float)
    in_used: dict[Node, float] = defaultdict(float)
    ordered = sorted(links, key=lambda lk: (boxes[lk.source].y, boxes[lk.target].y))
    for link in ordered:
        source, target = boxes[link.source], boxes[link.target]
        width = link.calls * scale
        y0 = source.y + out_used[link.source]
        y1 = target.y + in_used[link.target]
        out_used[link.source] += width
        in_used[link.target] += width
        x0, x1 = source.x + NODE_WIDTH, target.x
        middle = (x0 + x1) / 2
        colour = COLOURS[_kind(link.source, origins, gateways)]
        parts.append(
            f'<path d="M{x0:.1f},{y0:.1f} C{middle:.1f},{y0:.1f} {middle:.1f},{y1:.1f} '
            f"{x1:.1f},{y1:.1f} L{x1:.1f},{y1 + width:.1f} C{middle:.1f},{y1 + width:.1f} "
            f'{middle:.1f},{y0 + width:.1f} {x0:.1f},{y0 + width:.1f} Z" fill="{colour}" '
            f'fill-opacity="0.35"><title>{escape(link.source[1])} → '
            f"{escape(link.target[1])}: {link.calls:,} calls</title></path>"
        )
    for node, box in sorted(boxes.items()):
        colour = COLOURS[_kind(node, origins, gateways)]
        parts.append(
            f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{NODE_WIDTH}" '
            f'height="{box.height:.1f}" fill="{colour}"><title>{escape(node[1])}: '
            f"{box.calls:,} calls</title></rect>"
        )
        parts.append(
            f'<text x="{box.x + NODE_WIDTH + 4:.1f}" y="{box.y + box.height / 2 + 4:.1f}">'
            f"{escape(node[1])} ({box.calls:,})</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts)


def _kind(node: Node, origins: set[str], gateways: set[str]) -> str:
    if node[1] in gateways:
        return "gateway"
    if node[0] == 0 and node[1] in origins:
        return "origin"
    return "carrier"


def _description(flow: Flow) -> str:
    top = ", ".join(f"{v.provider} {v.share:.0%}" for v in flow.gateways[:3]) or "none found"
    origin = ", ".join(f"{v.provider} {v.share:.0%}" for v in flow.origins[:3]) or "none found"
    return (
        f"{flow.calls:,} calls; traced to an origin: {flow.origin_identified:.0%}; "
        f"origins: {origin}; gateways: {top}."
    )


def sankey_png(flow: Flow, scale: float = 2) -> bytes:
    import vl_convert

    return bytes(vl_convert.svg_to_png(sankey_svg(flow), scale=scale))
