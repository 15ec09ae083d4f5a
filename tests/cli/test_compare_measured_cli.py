"""`genaicost compare` with a cluster source: replicas sized from the throughput measured there (docs/compare.md §3b).

Bundled prices (us-east-1, 2026-07-20): g5.12xlarge (4 × A10G) $5.672/h on-demand, $2.1824/h spot (estimate).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

from genaicost.cli.main import app
from genaicost.domain.snapshot import table_from_rows
from genaicost.sources.demo import demo_snapshot
from genaicost.sources.snapshot_file import save_snapshot

runner = CliRunner()
NOW = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
G5_NODE = "ip-10-0-40-41.ec2.internal"   # the demo's on-demand g5.12xlarge: 4 llama-3.1-8b pods, 1 GPU each
LLAMA = ("--model", "Llama-3.1-8B", "--precision", "bf16", "--input-tokens-per-month", "8e9",
         "--output-tokens-per-month", "4e9", "--api", "bedrock/meta.llama3-1-8b")


def run(*args: str) -> Any:
    return runner.invoke(app, ["compare", *args])


def test_demo_has_no_token_counts_and_falls_back_to_the_table() -> None:
    result = run(*LLAMA, "--demo", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert any("genai-prod (demo, 1h) has no serving-engine metrics (token counts): no measured throughput; sizing "
               "from the bundled benchmark table" in w for w in data["warnings"])
    hosted = [o for o in data["options"] if o["kind"] == "self-hosted"]
    assert hosted and not any(o["throughput_source"].startswith("measured: genai-prod") for o in hosted)
    assert data["assumptions"]["measured_throughput"] == "auto"
    assert data["assumptions"]["throughput_source"].startswith("bundled benchmark table")


def _saved_serving_demo(tmp_path: Path) -> Path:
    """The demo (2 h) with vLLM counters for its 4 llama-3.1-8b pods on the g5.12xlarge node, DCGM 0.5 busy."""
    snap = demo_snapshot(NOW, window_hours=2.0)
    pods = (snap.containers.filter((pl.col("node") == G5_NODE) & (pl.col("gpu_request") > 0))
            .select("namespace", "pod").unique().sort("pod").rows())
    assert len(pods) == 4
    rows = [{"namespace": ns, "pod": pod, "model": "meta-llama/Llama-3.1-8B-Instruct", "engine": "vllm",
             "input_tokens": 3.6e6, "output_tokens": 1.8e6, "requests": 3000.0} for ns, pod in pods]
    busy = pl.when(pl.col("node") == G5_NODE).then(0.5).otherwise(pl.col("gpu_utilization"))
    saved = tmp_path / "serving.json"
    save_snapshot(replace(snap, model_usage=table_from_rows("model_usage", rows),
                          containers=snap.containers.with_columns(busy.alias("gpu_utilization"))), saved)
    return saved


def test_measured_option_from_a_saved_snapshot(tmp_path: Path) -> None:
    """docs/compare.md §3b worked example. By hand: 4 pods × 1.8 M = 7.2 M output tokens / (4 pods × 1 GPU × 2 h
    = 8 GPU-hours × 3600) = 250 tok/s per GPU × 4 GPUs = 1000 tok/s served per g5.12xlarge, at 50 % GPU → capacity
    2000 tok/s; × 0.7 = 1400.
    Demand 4e9 / (730 × 3600) = 1522.07 output tok/s → ⌈1.0872⌉ = 2 replicas:
    on-demand 2 × 5.672 × 730 = $8,281.12, spot 2 × 2.1824 × 730 = $3,186.30."""
    saved = _saved_serving_demo(tmp_path)
    result = run(*LLAMA, "--snapshot", str(saved), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    g5 = {o["purchase_option"]: o for o in data["options"] if o["instance_type"] == "g5.12xlarge"}
    assert g5["on-demand"]["throughput_output_tokens_per_s"] == pytest.approx(2000.0)
    assert (g5["on-demand"]["replicas"], g5["on-demand"]["monthly_usd"]) == (2, pytest.approx(2 * 5.672 * 730))
    assert (g5["spot"]["replicas"], g5["spot"]["monthly_usd"]) == (2, pytest.approx(2 * 2.1824 * 730))
    assert g5["spot"]["usd_per_1m_tokens"] == pytest.approx(3186.304 / 12_000)                   # $0.2655
    assert g5["spot"]["throughput_source"] == (
        "measured: genai-prod (demo, 2h) 4 pods, 1000 output tok/s served per g5.12xlarge (7,200,000 output "
        "tokens / 8 GPU-hours × 4 GPUs) at 50% GPU → capacity 2000 tok/s (served ÷ utilization)")
    others = [o for o in data["options"] if o["kind"] == "self-hosted" and o["instance_type"] != "g5.12xlarge"]
    assert others and all(not o["throughput_source"].startswith("measured: genai-prod") for o in others)
    assert data["assumptions"]["throughput_source"].startswith("measured in genai-prod over 2h")
    # the 2 pods on the spot g5.12xlarge carry the model label but no serving counters: named, left out
    assert "llama-3.1-8b-instruct (llm-serving, 2 pod(s)) in genai-prod (demo, 2h) reports no output tokens: left " \
           "out of the measured throughput" in data["warnings"]
    assert any(w.startswith("throughput of meta-llama/Llama-3.1-8B-Instruct measured in genai-prod (demo, 2h) on "
                            "g5.12xlarge at bf16") for w in data["warnings"])
    # the assumption is overridable: off → no g5.12xlarge option (the table has no Llama-3.1-8B bf16 A10G row)
    off = json.loads(run(*LLAMA, "--snapshot", str(saved), "--measured-throughput", "off", "--format", "json").stdout)
    assert not [o for o in off["options"] if o["instance_type"] == "g5.12xlarge"]
    # a floor above the measured 50 %: capacity = the served 1000 tok/s → ⌈1522.07 / 700⌉ = 3 replicas
    floor = json.loads(run(*LLAMA, "--snapshot", str(saved), "--measured-utilization-floor", "0.6",
                           "--format", "json").stdout)
    spot = next(o for o in floor["options"] if o["instance_type"] == "g5.12xlarge" and o["purchase_option"] == "spot")
    assert (spot["replicas"], spot["monthly_usd"]) == (3, pytest.approx(3 * 2.1824 * 730))
    table = run(*LLAMA, "--snapshot", str(saved))
    assert table.exit_code == 0 and "--measured-utilization-floor" in " ".join(table.stdout.split())


def test_measured_from_the_real_prometheus(prometheus_factory: Any) -> None:
    """The churn scenario (tests/prom/scenarios.py): vLLM meta-llama/Meta-Llama-3-8B-Instruct on the g5.12xlarge
    spot node for 3 h of the 6 h window, 1 GPU (3 GPU-hours) 60 % busy, 213,600 output tokens.
    By hand: 213,600 / (3 × 3600) = 19.778 tok/s per GPU × 4 = 79.111 served; ÷ 0.6 = 131.85 capacity; × 0.7 =
    92.296. Demand 3e8 / (730 × 3600) = 114.155 tok/s → ⌈1.2368⌉ = 2 replicas → spot 2 × 2.1824 × 730 = $3,186.30."""
    inst = prometheus_factory("churn")
    span = f"{inst.window.start.isoformat()},{inst.window.end.isoformat()}"
    result = run("--model", "Llama-3-8B", "--precision", "bf16", "--input-tokens-per-month", "1.1e9",
                 "--output-tokens-per-month", "3e8", "--prometheus", inst.url, "--window", span, "--resolution", "1m",
                 "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    g5 = {o["purchase_option"]: o for o in data["options"] if o["instance_type"] == "g5.12xlarge"}
    # Prometheus' increase() extrapolates the counters a little (the inference test allows 1 %): the exact figure
    # is the one `genaicost inference` reports for the same source and window
    inference = runner.invoke(app, ["inference", "--prometheus", inst.url, "--window", span, "--resolution", "1m",
                                    "--format", "json"])
    (llama,) = json.loads(inference.stdout)["inference"]
    served = llama["output_tokens"] / (llama["gpu_hours"] * 3600) * 4
    assert served == pytest.approx(213_600 / (3 * 3600) * 4, rel=0.01)                    # 79.11
    assert g5["spot"]["throughput_output_tokens_per_s"] == pytest.approx(served / llama["gpu_utilization"])
    assert g5["spot"]["throughput_output_tokens_per_s"] == pytest.approx(131.85, rel=0.01)
    assert (g5["spot"]["replicas"], g5["spot"]["monthly_usd"]) == (2, pytest.approx(2 * 2.1824 * 730))
    assert f"1 pod, {served:.4g} output tok/s served per g5.12xlarge" in g5["spot"]["throughput_source"]
    assert "at 60% GPU" in g5["spot"]["throughput_source"]
    # g5.2xlarge is still sized from the benchmark table (1x A10G rows)
    g5x2 = next(o for o in data["options"] if o["instance_type"] == "g5.2xlarge")
    assert "llmperf" in g5x2["throughput_source"]
