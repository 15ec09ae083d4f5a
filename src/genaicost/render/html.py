"""Report → one self-contained HTML page (inline CSS and SVG charts; opens with no network)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape

from genaicost.domain.report import Report
from genaicost.render.columns import (
    breakdown_columns,
    breakdown_lines,
    gpu_summary,
    header_facts,
    message_sections,
    monthly_of,
    totals_table,
)
from genaicost.render.inference import (
    efficiency_cells,
    efficiency_columns,
    inference_notes,
    inference_tables,
    node_gpu_util,
    node_gpu_util_shown,
)
from genaicost.render.money import format_usd
from genaicost.render.recommend_doc import recommend_html_blocks
from genaicost.render.svg import Bar, Series, stacked_bar_chart

MAX_CHART_BARS = 30
RESOURCE_SERIES = (
    (Series("CPU", "#4e79a7"), "cpu_usd"),
    (Series("RAM", "#59a14f"), "ram_usd"),
    (Series("GPU", "#e15759"), "gpu_usd"),
    (Series("Storage", "#f28e2b"), "storage_usd"),
    (Series("Network/LB", "#76b7b2"), "network_usd"),
    (Series("Overhead", "#bab0ac"), "overhead_usd"),
    (Series("Shared", "#b07aa1"), "shared_usd"),
    (Series("Idle", "#9c755f"), "idle_usd"),
)
NODE_SERIES = (Series("Allocated", "#4e79a7"), Series("Idle", "#9c755f"))
STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;margin:0.5rem 0 1.5rem}
th,td{border-bottom:1px solid #ddd;padding:0.25rem 0.6rem;text-align:right}
th:first-child,td:first-child{text-align:left}
tfoot td{font-weight:bold;border-top:2px solid #999}
dl{display:grid;grid-template-columns:max-content auto;gap:0.2rem 1rem}dt{font-weight:bold}
svg.chart text{font-size:12px;fill:#222}
"""


def render_html(report: Report) -> str:
    body = [
        f"<h1>Cost report: {escape(report.cluster)}</h1>",
        "<dl>"
        + "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in header_facts(report))
        + "</dl>",
        "<h2>Totals</h2>",
        _totals(report),
        f"<h2>Cost by {escape(', '.join(report.aggregate))}</h2>",
        _aggregate_chart(report),
        _allocations(report),
        "<h2>Nodes: cost and idle</h2>",
        _node_chart(report),
        _nodes(report),
        *inference_html_blocks(report),
        *(recommend_html_blocks(report.recommendations, 2) if report.recommendations else []),
        *_lists(report),
        _data_block(report),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>genaicost — {escape(report.cluster)}</title>\n<style>{STYLE}</style>\n</head>\n"
        "<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )


def html_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], footer: Sequence[str] | None = None
) -> str:
    head = "<tr>" + "".join(f"<th>{escape(h)}</th>" for h in headers) + "</tr>"
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    foot = (
        ""
        if footer is None
        else ("<tfoot><tr>" + "".join(f"<td>{escape(c)}</td>" for c in footer) + "</tr></tfoot>")
    )
    return f"<table><thead>{head}</thead><tbody>{body}</tbody>{foot}</table>"


def _totals(report: Report) -> str:
    rows = totals_table(report)
    return html_table(["Period", "Cost"], rows)


def _allocations(report: Report) -> str:
    columns = breakdown_columns(report)
    efficiency = efficiency_columns(report)
    rows = [
        [
            name + (" *" if getattr(line, "unpriced", False) else ""),
            *(format_usd(getattr(line, c.field)) for c in columns),
            format_usd(monthly_of(report, line.total_usd)),
            *efficiency_cells(line, efficiency),
        ]
        for name, line in breakdown_lines(report)
    ]
    footer = [
        "Total",
        *(format_usd(getattr(report.totals, c.field)) for c in columns),
        format_usd(report.totals.monthly_usd),
        *("" for _ in efficiency),
    ]
    headers = ["Name", *(c.label for c in columns), "Monthly", *(c.label for c in efficiency)]
    return html_table(headers, rows, footer)


def _aggregate_chart(report: Report) -> str:
    lines = sorted(breakdown_lines(report), key=lambda item: -item[1].total_usd)
    bars = [
        Bar(name, tuple(getattr(line, f) for _, f in RESOURCE_SERIES))
        for name, line in lines[:MAX_CHART_BARS]
    ]
    rest = lines[MAX_CHART_BARS:]
    if rest:
        sums = tuple(sum(getattr(line, f) for _, line in rest) for _, f in RESOURCE_SERIES)
        bars.append(Bar(f"other ({len(rest)} lines)", sums))
    return stacked_bar_chart("Cost by aggregate, stacked by resource", [s for s, _ in RESOURCE_SERIES], bars)


def _node_chart(report: Report) -> str:
    nodes = sorted(report.nodes, key=lambda n: -n.total_usd)[:MAX_CHART_BARS]
    bars = [Bar(n.name, (n.total_usd - n.idle_usd, n.idle_usd)) for n in nodes]
    return stacked_bar_chart("Node cost: allocated vs idle", NODE_SERIES, bars)


def _nodes(report: Report) -> str:
    shown = node_gpu_util_shown(report)
    rows = [
        [
            n.name,
            n.instance_type or "?",
            n.capacity_type,
            gpu_summary(n),
            n.price_source,
            format_usd(n.hourly_usd),
            format_usd(n.total_usd),
            format_usd(n.idle_usd),
            *([node_gpu_util(n)] if shown else []),
        ]
        for n in report.nodes
    ]
    headers = ["Node", "Instance", "Capacity", "GPUs", "Price source", "$/h", "Cost", "Idle"]
    return html_table([*headers, *(["GPU util"] if shown else [])], rows)


def inference_html_blocks(report: Report) -> list[str]:
    """The inference tables and their notes (none without inference lines); shared with the inference view."""
    blocks = []
    for spec in inference_tables(report):
        blocks += [f"<h2>{escape(spec.title)}</h2>", html_table(spec.headers, spec.rows)]
    if blocks:
        blocks.append("<ul>" + "".join(f"<li>{escape(n)}</li>" for n in inference_notes(report)) + "</ul>")
    return blocks


def _lists(report: Report) -> list[str]:
    sections = message_sections(report)
    return [
        f"<h2>{title}</h2><ul>" + "".join(f"<li>{escape(line)}</li>" for line in lines) + "</ul>"
        for title, lines in sections
        if lines
    ]


def _data_block(report: Report) -> str:
    """The whole report as JSON, for scripts that scrape the page; safe inside <script>."""
    text = json.dumps(report.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":"))
    text = text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    return f'<script type="application/json" id="genaicost-report">{text}</script>'
