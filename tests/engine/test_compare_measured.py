"""`compare` sized from throughput measured in the cluster (docs/compare.md §3b), on a crafted 2 h snapshot.

Node gpu-1: g9.2xlarge (2 × X100; compare_factory prices: $3.50/h on-demand, no spot). Pods (1 GPU each, 2 h):
    ml/test-0  acme/Test-8B-Instruct  1,440,000 output tokens, DCGM 0.5
    ml/test-1  acme/Test-8B-Instruct    720,000 output tokens, DCGM 0.3
    ml/other-0 other-7b (label)         900,000 output tokens, on gpu-2 (g9.xlarge): another model, not counted
By hand: 2,160,000 tokens / (4 GPU-hours × 3600) = 150 output tok/s per GPU × 2 GPUs = 300 tok/s served per
g9.2xlarge; utilization (0.5 × 2 + 0.3 × 2) / 4 = 0.4 ≥ 0.2 → capacity 300 / 0.4 = 750 tok/s.
Demand 8e9 in / 2e9 out a month: 2e9 / (730 × 3600) = 761.035 output tok/s.
    g9.2xlarge (measured): ⌈761.035 / (750 × 0.7 = 525)⌉ = ⌈1.4496⌉ = 2 replicas → 2 × 3.50 × 730 = $5,110.00
    g9.xlarge (benchmark 1000/250 row, 1000 tok/s): ⌈761.035 / 700⌉ = 2 → on-demand 2 × 2 × 730 = $2,920.00,
    spot 2 × 0.80 × 730 = $1,168.00
Without the measurement, g9.2xlarge would be the benchmark's 2 × 1000 = 2000 tok/s → 1 replica, $2,555.00.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import polars as pl
import pytest
from compare_factory import BENCH_SOURCE, gpu_catalog, llm_catalog
from inference_factory import HOURS, gpu_pod, hand_report, usage, with_serving
from snapshot_factory import make_snapshot, node

from genaicost.domain.compare import Assumptions, CompareResult
from genaicost.domain.snapshot import Snapshot, table_from_rows
from genaicost.engine.compare import compare, make_demand
from genaicost.engine.compare_measured import (
    MEASURED_AGGREGATE,
    ClusterServing,
    pod_output_tokens,
    served_model_matches,
)

DEMAND = make_demand(input_tokens_per_month=8e9, output_tokens_per_month=2e9)
SERVED = "acme/Test-8B-Instruct"
FP8 = Assumptions(measured_precision="fp8")


def crafted(util: tuple[float | None, float | None] = (0.5, 0.3), tokens: tuple[float, float] = (1_440_000, 720_000),
            model: str = SERVED, sharing: str = "none") -> Snapshot:
    snap = make_snapshot(
        nodes=[node("gpu-1", instance_type="g9.2xlarge", vcpu=8, ram_gib=32, gpu_count=2, hours=HOURS,
                    gpu_sharing=sharing),
               node("gpu-2", instance_type="g9.xlarge", vcpu=4, ram_gib=16, gpu_count=1, hours=HOURS)],
        containers=[gpu_pod("test-0", cores=1, gib=4, util=util[0]), gpu_pod("test-1", cores=1, gib=4, util=util[1]),
                    gpu_pod("other-0", cores=1, gib=4, util=0.9, node_name="gpu-2")],
        labels=[("ml/other-0", "model", "other-7b")],
        hours=HOURS,
    )
    return with_serving(snap, [usage("ml", "test-0", model, output_tokens=tokens[0], input_tokens=4e6),
                               usage("ml", "test-1", model, output_tokens=tokens[1], input_tokens=2e6),
                               usage("ml", "other-0", None, engine="tgi", output_tokens=900_000)])


def cluster(snap: Snapshot) -> ClusterServing:
    rates: dict[str, tuple[float, float, float] | None] = {"gpu-1": (0.01, 0.005, 1.0), "gpu-2": (0.01, 0.005, 1.0)}
    return ClusterServing(report=hand_report(snap, rates, aggregate=MEASURED_AGGREGATE),
                          pod_tokens=pod_output_tokens(snap, "model"))


def run(snap: Snapshot | None, assumptions: Assumptions = FP8, **kwargs: Any) -> CompareResult:
    return compare(model="Test-8B", precisions=kwargs.pop("precisions", ["fp8"]), demand=DEMAND,
                   assumptions=assumptions, catalog=gpu_catalog(), llm=llm_catalog(),
                   cluster=None if snap is None else cluster(snap), **kwargs)


def by_type(result: CompareResult) -> dict[tuple[str | None, str | None], Any]:
    return {(o.instance_type, o.purchase_option): o for o in result.options if o.kind == "self-hosted"}


def test_measured_throughput_sizes_its_instance_type_by_hand() -> None:
    snap = crafted()
    line = next(ln for ln in cluster(snap).report.inference if ln.model == SERVED)
    assert line.output_tokens_per_gpu_hour == pytest.approx(540_000)     # 150 tok/s per GPU, as in Report.inference
    result = run(snap)
    opts = by_type(result)
    measured = opts[("g9.2xlarge", "on-demand")]
    assert measured.throughput_output_tokens_per_s == pytest.approx(750.0)
    assert (measured.replicas, measured.monthly_usd) == (2, pytest.approx(5110.0))
    assert measured.usd_per_1m_tokens == pytest.approx(5110.0 / 10_000)
    assert measured.engines_per_instance is None
    assert measured.throughput_source == (
        "measured: test-cluster (test, 2h) 2 pods, 300 output tok/s served per g9.2xlarge (2,160,000 output tokens "
        "/ 4 GPU-hours × 2 GPUs) at 40% GPU → capacity 750 tok/s (served ÷ utilization)")
    # the other instance type still from the benchmark table
    xl = opts[("g9.xlarge", "on-demand")]
    assert BENCH_SOURCE in (xl.throughput_source or "") and (xl.replicas, xl.monthly_usd) == (2, pytest.approx(2920.0))
    assert opts[("g9.xlarge", "spot")].monthly_usd == pytest.approx(1168.0)
    assert "measured in test-cluster over 2h" in result.assumptions.throughput_source
    assert any("replaces the benchmark rows for g9.2xlarge" in w for w in result.warnings)


def test_without_a_source_or_off_the_benchmark_sizes_it() -> None:
    for result in (run(None), run(crafted(), FP8.model_copy(update={"measured_throughput": "off"}))):
        measured = by_type(result)[("g9.2xlarge", "on-demand")]
        # 2 × 1000 tok/s × 0.7 = 1400 ≥ 761.035 → 1 replica × 3.50 × 730
        assert (measured.replicas, measured.monthly_usd) == (1, pytest.approx(2555.0))
        assert BENCH_SOURCE in (measured.throughput_source or "")
    off = run(crafted(), FP8.model_copy(update={"measured_throughput": "off"}))
    assert any("--measured-throughput off" in w for w in off.warnings)


@pytest.mark.parametrize(("util", "floor", "state"), [
    ((None, 0.3), 0.2, "unknown GPU utilization"),            # one pod without DCGM: utilization unknown
    ((0.5, 0.3), 0.5, "40% GPU (below the 0.5 floor)"),
])
def test_served_rate_is_the_capacity_without_a_usable_utilization(util: tuple[float | None, float | None],
                                                                 floor: float, state: str) -> None:
    # capacity = 300 tok/s served → ⌈761.035 / 210⌉ = ⌈3.624⌉ = 4 replicas × 3.50 × 730 = $10,220
    result = run(crafted(util=util), FP8.model_copy(update={"measured_utilization_floor": floor}))
    measured = by_type(result)[("g9.2xlarge", "on-demand")]
    assert measured.throughput_output_tokens_per_s == pytest.approx(300.0)
    assert (measured.replicas, measured.monthly_usd) == (4, pytest.approx(10_220.0))
    assert f"at {state} → capacity = the served rate, a lower bound" in (measured.throughput_source or "")


@pytest.mark.parametrize(("snap_kwargs", "assume", "note"), [
    ({"model": "acme/Other-3B"}, {}, "Test-8B is not served in test-cluster (test, 2h) (served: acme/Other-3B, "
                                     "other-7b)"),
    ({"tokens": (0.0, 0.0)}, {}, "acme/Test-8B-Instruct in test-cluster (test, 2h) reports no output tokens"),
    ({"sharing": "time-slicing"}, {}, "2 pod(s) of acme/Test-8B-Instruct in test-cluster (test, 2h) run on "
                                      "time-sliced GPUs"),
    ({}, {"measured_precision": "bf16"}, "the measured throughput is at bf16 (--measured-precision), not among "
                                         "the compared precisions (fp8): not used"),
])
def test_nothing_invented_when_the_cluster_cannot_measure(snap_kwargs: dict[str, Any], assume: dict[str, Any],
                                                          note: str) -> None:
    result = run(crafted(**snap_kwargs), FP8.model_copy(update=assume))
    assert any(note in w for w in result.warnings), result.warnings
    measured = by_type(result)[("g9.2xlarge", "on-demand")]
    assert (measured.replicas, measured.monthly_usd) == (1, pytest.approx(2555.0))   # the benchmark's sizing
    assert "bundled benchmark table" in result.assumptions.throughput_source


def test_no_serving_metrics_and_no_gpu() -> None:
    plain = replace(crafted(), model_usage=crafted().model_usage.clear())
    result = run(plain)
    assert any("has no serving-engine metrics (token counts)" in w for w in result.warnings)
    cpu = crafted()
    cpu = replace(cpu, containers=cpu.containers.with_columns(gpu_request=0.0))
    result = run(cpu)
    assert any("hold no GPU" in w for w in result.warnings), result.warnings
    assert by_type(result)[("g9.2xlarge", "on-demand")].replicas == 1


def test_bad_measured_settings() -> None:
    from genaicost.domain.errors import InputError
    for update, field in (({"measured_throughput": "sometimes"}, "--measured-throughput"),
                          ({"measured_utilization_floor": 1.5}, "--measured-utilization-floor"),
                          ({"measured_precision": "fp4"}, "--measured-precision")):
        with pytest.raises(InputError) as err:
            run(crafted(), FP8.model_copy(update=update))
        assert field in str(err.value)


def test_a_pod_serving_two_models_gives_this_one_its_token_share_of_the_gpu() -> None:
    """test-0 also serves acme/Other-1B with as many tokens (4e6 in + 1.44e6 out) as Test-8B: Test-8B gets half its
    2 GPU-hours. 2,160,000 tokens / ((1 + 2) GPU-hours × 3600) = 200 tok/s per GPU × 2 = 400 served; utilization
    (0.5 × 1 + 0.3 × 2) / 3 = 0.3667 → capacity 1090.9 tok/s; × 0.7 = 763.6 ≥ 761.035 → 1 replica, $2,555."""
    snap = crafted()
    extra = usage("ml", "test-0", "acme/Other-1B", input_tokens=4e6, output_tokens=1_440_000)
    snap = replace(snap, model_usage=pl.concat([snap.model_usage, table_from_rows("model_usage", [extra])]))
    measured = by_type(run(snap))[("g9.2xlarge", "on-demand")]
    assert measured.throughput_output_tokens_per_s == pytest.approx(400 / (1.1 / 3))
    assert (measured.replicas, measured.monthly_usd) == (1, pytest.approx(2555.0))
    assert "400 output tok/s served per g9.2xlarge (2,160,000 output tokens / 3 GPU-hours × 2 GPUs) at 37% GPU" in (
        measured.throughput_source or "")


@pytest.mark.parametrize(("served", "matches"), [
    ("acme/Test-8B-Instruct", True), ("TEST-8B", True), ("meta-test-8b", True), ("acme/Test-8B-v2", True),
    ("acme/Test-80B", False), ("test-8b-chat", False),
])
def test_served_model_names(served: str, matches: bool) -> None:
    assert served_model_matches(served, "Test-8B", {"test-8b"}) is matches
