"""Report → GitHub-flavoured Markdown (tables), for pull requests, issues and wikis."""

from __future__ import annotations

from collections.abc import Sequence

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
from genaicost.render.recommend_doc import recommend_markdown_lines


def render_markdown(report: Report) -> str:
    blocks = [
        f"# Cost report: {_cell(report.cluster)}",
        "\n".join(f"- **{label}:** {_cell(value)}" for label, value in header_facts(report)),
        "## Totals\n\n" + _totals(report),
        f"## Cost by {_cell(', '.join(report.aggregate))}\n\n" + _allocations(report),
        "## Nodes\n\n" + _nodes(report),
        *inference_markdown_blocks(report),
        *(["\n".join(recommend_markdown_lines(report.recommendations, "##"))] if report.recommendations else []),
        *_lists(report),
    ]
    return "\n\n".join(blocks) + "\n"


def md_table(headers: Sequence[str], rows: Sequence[Sequence[str]], right_from: int = 1) -> str:
    """A GitHub table; columns from index `right_from` on are right-aligned."""
    align = ["---" if i < right_from else "---:" for i in range(len(headers))]
    lines = [_row(headers), _row(align), *(_row(r) for r in rows)]
    return "\n".join(lines)


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _totals(report: Report) -> str:
    rows = totals_table(report)
    return md_table(["Period", "Cost"], rows)


def _allocations(report: Report) -> str:
    columns = breakdown_columns(report)
    efficiency = efficiency_columns(report)
    rows = []
    for name, line in breakdown_lines(report):
        label = f"`{name}`" if name.startswith("__") else name
        if getattr(line, "unpriced", False):
            label += " \\*"
        rows.append(
            [
                label,
                *(format_usd(getattr(line, c.field)) for c in columns),
                format_usd(monthly_of(report, line.total_usd)),
                *efficiency_cells(line, efficiency),
            ]
        )
    rows.append(
        [
            "**Total**",
            *(f"**{format_usd(getattr(report.totals, c.field))}**" for c in columns),
            f"**{format_usd(report.totals.monthly_usd)}**",
            *("" for _ in efficiency),
        ]
    )
    return md_table(["Name", *(c.label for c in columns), "Monthly", *(c.label for c in efficiency)], rows)


def _nodes(report: Report) -> str:
    shown = node_gpu_util_shown(report)
    rows = []
    for node in report.nodes:
        rows.append(
            [
                node.name,
                node.instance_type or "?",
                node.capacity_type,
                gpu_summary(node),
                node.price_source,
                format_usd(node.hourly_usd),
                format_usd(node.total_usd),
                format_usd(node.idle_usd),
                *([node_gpu_util(node)] if shown else []),
            ]
        )
    headers = ["Node", "Instance", "Capacity", "GPUs", "Price source", "$/h", "Cost", "Idle"]
    return md_table([*headers, *(["GPU util"] if shown else [])], rows, right_from=5)


def inference_markdown_blocks(report: Report, level: str = "##") -> list[str]:
    """The inference tables and their notes (none without inference lines); shared with the inference view."""
    blocks = [
        f"{level} {spec.title}\n\n" + md_table(spec.headers, spec.rows, right_from=spec.leading_text_columns)
        for spec in inference_tables(report)
    ]
    if blocks:
        blocks.append("\n".join(f"- {_cell(note)}" for note in inference_notes(report)))
    return blocks


def _lists(report: Report) -> list[str]:
    out = []
    if any(a.unpriced for a in report.allocations):
        out.append("\\* part of this line's cost is unknown (see Unpriced).")
    sections = message_sections(report, quote="`")
    for title, lines in sections:
        if lines:
            out.append(f"## {title}\n\n" + "\n".join(f"- {_cell(line)}" for line in lines))
    return out
