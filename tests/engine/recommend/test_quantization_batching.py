"""quantization (parameters from the name, GPUs from memory) and batching (vLLM load gauges)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from tests.engine.recommend.helpers import run_one
from tests.engine.recommend.rec_factory import typed_node
from tests.engine.snapshot_factory import container, make_snapshot

from genaicost.domain.snapshot import table_from_rows
from genaicost.engine.recommend.quantization import QuantizationSettings, gpus_needed, parameters_from_name


@pytest.mark.parametrize(("name", "billions"), [
    ("llama-3.1-70b-instruct", 70.0), ("qwen2.5-32b-instruct", 32.0), ("mixtral-8x7b-instruct", 56.0),
    ("Llama-3.2-3B", 3.0), ("vllm-llama-3-1-8b", 8.0), ("bge-m3", None), ("gemma-2-2.5b", 2.5),
])
def test_parameters_from_name(name: str, billions: float | None) -> None:
    assert parameters_from_name(name) == billions


def test_gpus_needed_by_hand() -> None:
    s = QuantizationSettings()
    # 32e9 × 1 byte = 29.8023 GiB × 1.05 + 4 = 35.29 GiB ≤ 48 × 0.9 = 43.2: one GPU at FP8
    gpus, need = gpus_needed(32, "fp8", 48.0, s)
    assert gpus == 1 and need == pytest.approx(32e9 / 2**30 * 1.05 + 4)
    # at BF16 66.58 GiB → 1.54 GPUs → 2
    assert gpus_needed(32, "bf16", 48.0, s)[0] == 2


def test_32b_on_two_gpus_fits_one_at_fp8() -> None:
    snap = make_snapshot([typed_node("g", "g6e.2gpu")], [
        container("ml", "qwen-0", node="g", gpu_request=2, controller_kind="StatefulSet", controller="qwen")],
        labels=[("ml/qwen-0", "model", "qwen2.5-32b-instruct")])
    (rec,) = run_one("quantization", snap).recommendations
    # 2 GPUs × $0.45 = $0.90/h; half of it saved: 0.45 × 730
    assert rec.monthly_savings_usd == pytest.approx(328.5)
    assert rec.evidence["gpus_needed"] == 1 and "FP8" in rec.action and rec.confidence == "medium"


def test_unknown_parameter_count_is_reported() -> None:
    snap = make_snapshot([typed_node("g", "g6e.2gpu")], [container("ml", "mystery-0", node="g", gpu_request=2)])
    rs = run_one("quantization", snap)
    assert rs.recommendations == [] and "parameters_b" in rs.skipped[0].reason
    (rec,) = run_one("quantization", snap, parameters_b={"mystery-0": 32}).recommendations
    assert rec.monthly_savings_usd == pytest.approx(328.5)


def test_batching_from_load_gauges() -> None:
    pods = [container("ml", f"vllm-{i}", node="g", gpu_request=1, cpu_request_cores=1, controller_kind="Deployment",
                      controller="vllm") for i in range(4)]
    snap = make_snapshot([typed_node("g", "g5.12xlarge")], pods)
    assert "load gauges" in run_one("batching", snap).skipped[0].reason
    load = table_from_rows("serving_load", [
        {"namespace": "ml", "pod": f"vllm-{i}", "model": "m", "engine": "vllm", "running_requests_mean": 1.0,
         "running_requests_max": 4.0, "kv_cache_usage_mean": 0.1, "kv_cache_usage_max": 0.2} for i in range(4)])
    (rec,) = run_one("batching", replace(snap, serving_load=load)).recommendations
    # peak need max(0.2 / 0.8, 4 / 16) × 4 = 1 replica, floor min_replicas 2; each pod $0.45 + $0.045 per hour
    assert rec.evidence["replicas"] == 4 and "2 replica(s)" in rec.action
    assert rec.monthly_savings_usd == pytest.approx(2 * 0.495 * 730)


def test_parameter_count_from_a_pod_label() -> None:
    snap = make_snapshot([typed_node("g", "g6e.2gpu")], [container("ml", "mystery-0", node="g", gpu_request=2)],
                         labels=[("ml/mystery-0", "genaicost.io/parameters-b", "32")])
    (rec,) = run_one("quantization", snap).recommendations
    assert rec.evidence["parameters_b"] == 32.0 and rec.monthly_savings_usd == pytest.approx(328.5)
