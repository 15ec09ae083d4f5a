"""Renderers: pure functions Report → str, registered by kebab-case name."""

from __future__ import annotations

from collections.abc import Callable

from genaicost.domain.errors import InputError
from genaicost.domain.report import Report
from genaicost.render.csv_ import render_csv
from genaicost.render.html import render_html
from genaicost.render.inference_view import (
    render_inference_csv,
    render_inference_html,
    render_inference_json,
    render_inference_markdown,
    render_inference_table,
)
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


# The `inference` view (genaicost inference): the per-model unit economics only, same format names.
INFERENCE_RENDERERS: dict[str, Renderer] = {
    "table": render_inference_table,
    "json": render_inference_json,
    "csv": render_inference_csv,
    "markdown": render_inference_markdown,
    "html": render_inference_html,
}
VIEWS: dict[str, dict[str, Renderer]] = {"report": RENDERERS, "inference": INFERENCE_RENDERERS}


def render(report: Report, fmt: str, *, view: str = "report") -> str:
    """Render `report` in format `fmt` as the whole report (`view="report"`) or its inference economics
    (`view="inference"`); an unknown format or view is an InputError naming the allowed ones."""
    renderers = VIEWS.get(view)
    if renderers is None:
        raise InputError(f"unknown view {view!r}; expected one of: {', '.join(VIEWS)}", field="view")
    renderer = renderers.get(fmt)
    if renderer is None:
        raise InputError(f"unknown format {fmt!r}; expected one of: {', '.join(renderers)}", field="--format")
    return renderer(report)
