"""Plain inline SVG bar charts for the HTML report: no JavaScript, no network, deterministic text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from genaicost.render.money import format_usd

CHART_WIDTH_PX = 900
LABEL_WIDTH_PX = 240
VALUE_WIDTH_PX = 90
BAR_HEIGHT_PX = 18
BAR_GAP_PX = 6
LEGEND_HEIGHT_PX = 28


@dataclass(frozen=True)
class Series:
    label: str
    colour: str


@dataclass(frozen=True)
class Bar:
    label: str
    values: tuple[float, ...]  # one per series, same order; negatives are drawn as zero


def stacked_bar_chart(title: str, series: Sequence[Series], bars: Sequence[Bar]) -> str:
    """Horizontal stacked bars with a legend; every segment carries a <title> tooltip."""
    height = LEGEND_HEIGHT_PX + len(bars) * (BAR_HEIGHT_PX + BAR_GAP_PX) + BAR_GAP_PX
    largest = max((sum(max(v, 0.0) for v in bar.values) for bar in bars), default=0.0)
    plot_width = CHART_WIDTH_PX - LABEL_WIDTH_PX - VALUE_WIDTH_PX
    scale = plot_width / largest if largest > 0 else 0.0
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" width="{CHART_WIDTH_PX}" '
        f'height="{height}" viewBox="0 0 {CHART_WIDTH_PX} {height}">',
        f"<title>{escape(title)}</title>",
        _legend(series),
    ]
    for index, bar in enumerate(bars):
        y = LEGEND_HEIGHT_PX + index * (BAR_HEIGHT_PX + BAR_GAP_PX)
        parts.append(_bar(bar, series, y, scale))
    parts.append("</svg>")
    return "\n".join(parts)


def _legend(series: Sequence[Series]) -> str:
    items = []
    for index, s in enumerate(series):
        x = LABEL_WIDTH_PX + index * 95
        items.append(
            f'<rect x="{x}" y="6" width="12" height="12" fill="{s.colour}"/>'
            f'<text x="{x + 16}" y="16" class="legend">{escape(s.label)}</text>'
        )
    return "".join(items)


def _bar(bar: Bar, series: Sequence[Series], y: int, scale: float) -> str:
    text_y = y + BAR_HEIGHT_PX - 5
    out = [f'<text x="{LABEL_WIDTH_PX - 8}" y="{text_y}" text-anchor="end">{escape(_clip(bar.label))}</text>']
    x = float(LABEL_WIDTH_PX)
    for s, value in zip(series, bar.values, strict=True):
        width = max(value, 0.0) * scale
        if width <= 0:
            continue
        out.append(
            f'<rect x="{x:.2f}" y="{y}" width="{width:.2f}" height="{BAR_HEIGHT_PX}" '
            f'fill="{s.colour}"><title>{escape(bar.label)} — {escape(s.label)}: '
            f"{format_usd(value)}</title></rect>"
        )
        x += width
    total = sum(bar.values)
    out.append(f'<text x="{x + 6:.2f}" y="{text_y}">{format_usd(total)}</text>')
    return "".join(out)


def _clip(label: str, limit: int = 34) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
