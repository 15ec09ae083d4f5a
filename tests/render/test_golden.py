"""Golden files for every format, on the hand-built report (GENAICOST_UPDATE_GOLDEN=1 rewrites them)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from genaicost.domain.report import Report
from genaicost.render import RENDERERS, render

GOLDEN_DIR = Path(__file__).resolve().parents[1] / "data" / "golden"
EXTENSIONS = {"table": "txt", "json": "json", "csv": "csv", "markdown": "md", "html": "html"}


def test_every_renderer_has_a_golden_file() -> None:
    assert set(RENDERERS) == set(EXTENSIONS)


@pytest.mark.parametrize("fmt", sorted(EXTENSIONS))
def test_matches_golden(sample_report: Report, fmt: str) -> None:
    out = render(sample_report, fmt)
    path = GOLDEN_DIR / f"sample_report.{EXTENSIONS[fmt]}"
    if os.environ.get("GENAICOST_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(out, encoding="utf-8")
    assert out == path.read_text(encoding="utf-8"), f"{fmt} output differs from {path}"


@pytest.mark.parametrize("fmt", sorted(EXTENSIONS))
def test_deterministic(sample_report: Report, fmt: str) -> None:
    assert render(sample_report, fmt) == render(sample_report.model_copy(deep=True), fmt)


def test_html_needs_no_network(sample_report: Report) -> None:
    page = render(sample_report, "html")
    assert not re.search(r"<(script|link|img|iframe)[^>]*(src|href)\s*=\s*[\"']?\s*(https?:)?//", page, re.I)
    assert "<svg" in page and "</html>" in page
    # the data is there: names, amounts rounded half-even, and the embedded JSON
    assert "llm-serving" in page and "$4.07" in page and "$0.12" in page
    assert 'id="genaicost-report"' in page
