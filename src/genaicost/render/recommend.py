"""RecommendationSet → table / json / csv (recommend_doc: markdown / html). Money rounds half-even to cents."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

from genaicost.domain.errors import InputError
from genaicost.domain.recommendation import Recommendation, RecommendationSet, Scalar
from genaicost.render.money import cents_text, format_usd

CSV_COLUMNS = ("rank", "strategy", "target", "action", "monthly_savings_usd", "counted_in_total", "confidence",
               "evidence", "assumptions")


def header_lines(rs: RecommendationSet) -> list[str]:
    return [
        f"Cluster {rs.cluster} (source {rs.source}), window {rs.window_hours:g} h, prices as of "
        f"{rs.prices_as_of.isoformat()}" + (" — PARTIAL data" if rs.partial else ""),
        f"Total potential savings: {format_usd(rs.total_monthly_savings_usd)}/month "
        f"({sum(r.counted_in_total for r in rs.recommendations)} of {len(rs.recommendations)} recommendations "
        "counted; the others are alternatives on the same resources)",
        f"How the total is counted: {rs.total_rule}",
    ]


def scalar_text(value: Scalar) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return "" if value is None else str(value)


def facts(values: dict[str, Scalar]) -> str:
    return "; ".join(f"{k}={scalar_text(v)}" for k, v in values.items())


def counted_mark(rec: Recommendation) -> str:
    return "" if rec.counted_in_total else " (alternative, not in total)"


def render_recommend_table(rs: RecommendationSet) -> str:
    lines = [*header_lines(rs), ""]
    rows = [("#", "Saving/month", "Conf.", "Strategy", "Target", "Action")]
    for i, rec in enumerate(rs.recommendations, 1):
        rows.append((str(i), format_usd(rec.monthly_savings_usd) + ("" if rec.counted_in_total else "*"),
                     rec.confidence, rec.strategy, rec.target, rec.action))
    widths = [max(len(r[c]) for r in rows) for c in range(5)]
    for j, row in enumerate(rows):
        cells = [row[c].rjust(widths[c]) if c in (0, 1) else row[c].ljust(widths[c]) for c in range(5)]
        lines.append("  ".join([*cells, row[5]]).rstrip())
        if j == 0:
            lines.append("  ".join("-" * w for w in widths) + "  ------")
    if any(not r.counted_in_total for r in rs.recommendations):
        lines.append("* an alternative on resources a larger recommendation changes: not in the total")
    for i, rec in enumerate(rs.recommendations, 1):
        lines += ["", f"{i}. {rec.strategy} {rec.target}{counted_mark(rec)}",
                  f"   evidence: {facts(rec.evidence)}", f"   assumptions: {facts(rec.assumptions)}",
                  f"   confidence {rec.confidence}: {rec.confidence_rule}"]
    if rs.skipped:
        lines += ["", "Skipped:"] + [f"  {s.strategy}: {s.reason}" for s in rs.skipped]
    if rs.warnings:
        lines += ["", "Warnings:"] + [f"  {w}" for w in rs.warnings]
    return "\n".join(lines) + "\n"


def render_recommend_json(rs: RecommendationSet) -> str:
    return json.dumps(rs.model_dump(mode="json"), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def render_recommend_csv(rs: RecommendationSet) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for i, rec in enumerate(rs.recommendations, 1):
        writer.writerow([i, rec.strategy, rec.target, rec.action, cents_text(rec.monthly_savings_usd),
                         str(rec.counted_in_total).lower(), rec.confidence,
                         json.dumps(rec.evidence, ensure_ascii=False), json.dumps(rec.assumptions, ensure_ascii=False)])
    writer.writerow(["", "total", "", "", cents_text(rs.total_monthly_savings_usd), "", "", "", ""])
    return buf.getvalue()


def recommend_renderers() -> dict[str, Callable[[RecommendationSet], str]]:
    from genaicost.render.recommend_doc import render_recommend_html, render_recommend_markdown

    return {"table": render_recommend_table, "json": render_recommend_json, "csv": render_recommend_csv,
            "markdown": render_recommend_markdown, "html": render_recommend_html}


def render_recommendations(rs: RecommendationSet, fmt: str) -> str:
    renderers = recommend_renderers()
    if fmt not in renderers:
        raise InputError(f"unknown format {fmt!r}; expected one of: {', '.join(renderers)}", field="--format")
    return renderers[fmt](rs)
