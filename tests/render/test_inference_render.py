"""The inference view and the efficiency / inference sections of the report view, on a hand-built report.

Golden files: tests/data/golden/inference_view.* (every format of `render(report, fmt, view="inference")`)
and report_with_inference.* (the report view with efficiency columns and the inference section).
GENAICOST_UPDATE_GOLDEN=1 rewrites them.
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest

from conftest import build_sample_report
from genaicost.domain.errors import InputError
from genaicost.domain.report import InferenceLine, Report
from genaicost.render import INFERENCE_RENDERERS, RENDERERS, render
from genaicost.render.inference import format_count, format_fraction

GOLDEN_DIR = Path(__file__).resolve().parents[1] / "data" / "golden"
EXTENSIONS = {"table": "txt", "json": "json", "csv": "csv", "markdown": "md", "html": "html"}

# The unit economics of tests/engine/test_inference.py (llama: $4.64, 1.2M in / 0.3M out, prefill 100 s /
# decode 900 s; mistral: $2.16, 400k / 100k, ratio 4), as the engine computes them.
LLAMA = InferenceLine(
    model="llama-3-8b", namespace="llm-serving", engine="vllm", pods=2, cost_usd=4.64,
    input_tokens=1.2e6, output_tokens=0.3e6, cached_input_tokens=150e3, requests=1000,
    successful_requests=990, usd_per_1m_tokens=4.64 / 1.5, usd_per_1m_input_tokens=0.464 / 1.2,
    usd_per_1m_output_tokens=4.176 / 0.3, io_split="prefill-decode-time", usd_per_request=0.00464,
    usd_per_successful_request=4.64 / 990, gpu_hours=4.0, gpu_utilization=0.7, gpu_unused_hours=1.2,
    gpu_unused_usd=1.2, tokens_per_gpu_hour=375_000.0, output_tokens_per_gpu_hour=75_000.0,
    ttft_p50_seconds=0.12, ttft_p95_seconds=0.4, e2e_p50_seconds=2.5, e2e_p95_seconds=7.0,
)
MISTRAL = InferenceLine(
    model="mistral-7b", namespace="llm-serving", engine="tgi", pods=1, cost_usd=2.16, input_tokens=400e3,
    output_tokens=100e3, requests=500, usd_per_1m_tokens=4.32, usd_per_1m_input_tokens=2.7,
    usd_per_1m_output_tokens=10.8, io_split="ratio:4", usd_per_request=0.00432, usd_per_successful_request=None,
    gpu_hours=2.0, gpu_utilization=None, tokens_per_gpu_hour=250_000.0, output_tokens_per_gpu_hour=50_000.0,
    unpriced=True,
)


def inference_report() -> Report:
    base = build_sample_report()
    gpu_node = base.nodes[0].model_copy(update={"gpu_utilization": 0.625})
    serving = base.allocations[0].model_copy(
        update={"cpu_efficiency": 1.0192, "ram_efficiency": 0.6966, "gpu_utilization": 0.7,
                "gpu_unused_hours": 0.9, "gpu_unused_usd": 0.9612, "total_efficiency": 0.5925}
    )
    return base.model_copy(
        update={
            "nodes": [gpu_node, *base.nodes[1:]],
            "allocations": [serving, *base.allocations[1:]],
            "inference": [LLAMA, MISTRAL],
            "partial": True,
            "warnings": [
                *base.warnings,
                "model llm-serving/mistral-7b: 1 pod(s) on unpriced nodes; its cost is understated",
            ],
        }
    )


def _golden(name: str, out: str) -> None:
    path = GOLDEN_DIR / name
    if os.environ.get("GENAICOST_UPDATE_GOLDEN") == "1":
        path.write_text(out, encoding="utf-8")
    assert out == path.read_text(encoding="utf-8"), f"output differs from {path}"


def test_inference_view_has_every_format() -> None:
    assert set(INFERENCE_RENDERERS) == set(RENDERERS) == set(EXTENSIONS)


@pytest.mark.parametrize("fmt", sorted(EXTENSIONS))
def test_inference_view_golden(fmt: str) -> None:
    _golden(f"inference_view.{EXTENSIONS[fmt]}", render(inference_report(), fmt, view="inference"))


@pytest.mark.parametrize("fmt", ["table", "markdown", "html", "csv"])
def test_report_view_with_efficiency_and_inference_golden(fmt: str) -> None:
    _golden(f"report_with_inference.{EXTENSIONS[fmt]}", render(inference_report(), fmt))


def test_inference_table_figures() -> None:
    out = render(inference_report(), "table", view="inference")
    # $/1M blended 3.0933, input 0.3867, output 13.92; $/request 0.0046; 1,200,000 tokens in; 70.0 % GPU
    assert "…" not in out  # nothing cut at the terminal width
    for text in ("$3.0933", "$0.3867", "$13.9200", "$0.0046", "1,200,000", "70.0%", "375,000", "0.120 s"):
        assert text in out, text
    assert "prefill-decode-time" in out and "ratio:4" in out
    assert "an output token costs 4 × an input token" in out
    assert "PARTIAL" in out and "mistral-7b *" in out


def test_inference_json_is_the_documented_subset() -> None:
    data = json.loads(render(inference_report(), "json", view="inference"))
    assert list(data) == [
        "schema_version", "generated_at", "cluster", "source", "window", "prices_as_of", "split", "options",
        "partial", "inference", "unpriced", "warnings", "notes",
    ]
    assert data["partial"] is True
    assert [i["model"] for i in data["inference"]] == ["llama-3-8b", "mistral-7b"]
    assert data["inference"][0]["usd_per_1m_output_tokens"] == pytest.approx(13.92)
    assert data["inference"][1]["usd_per_successful_request"] is None


def test_inference_csv_one_row_per_model() -> None:
    rows = list(csv.DictReader(io.StringIO(render(inference_report(), "csv", view="inference"))))
    assert [r["model"] for r in rows] == ["llama-3-8b", "mistral-7b"]
    assert rows[0]["cost_usd"] == "4.64" and rows[0]["io_split"] == "prefill-decode-time"
    assert float(rows[0]["usd_per_1m_tokens"]) == pytest.approx(4.64 / 1.5)
    assert rows[1]["usd_per_successful_request"] == "" and rows[1]["unpriced"] == "true"


def test_empty_inference_view_says_so() -> None:
    report = build_sample_report()
    for fmt in ("table", "markdown", "html"):
        assert "No models" in render(report, fmt, view="inference")
    assert json.loads(render(report, "json", view="inference"))["inference"] == []
    assert render(report, "csv", view="inference").count("\n") == 1  # header only


def test_report_view_without_measurements_has_no_efficiency_columns() -> None:
    out = render(build_sample_report(), "table")
    assert "GPU util" not in out and "Eff." not in out and "Inference" not in out


def test_unknown_view() -> None:
    with pytest.raises(InputError, match="unknown view"):
        render(build_sample_report(), "table", view="bogus")


def test_formatters() -> None:
    assert format_fraction(0.70) == "70.0%" and format_fraction(None) == "-"
    assert format_fraction(0.0125) == "1.2%"  # half-even
    assert format_count(1_234_567.5) == "1,234,568" and format_count(None) == "-"
