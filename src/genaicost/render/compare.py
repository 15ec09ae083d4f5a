"""CompareResult / WhatIfResult → table, json, csv, markdown, html (HTML with an inline SVG chart)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from html import escape
from typing import Any

from rich import box
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from genaicost.domain.compare import CompareResult
from genaicost.domain.errors import InputError
from genaicost.engine.compare_whatif import WhatIfResult
from genaicost.render.compare_rows import (
    Section,
    compare_sections,
    header_facts,
    what_if_facts,
    what_if_sections,
)
from genaicost.render.html import STYLE, html_table
from genaicost.render.markdown import md_table
from genaicost.render.money import cents_text
from genaicost.render.svg import Bar, Series, stacked_bar_chart
from genaicost.render.table import rich_text

Result = CompareResult | WhatIfResult
MAX_CHART_BARS = 30
KIND_SERIES = (Series("Self-hosted", "#4e79a7"), Series("API", "#f28e2b"))
TABLE_WIDTH_CHARS = 160


def _parts(result: Result) -> tuple[str, list[tuple[str, str]], list[Section], list[str]]:
    if isinstance(result, CompareResult):
        return f"Compare: {result.model}", header_facts(result), compare_sections(result), result.warnings
    return f"What-if: {result.cluster}", what_if_facts(result), what_if_sections(result), result.warnings


def render_compare_table(result: Result) -> str:
    title, facts, sections, warnings = _parts(result)
    parts: list[RenderableType] = [Text(title), *(Text(f"  {k}: {v}") for k, v in facts), Text("")]
    for s in sections:
        table = Table(title=s.title, title_justify="left", box=box.SIMPLE_HEAD, padding=(0, 1))
        for h in s.headers:
            table.add_column(h, overflow="fold")
        for row in s.rows:
            table.add_row(*row)
        parts.append(table)
    parts.extend(Text(f"warning: {w}") for w in warnings)
    return rich_text(parts, width=TABLE_WIDTH_CHARS)


def render_compare_markdown(result: Result) -> str:
    title, facts, sections, warnings = _parts(result)
    out = [f"# {title}", "", *(f"- **{k}**: {v}" for k, v in facts), ""]
    for s in sections:
        out += [f"## {s.title}", "", md_table(list(s.headers), s.rows, right_from=len(s.headers)), ""]
    out += [f"> warning: {w}" for w in warnings]
    return "\n".join(out).rstrip("\n") + "\n"


def render_compare_json(result: Result) -> str:
    data = result.model_dump(mode="json")
    if isinstance(result, CompareResult):
        first = ("options", "break_even", "assumptions")
        data = {**{k: data[k] for k in first}, **{k: v for k, v in data.items() if k not in first}}
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def render_compare_csv(result: Result) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    if isinstance(result, CompareResult):
        writer.writerow(["kind", "name", "instance_type", "purchase_option", "precision", "replicas", "hourly_usd",
                         "monthly_usd", "usd_per_1m_tokens", "throughput_source", "price_source"])
        for o in result.options:
            writer.writerow([o.kind, o.name, o.instance_type or "", o.purchase_option or "", o.precision or "",
                             "" if o.replicas is None else o.replicas,
                             "" if o.hourly_usd is None else repr(o.hourly_usd), cents_text(o.monthly_usd),
                             f"{o.usd_per_1m_tokens:.6f}", o.throughput_source or "", o.price_source or ""])
    else:
        writer.writerow(["node", "instance_type", "capacity_type", "gpu_count", "current_monthly_usd",
                         "target_instance_type", "target_purchase_option", "target_monthly_usd",
                         "monthly_savings_usd", "reason"])
        for n in result.nodes:
            writer.writerow([n.node, n.instance_type or "", n.capacity_type, f"{n.gpu_count:g}",
                             cents_text(n.current_monthly_usd), n.target_instance_type or "",
                             n.target_purchase_option, cents_text(n.target_monthly_usd),
                             cents_text(n.monthly_savings_usd), n.reason or ""])
    return buf.getvalue()


def render_compare_html(result: Result) -> str:
    title, facts, sections, warnings = _parts(result)
    body = [f"<h1>{escape(title)}</h1>",
            "<dl>" + "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in facts) + "</dl>",
            _chart(result)]
    for s in sections:
        body += [f"<h2>{escape(s.title)}</h2>", html_table(list(s.headers), s.rows)]
    body += [f"<p class=\"warning\">warning: {escape(w)}</p>" for w in warnings]
    return ('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>genaicost — {escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n"
            "<body>\n" + "\n".join(body) + "\n</body>\n</html>\n")


def _chart(result: Result) -> str:
    if isinstance(result, CompareResult):
        bars = [Bar(_bar_label(o.instance_type or o.name, o.purchase_option, o.precision),
                    (o.monthly_usd, 0.0) if o.kind == "self-hosted" else (0.0, o.monthly_usd))
                for o in result.options[:MAX_CHART_BARS]]
        return stacked_bar_chart("Monthly cost of each option ($/month, cheapest first)", KIND_SERIES, bars)
    series = (Series("Now", "#9c755f"), Series("Target", "#4e79a7"))
    rows: list[Bar] = []
    for n in result.nodes[:MAX_CHART_BARS // 2]:
        rows.append(Bar(f"{n.node} now", (n.current_monthly_usd or 0.0, 0.0)))
        rows.append(Bar(f"{n.node} {n.target_instance_type or '—'}", (0.0, n.target_monthly_usd or 0.0)))
    return stacked_bar_chart("GPU nodes: $/month now and on the target", series, rows)


def _bar_label(name: str, purchase: str | None, precision: str | None) -> str:
    extra = " ".join(p for p in (purchase, precision) if p)
    return f"{name} {extra}".strip()


RENDERERS: dict[str, Callable[[Any], str]] = {
    "table": render_compare_table,
    "json": render_compare_json,
    "csv": render_compare_csv,
    "markdown": render_compare_markdown,
    "html": render_compare_html,
}


def render_compare(result: Result, fmt: str) -> str:
    if fmt not in RENDERERS:
        raise InputError(f"unknown format {fmt!r}; expected {', '.join(RENDERERS)}", field="--format")
    return RENDERERS[fmt](result)


__all__: Sequence[str] = ["RENDERERS", "render_compare"]
