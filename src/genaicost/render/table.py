"""Report → a Rich table, rendered to plain text at a fixed width (the terminal format)."""

from __future__ import annotations

import io

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from genaicost.domain.report import Report
from genaicost.render.columns import (
    breakdown_columns,
    breakdown_lines,
    gpu_summary,
    header_facts,
    message_sections,
    monthly_of,
    totals_rows,
)
from genaicost.render.inference import (
    TEXT_COLUMNS,
    efficiency_cells,
    efficiency_columns,
    inference_notes,
    inference_tables,
    node_gpu_util,
    node_gpu_util_shown,
)
from genaicost.render.money import format_usd
from genaicost.render.recommend import render_recommend_table

TABLE_WIDTH_CHARS = 132  # a wide terminal; the nodes table needs it for GPU and price-source names


def render_table(report: Report, *, width: int = TABLE_WIDTH_CHARS) -> str:
    parts: list[RenderableType] = [
        _header(report),
        Text(""),
        _totals(report),
        _allocations(report),
        _nodes(report, width),
        *inference_renderables(report),
        *([Text("Recommendations", style="bold"), Text(render_recommend_table(report.recommendations))]
          if report.recommendations else []),
        *_messages(report),
    ]
    return rich_text(parts, width=width)


def rich_text(parts: list[RenderableType], *, width: int) -> str:
    """Print renderables to plain text at a fixed width (no colour, no trailing spaces)."""
    console = Console(
        file=io.StringIO(),
        width=width,
        color_system=None,
        force_terminal=False,
        legacy_windows=False,
        emoji=False,
        highlight=False,
    )
    with console.capture() as capture:
        console.print(Group(*parts))
    return "\n".join(line.rstrip() for line in capture.get().splitlines()) + "\n"


def inference_renderables(report: Report) -> list[RenderableType]:
    """The inference tables and their notes (nothing when the report has no inference lines)."""
    out: list[RenderableType] = []
    for spec in inference_tables(report):
        table = Table(title=spec.title, title_justify="left", box=box.SIMPLE_HEAD, padding=(0, 1))
        for i, label in enumerate(spec.headers):
            if label in TEXT_COLUMNS:  # names give way (ellipsis) before any figure is cut
                table.add_column(label, no_wrap=True, overflow="ellipsis")
            else:
                widest = max([len(label), *(len(row[i]) for row in spec.rows)])
                table.add_column(label, justify="right", no_wrap=True, min_width=widest)
        for row in spec.rows:
            table.add_row(*row)
        out.append(table)
    if out:
        out += [Text(note) for note in inference_notes(report)] + [Text("")]
    return out


def _header(report: Report) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.title = "genaicost — cluster cost report"
    grid.title_justify = "left"
    grid.add_column(style="bold")
    grid.add_column()
    for label, value in header_facts(report):
        grid.add_row(label, value)
    return grid


def _totals(report: Report) -> Table:
    table = Table(title="Totals", title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("Period")
    table.add_column("Cost", justify="right")
    for label, usd in totals_rows(report):
        table.add_row(label, format_usd(usd))
    table.add_row("Allocated (before idle and overhead)", format_usd(report.totals.allocated_usd))
    return table


def _allocations(report: Report) -> Table:
    title = f"Cost by {', '.join(report.aggregate)} for the window"
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, show_footer=True)
    columns = breakdown_columns(report)
    table.add_column("Name", footer="Total")
    for column in columns:
        total = getattr(report.totals, column.field)
        table.add_column(column.label, justify="right", footer=format_usd(total))
    table.add_column("Monthly", justify="right", footer=format_usd(report.totals.monthly_usd))
    efficiency = efficiency_columns(report)
    for eff in efficiency:
        table.add_column(eff.label, justify="right")
    for name, line in breakdown_lines(report):
        cells = [format_usd(getattr(line, c.field)) for c in columns]
        unpriced = getattr(line, "unpriced", False)
        table.add_row(
            name + (" *" if unpriced else ""),
            *cells,
            format_usd(monthly_of(report, line.total_usd)),
            *efficiency_cells(line, efficiency),
        )
    return table


def _nodes(report: Report, width: int) -> Table:
    """Node table: the node name is shortened (ellipsis) before any figure is; figures are never cut."""
    table = Table(title="Nodes", title_justify="left", box=box.SIMPLE_HEAD, padding=(0, 1))
    rows: list[tuple[str, ...]] = [
        (
            node.name,
            node.instance_type or "?",
            node.capacity_type,
            gpu_summary(node),
            format_usd(node.hourly_usd),
            format_usd(node.total_usd),
            format_usd(node.idle_usd),
            node.price_source,
        )
        for node in report.nodes
    ]
    labels: tuple[str, ...] = ("Node", "Instance", "Capacity", "GPUs", "$/h", "Cost", "Idle", "Price source")
    if node_gpu_util_shown(report):
        rows = [(*row, node_gpu_util(node)) for row, node in zip(rows, report.nodes, strict=True)]
        labels = (*labels, "GPU util")
    widths = [max([len(label), *(len(r[i]) for r in rows)]) for i, label in enumerate(labels)]
    room_for_name = width - sum(widths[1:]) - 2 * len(labels) - 8
    table.add_column(labels[0], no_wrap=True, overflow="ellipsis", max_width=max(room_for_name, 16))
    for i, label in enumerate(labels[1:], start=1):
        right = 4 <= i <= 6 or label == "GPU util"
        table.add_column(label, no_wrap=True, justify="right" if right else "left", min_width=widths[i])
    for row in rows:
        table.add_row(*row)
    return table


def _messages(report: Report) -> list[RenderableType]:
    out: list[RenderableType] = []
    if any(a.unpriced for a in report.allocations):
        out.extend([Text("* part of this line's cost is unknown (see Unpriced)"), Text("")])
    sections = message_sections(report)
    for title, lines in sections:
        if lines:
            out.append(Text(f"{title}:", style="bold"))
            out.extend(Text(f"  - {line}") for line in lines)
            out.append(Text(""))
    return out
