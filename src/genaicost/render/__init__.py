"""Renderers: pure functions Report → str, registered by kebab-case name."""

from __future__ import annotations

from collections.abc import Callable

from genaicost.domain.errors import InputError
from genaicost.domain.report import Report
from genaicost.render.csv_ import render_csv
from genaicost.render.html import render_html
from genaicost.render.json_ import render_json
from genaicost.render.markdown import render_markdown
from genaicost.render.table import render_table

Renderer = Callable[[Report], str]

RENDERERS: dict[str, Renderer] = {
    "table": render_table,
    "json": render_json,
    "csv": render_csv,
    "markdown": render_markdown,
    "html": render_html,
}


def render(report: Report, fmt: str) -> str:
    """Render `report` in format `fmt`; an unknown format is an InputError naming the allowed ones."""
    renderer = RENDERERS.get(fmt)
    if renderer is None:
        raise InputError(f"unknown format {fmt!r}; expected one of: {', '.join(RENDERERS)}", field="--format")
    return renderer(report)
