"""`genaicost inference` in process: the demo (no serving metrics), a saved snapshot with a model_usage
table, option faults, and end to end from the real Prometheus (tests/prom churn scenario)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from genaicost.cli.main import app
from genaicost.domain.snapshot import table_from_rows
from genaicost.engine.inference import NO_SERVING_METRICS
from genaicost.render import INFERENCE_RENDERERS
from genaicost.sources.demo import demo_snapshot
from genaicost.sources.snapshot_file import save_snapshot

runner = CliRunner()
NOW = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)


def run(*args: str) -> Any:
    return runner.invoke(app, ["inference", *args])


def test_demo_exits_0_with_an_empty_list_and_a_warning() -> None:
    result = run("--demo", "--format", "json", "--spot-prices", "bundled")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["inference"] == [] and data["source"] == "demo"
    assert NO_SERVING_METRICS in data["warnings"]
    table = run("--demo", "--spot-prices", "bundled")
    assert table.exit_code == 0 and "No models" in table.stdout and "--prometheus" in table.stdout


def _serving_snapshot(path: Path) -> tuple[Path, list[str]]:
    """The demo cluster with vLLM counters for two of its llm-serving pods, saved as a snapshot file."""
    snap = demo_snapshot(NOW, window_hours=2.0)
    gpu_pods = (
        snap.containers.filter((snap.containers["gpu_request"] > 0) & (snap.containers["phase"] == "Running"))
        .select("namespace", "pod").unique().sort("pod").head(2).rows()
    )
    rows = [
        {"namespace": ns, "pod": pod, "model": "llama-3-8b", "engine": "vllm", "input_tokens": 600e3,
         "output_tokens": 150e3, "requests": 500.0, "successful_requests": 495.0, "prefill_seconds": 50.0,
         "decode_seconds": 450.0}
        for ns, pod in gpu_pods
    ]
    saved = path / "snap.json"
    save_snapshot(replace(snap, model_usage=table_from_rows("model_usage", rows)), saved)
    return saved, [f"{ns}/{pod}" for ns, pod in gpu_pods]


@pytest.mark.parametrize("share_idle", [False, True])
def test_saved_snapshot_with_serving_metrics(tmp_path: Path, share_idle: bool) -> None:
    saved, pods = _serving_snapshot(tmp_path)
    idle = ["--share-idle"] if share_idle else []
    result = run("--snapshot", str(saved), "--format", "json", "--spot-prices", "bundled", *idle)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    (llama,) = [i for i in data["inference"] if i["model"] == "llama-3-8b"]
    # the demo's other pods labelled `model` join by label: cost counted, tokens unknown, and a warning
    assert all(i["input_tokens"] == 0 for i in data["inference"] if i["model"] != "llama-3-8b")
    assert any("without serving metrics" in w for w in data["warnings"])
    # the model's cost is its two pods' cost as `report --aggregate pod` shows them, with the same options
    report = runner.invoke(app, ["report", "--snapshot", str(saved), "--aggregate", "pod", "--format", "json",
                                 "--spot-prices", "bundled", *idle])
    lines = {a["name"]: a for a in json.loads(report.stdout)["allocations"]}
    cost = sum(lines[p]["total_usd"] for p in pods)
    assert llama["cost_usd"] == pytest.approx(cost) and cost > 0
    assert (llama["idle_share_usd"] > 0) is share_idle
    assert llama["input_tokens"] == 1.2e6 and llama["output_tokens"] == 0.3e6
    assert llama["usd_per_1m_tokens"] == pytest.approx(cost / 1.5)
    assert llama["io_split"] == "prefill-decode-time"  # 100 s prefill, 900 s decode
    assert llama["usd_per_1m_input_tokens"] == pytest.approx(cost * 0.1 / 1.2)
    assert llama["usd_per_1m_output_tokens"] == pytest.approx(cost * 0.9 / 0.3)
    assert llama["usd_per_request"] == pytest.approx(cost / 1000)
    assert llama["usd_per_successful_request"] == pytest.approx(cost / 990)
    assert llama["gpu_hours"] == pytest.approx(sum(lines[p]["gpu_hours"] for p in pods))


@pytest.mark.parametrize("fmt", sorted(INFERENCE_RENDERERS))
def test_every_format_writes_the_inference_view(tmp_path: Path, fmt: str) -> None:
    saved, _ = _serving_snapshot(tmp_path)
    out = tmp_path / f"out.{fmt}"
    result = run("--snapshot", str(saved), "--format", fmt, "--output", str(out), "--spot-prices", "bundled",
                 "--io-cost-ratio", "3")
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and "llama-3-8b" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (("--demo", "--io-cost-ratio", "0"), "--io-cost-ratio"),
        (("--demo", "--model-label", " "), "--model-label"),
        ((), "--prometheus"),
        (("--demo", "--resolution", "1m"), "--resolution"),
        (("--demo", "--window", "lastmonth"), "--window"),
    ],
)
def test_bad_options_exit_2_naming_the_option(args: tuple[str, ...], names: str) -> None:
    result = run(*args, "--spot-prices", "bundled")
    assert result.exit_code == 2
    assert names in result.output


def test_from_the_real_prometheus(prometheus_factory: Any) -> None:
    """churn: llm/vllm-llama (label model=llama-3-8b, vLLM name meta-llama/Meta-Llama-3-8B-Instruct) on the
    g5.12xlarge spot node for 3 h, 1 GPU at 60 %; prefill 0.2 s and decode 2.0 s per request, so the input
    share of its cost is 0.2 / 2.2 = 1/11."""
    from tests.prom.scenarios import POD_VLLM
    from tests.prom.truth import model_truth

    inst = prometheus_factory("churn")
    span = f"{inst.window.start.isoformat()},{inst.window.end.isoformat()}"
    common = ["--prometheus", inst.url, "--window", span, "--resolution", "1m", "--spot-prices", "bundled",
              "--format", "json"]
    result = run(*common)
    assert result.exit_code == 0, result.output
    (llama,) = json.loads(result.stdout)["inference"]
    report = runner.invoke(app, ["report", *common, "--aggregate", "pod"])
    pod_line = next(a for a in json.loads(report.stdout)["allocations"] if a["name"] == f"llm/{POD_VLLM}")
    cost = pod_line["total_usd"]
    truth = model_truth(inst.scenario, POD_VLLM)
    assert (llama["namespace"], llama["model"], llama["engine"]) == ("llm", truth.model, "vllm")
    assert llama["cost_usd"] == pytest.approx(cost) and cost > 0
    i, o = llama["input_tokens"], llama["output_tokens"]
    assert i == pytest.approx(truth.input_tokens, rel=0.01) and o == pytest.approx(truth.output_tokens, rel=0.01)
    assert llama["usd_per_1m_tokens"] == pytest.approx(cost / (i + o) * 1e6)
    assert llama["io_split"] == "prefill-decode-time"
    assert llama["usd_per_1m_input_tokens"] == pytest.approx(cost / 11 / i * 1e6, rel=1e-3)
    assert llama["usd_per_1m_output_tokens"] == pytest.approx(cost * 10 / 11 / o * 1e6, rel=1e-3)
    assert llama["gpu_hours"] == pytest.approx(3.0, rel=0.01)
    assert llama["gpu_utilization"] == pytest.approx(0.6, abs=0.01)
    assert llama["tokens_per_gpu_hour"] == pytest.approx((i + o) / llama["gpu_hours"])
    assert llama["ttft_p50_seconds"] == pytest.approx(0.375) and llama["e2e_p95_seconds"] == pytest.approx(2.475)
