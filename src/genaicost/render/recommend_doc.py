"""RecommendationSet → Markdown and a self-contained HTML page (inline CSS, an SVG bar per recommendation)."""

from __future__ import annotations

from html import escape

from genaicost.domain.recommendation import RecommendationSet
from genaicost.render.money import format_usd
from genaicost.render.recommend import counted_mark, facts, header_lines

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;margin:0.5rem 0 1.5rem}
th,td{border-bottom:1px solid #ddd;padding:0.25rem 0.6rem;text-align:left;vertical-align:top}
td.num{text-align:right;white-space:nowrap}tr.alt{color:#777}
"""
BAR_WIDTH = 160


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def recommend_markdown_lines(rs: RecommendationSet, level: str = "#") -> list[str]:
    """The recommendations as Markdown under a `level` heading (sub-sections one level below); shared with the
    report's Markdown (`genaicost report --recommendations`)."""
    sub = level + "#"
    lines = [f"{level} Recommendations: {rs.cluster}", "", *(f"- {h}" for h in header_lines(rs)), "",
             "| # | Saving/month | Confidence | Strategy | Target | Action | Evidence |",
             "|---:|---:|---|---|---|---|---|"]
    for i, rec in enumerate(rs.recommendations, 1):
        saving = format_usd(rec.monthly_savings_usd) + ("" if rec.counted_in_total else " (alt.)")
        lines.append(f"| {i} | {saving} | {rec.confidence} | {rec.strategy} | {_md_cell(rec.target)} | "
                     f"{_md_cell(rec.action)} | {_md_cell(facts(rec.evidence))} |")
    lines += ["", f"{sub} Assumptions and confidence rules", ""]
    for i, rec in enumerate(rs.recommendations, 1):
        lines.append(f"{i}. **{rec.strategy}** {_md_cell(rec.target)}{counted_mark(rec)}: "
                     f"{_md_cell(facts(rec.assumptions))}. Confidence {rec.confidence}: {rec.confidence_rule}")
    if rs.skipped:
        lines += ["", f"{sub} Skipped", ""] + [f"- **{s.strategy}**: {_md_cell(s.reason)}" for s in rs.skipped]
    if rs.warnings:
        lines += ["", f"{sub} Warnings", ""] + [f"- {_md_cell(w)}" for w in rs.warnings]
    return lines


def render_recommend_markdown(rs: RecommendationSet) -> str:
    return "\n".join(recommend_markdown_lines(rs)) + "\n"


def _bar(value: float, top: float) -> str:
    width = 0 if top <= 0 else max(1, round(BAR_WIDTH * value / top))
    return (f'<svg width="{BAR_WIDTH}" height="12" role="img"><rect width="{width}" height="12" '
            'fill="#59a14f"/></svg>')


def recommend_html_blocks(rs: RecommendationSet, level: int = 1) -> list[str]:
    """The recommendations as HTML under an <h`level`> heading; shared with the report's HTML page."""
    top = max((r.monthly_savings_usd for r in rs.recommendations), default=0.0)
    rows = []
    for i, rec in enumerate(rs.recommendations, 1):
        rows.append(
            f'<tr class="{"" if rec.counted_in_total else "alt"}"><td class="num">{i}</td>'
            f'<td class="num">{escape(format_usd(rec.monthly_savings_usd))}</td>'
            f"<td>{_bar(rec.monthly_savings_usd, top)}</td><td>{escape(rec.confidence)}</td>"
            f"<td>{escape(rec.strategy)}</td><td>{escape(rec.target)}"
            f"{escape(counted_mark(rec))}</td><td>{escape(rec.action)}</td><td>{escape(facts(rec.evidence))}</td>"
            f"<td>{escape(facts(rec.assumptions))}<br><small>{escape(rec.confidence_rule)}</small></td></tr>")
    skipped = "".join(f"<li><b>{escape(s.strategy)}</b>: {escape(s.reason)}</li>" for s in rs.skipped)
    warnings = "".join(f"<li>{escape(w)}</li>" for w in rs.warnings)
    h, sub = f"h{level}", f"h{level + 1}"
    body = [
        f"<{h}>Recommendations: {escape(rs.cluster)}</{h}>",
        "<ul>" + "".join(f"<li>{escape(line)}</li>" for line in header_lines(rs)) + "</ul>",
        "<table><thead><tr><th>#</th><th>Saving/month</th><th></th><th>Confidence</th><th>Strategy</th>"
        "<th>Target</th><th>Action</th><th>Evidence</th><th>Assumptions</th></tr></thead><tbody>"
        + "".join(rows) + "</tbody></table>",
        f"<{sub}>Skipped</{sub}><ul>{skipped}</ul>" if skipped else "",
        f"<{sub}>Warnings</{sub}><ul>{warnings}</ul>" if warnings else "",
    ]
    return [b for b in body if b]


def render_recommend_html(rs: RecommendationSet) -> str:
    return ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>genaicost recommendations"
            f"</title><style>{STYLE}</style></head><body>\n" + "\n".join(recommend_html_blocks(rs))
            + "\n</body></html>\n")
