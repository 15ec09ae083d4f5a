from __future__ import annotations

import csv
import io
import json

import pytest

from genaicost.domain.errors import InputError
from genaicost.domain.report import Allocation, Report
from genaicost.render import RENDERERS, render
from genaicost.render.columns import breakdown_columns


def test_unknown_format_names_the_allowed_ones(sample_report: Report) -> None:
    with pytest.raises(InputError, match=r"unknown format 'xlsx'.*table, json, csv, markdown, html"):
        render(sample_report, "xlsx")


def test_names_are_kebab_case() -> None:
    assert all(name == name.lower() and "_" not in name for name in RENDERERS)


def test_json_round_trips(sample_report: Report) -> None:
    text = render(sample_report, "json")
    assert Report.model_validate_json(text) == sample_report
    assert list(json.loads(text))[:3] == ["schema_version", "generated_at", "cluster"]


def test_csv_rows_sum_to_total(sample_report: Report) -> None:
    rows = list(csv.DictReader(io.StringIO(render(sample_report, "csv"))))
    assert [r["kind"] for r in rows] == ["allocation"] * 3 + ["idle", "overhead"]
    assert rows[2]["total_usd"] == "0.12"  # 0.125 half-even
    assert rows[0]["monthly_usd"] == "2970.37"  # 4.069 × 730 = 2970.37
    assert rows[1]["cpu_usage_core_hours"] == ""  # no metrics → empty, not 0
    assert rows[1]["unpriced"] == "true"
    assert rows[0]["namespace"] == "llm-serving"


def test_optional_columns_appear_only_when_used(sample_report: Report) -> None:
    labels = [c.label for c in breakdown_columns(sample_report)]
    assert labels == ["CPU", "RAM", "GPU", "Storage", "Network/LB", "Overhead", "Total"]
    shared = sample_report.model_copy(
        update={
            "allocations": [
                *sample_report.allocations,
                Allocation(name="x", shared_usd=0.5, idle_usd=0.25, total_usd=0.75),
            ]
        }
    )
    labels = [c.label for c in breakdown_columns(shared)]
    assert labels == ["CPU", "RAM", "GPU", "Storage", "Network/LB", "Overhead", "Shared", "Idle", "Total"]
    assert "Shared" in render(shared, "table") and "Idle" in render(shared, "markdown")


def test_table_fits_its_width(sample_report: Report) -> None:
    assert max(len(line) for line in render(sample_report, "table").splitlines()) <= 132


def test_html_escapes_names(sample_report: Report) -> None:
    evil = sample_report.model_copy(update={"cluster": "<script>alert(1)</script>"})
    page = render(evil, "html")
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
