"""The `inference` view: a Report's per-model unit economics in every format (`genaicost inference`).

JSON is a subset of the Report: schema_version, generated_at, cluster, source, window, prices_as_of,
pricing split, options, partial, inference[], unpriced[], warnings[], notes[]. CSV is one row per model
with every InferenceLine field (money per window in cents; per-token and per-request rates unrounded).
"""

from __future__ import annotations

import csv
import io
import json
from html import escape
from typing import Any

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from genaicost.domain.report import InferenceLine, Report
from genaicost.render.html import STYLE, inference_html_blocks
from genaicost.render.inference import inference_header_facts
from genaicost.render.markdown import inference_markdown_blocks
from genaicost.render.money import cents_text
from genaicost.render.table import TABLE_WIDTH_CHARS, inference_renderables, rich_text

NO_LINES = "No models: no serving-engine metrics in the window (see warnings)."
JSON_FIELDS = (
    "schema_version",
    "generated_at",
    "cluster",
    "source",
    "window",
    "prices_as_of",
    "options",
    "partial",
    "inference",
    "unpriced",
    "warnings",
    "notes",
)
CENT_FIELDS = frozenset({"cost_usd", "idle_share_usd", "gpu_unused_usd"})


def _messages(report: Report) -> list[tuple[str, list[str]]]:
    return [
        ("Unpriced", [f"{u.kind} {u.name}: {u.reason}" for u in report.unpriced]),
        ("Warnings", list(report.warnings)),
    ]


def render_inference_json(report: Report) -> str:
    data = report.model_dump(mode="json", include=set(JSON_FIELDS))
    data["split"] = report.pricing.split
    ordered = {k: data[k] for k in (*JSON_FIELDS[:6], "split", *JSON_FIELDS[6:])}
    return json.dumps(ordered, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _csv_value(name: str, value: Any) -> str:
    if value is None:
        return ""
    if name in CENT_FIELDS:
        return cents_text(value)
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def render_inference_csv(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    fields = list(InferenceLine.model_fields)
    writer.writerow(fields)
    for line in report.inference:
        writer.writerow([_csv_value(f, getattr(line, f)) for f in fields])
    return buffer.getvalue()


def render_inference_table(report: Report) -> str:
    grid = Table.grid(padding=(0, 2))
    grid.title = "genaicost — inference unit economics"
    grid.title_justify = "left"
    grid.add_column(style="bold")
    grid.add_column()
    for label, value in inference_header_facts(report):
        grid.add_row(label, value)
    parts: list[RenderableType] = [grid, Text("")]
    parts += inference_renderables(report) or [Text(NO_LINES), Text("")]
    for title, lines in _messages(report):
        if lines:
            parts += [Text(f"{title}:", style="bold"), *(Text(f"  - {line}") for line in lines), Text("")]
    return rich_text(parts, width=TABLE_WIDTH_CHARS)


def render_inference_markdown(report: Report) -> str:
    blocks = [
        f"# Inference unit economics: {report.cluster}",
        "\n".join(f"- **{label}:** {value}" for label, value in inference_header_facts(report)),
        *(inference_markdown_blocks(report) or [NO_LINES]),
    ]
    for title, lines in _messages(report):
        if lines:
            blocks.append(f"## {title}\n\n" + "\n".join(f"- {line}" for line in lines))
    return "\n\n".join(blocks) + "\n"


def render_inference_html(report: Report) -> str:
    facts = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in inference_header_facts(report))
    body = [
        f"<h1>Inference unit economics: {escape(report.cluster)}</h1>",
        f"<dl>{facts}</dl>",
        *(inference_html_blocks(report) or [f"<p>{escape(NO_LINES)}</p>"]),
    ]
    for title, lines in _messages(report):
        if lines:
            items = "".join(f"<li>{escape(line)}</li>" for line in lines)
            body.append(f"<h2>{escape(title)}</h2><ul>{items}</ul>")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>genaicost inference — {escape(report.cluster)}</title>\n<style>{STYLE}</style>\n</head>\n"
        "<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )
