"""Per-model unit economics by hand (docs/cost-model.md section 8); the cluster is in inference_factory."""

from __future__ import annotations

from dataclasses import replace

import pytest
from inference_factory import (
    HOURS,
    VLLM_USAGE,
    gpu_pod,
    hand_report,
    serving_snapshot,
    usage,
    with_serving,
)
from snapshot_factory import WINDOW_END, make_snapshot, node

from genaicost.domain.errors import InputError
from genaicost.domain.options import ReportOptions
from genaicost.domain.report import InferenceLine, Report
from genaicost.domain.snapshot import empty_table
from genaicost.engine.inference import NO_SERVING_METRICS, compute_inference
from genaicost.engine.report import compute_report
from genaicost.pricing.bundled import load_catalog

LLAMA_USD = 2.32 + 2.32
TGI_USD = 2.16
IDLE_USD = 11.84 - 6.80


def line(report: Report, model: str) -> InferenceLine:
    return next(i for i in report.inference if i.model == model)


def test_vllm_model_prefill_decode_split() -> None:
    llama = line(hand_report(serving_snapshot()), "llama-3-8b")
    assert (llama.namespace, llama.engine, llama.pods) == ("ml", "vllm", 2)
    assert llama.cost_usd == pytest.approx(4.64)
    assert llama.idle_share_usd == 0.0
    assert (llama.input_tokens, llama.output_tokens, llama.requests) == (1.2e6, 0.3e6, 1000)
    assert (llama.cached_input_tokens, llama.successful_requests) == (150e3, 990)
    assert llama.usd_per_1m_tokens == pytest.approx(4.64 / 1.5)  # 3.0933
    assert llama.io_split == "prefill-decode-time"
    # input cost = 4.64 × 100 / (100 + 900) = 0.464; output 4.176
    assert llama.usd_per_1m_input_tokens == pytest.approx(0.464 / 1.2)  # 0.3867
    assert llama.usd_per_1m_output_tokens == pytest.approx(4.176 / 0.3)  # 13.92
    assert llama.usd_per_request == pytest.approx(0.00464)
    assert llama.usd_per_successful_request == pytest.approx(4.64 / 990)
    assert llama.gpu_hours == pytest.approx(4.0)
    assert llama.gpu_utilization == pytest.approx((2 * 0.6 + 2 * 0.8) / 4)  # 0.7
    assert llama.gpu_unused_hours == pytest.approx(2 * 0.4 + 2 * 0.2)  # 1.2
    assert llama.gpu_unused_usd == pytest.approx(2.0 * 0.4 + 2.0 * 0.2)  # $1 per GPU-hour
    assert llama.tokens_per_gpu_hour == pytest.approx(375_000)
    assert llama.output_tokens_per_gpu_hour == pytest.approx(75_000)
    assert (llama.ttft_p50_seconds, llama.ttft_p95_seconds) == (0.12, 0.4)
    assert (llama.e2e_p50_seconds, llama.e2e_p95_seconds) == (2.5, 7.0)
    assert not llama.unpriced


def test_tgi_model_from_the_pod_label_and_ratio_split() -> None:
    report = hand_report(serving_snapshot())
    tgi = line(report, "mistral-7b")
    assert (tgi.engine, tgi.pods, tgi.cost_usd) == ("tgi", 1, pytest.approx(TGI_USD))
    assert tgi.io_split == "ratio:4"
    # input cost = 2.16 × 400k / (400k + 4 × 100k) = 1.08
    assert tgi.usd_per_1m_input_tokens == pytest.approx(1.08 / 0.4)  # 2.70
    assert tgi.usd_per_1m_output_tokens == pytest.approx(1.08 / 0.1)  # 10.80
    assert tgi.usd_per_1m_tokens == pytest.approx(2.16 / 0.5)  # 4.32
    assert tgi.usd_per_request == pytest.approx(2.16 / 500)
    assert tgi.successful_requests is None and tgi.usd_per_successful_request is None
    assert tgi.cached_input_tokens is None
    assert tgi.gpu_utilization is None and tgi.gpu_unused_usd is None  # no DCGM for this pod
    assert tgi.ttft_p50_seconds is None
    assert [i.model for i in report.inference] == ["llama-3-8b", "mistral-7b"]  # by cost
    assert not any("mistral" in w or "llama" in w for w in report.warnings)


def test_the_stated_ratio_is_used_and_named() -> None:
    tgi = line(hand_report(serving_snapshot(), io_cost_ratio=2.0), "mistral-7b")
    # input cost = 2.16 × 400k / (400k + 2 × 100k) = 1.44; output 0.72
    assert tgi.io_split == "ratio:2"
    assert tgi.usd_per_1m_input_tokens == pytest.approx(1.44 / 0.4)
    assert tgi.usd_per_1m_output_tokens == pytest.approx(0.72 / 0.1)


def test_share_idle_adds_the_pods_share_in_proportion_to_cost() -> None:
    report = hand_report(serving_snapshot(), share_idle=True)
    llama, tgi = line(report, "llama-3-8b"), line(report, "mistral-7b")
    # idle 5.04 spread over the pods' own cost 6.80: llama 5.04 × 4.64 / 6.80
    assert llama.idle_share_usd == pytest.approx(IDLE_USD * 4.64 / 6.80)  # 3.4391
    assert llama.cost_usd == pytest.approx(4.64 * 11.84 / 6.80)  # 8.0791
    assert tgi.cost_usd == pytest.approx(2.16 * 11.84 / 6.80)  # 3.7609
    assert llama.usd_per_1m_tokens == pytest.approx(4.64 * 11.84 / 6.80 / 1.5)  # 5.3860
    # the models' costs match the report's namespace line (all three pods are in ml)
    ml = next(a for a in report.allocations if a.name == "ml")
    assert llama.cost_usd + tgi.cost_usd == pytest.approx(ml.total_usd)


def test_a_pod_serving_two_models_splits_its_cost_by_tokens() -> None:
    snap = serving_snapshot(
        extra_pods=[gpu_pod("multi-0", cores=4, gib=16)],  # $2.32
        extra_usage=[
            usage("ml", "multi-0", "a", input_tokens=300e3, output_tokens=100e3, requests=40),
            usage("ml", "multi-0", "b", input_tokens=100e3, output_tokens=0, requests=10),
        ],
    )
    report = hand_report(snap)
    a, b = line(report, "a"), line(report, "b")
    assert a.cost_usd == pytest.approx(2.32 * 0.8) and b.cost_usd == pytest.approx(2.32 * 0.2)
    assert a.gpu_hours == pytest.approx(2 * 0.8) and b.gpu_hours == pytest.approx(2 * 0.2)
    # b has no output tokens: by ratio all its cost is input cost; $/1M output is null, not a division by 0
    assert b.usd_per_1m_input_tokens == pytest.approx(2.32 * 0.2 / 0.1)
    assert b.usd_per_1m_output_tokens is None


def test_no_tokens_gives_null_per_token_figures_and_a_warning() -> None:
    snap = serving_snapshot(
        extra_pods=[gpu_pod("idle-0", cores=4, gib=16)],
        extra_usage=[usage("ml", "idle-0", "quiet")],
    )
    report = hand_report(snap)
    quiet = line(report, "quiet")
    assert quiet.cost_usd == pytest.approx(2.32)
    assert quiet.usd_per_1m_tokens is None and quiet.usd_per_1m_input_tokens is None
    assert quiet.usd_per_request is None
    assert quiet.tokens_per_gpu_hour == 0.0  # a true zero: 2 GPU-hours, no tokens
    assert "model ml/quiet: no tokens in the window; its per-token costs are not computed" in report.warnings


def test_pod_without_serving_metrics_joins_its_model_by_label() -> None:
    snap = serving_snapshot(extra_pods=[gpu_pod("tgi-1", cores=2, gib=8)], labels=[("ml/tgi-1", "model", "mistral-7b")])
    report = hand_report(snap)
    tgi = line(report, "mistral-7b")
    assert tgi.pods == 2 and tgi.cost_usd == pytest.approx(2 * TGI_USD)
    assert tgi.input_tokens == 400e3  # only the metered pod's
    assert any("1 pod(s) without serving metrics" in w and "mistral-7b" in w for w in report.warnings)


def test_custom_model_label() -> None:
    snap = serving_snapshot(labels=[("ml/tgi-0", "app.kubernetes.io/model", "mistral-instruct")])
    report = hand_report(snap, model_label="app.kubernetes.io/model")
    assert {i.model for i in report.inference} == {"llama-3-8b", "mistral-instruct"}


def test_unnamed_metrics_without_label_are_left_out_with_a_warning() -> None:
    snap = with_serving(serving_snapshot(), [*VLLM_USAGE, usage("ml", "vllm-9", None, engine="tgi", input_tokens=5)])
    report = hand_report(snap)
    # tgi-0 (labelled, now without metrics) still counts for mistral-7b; vllm-9 has neither name nor label
    assert {i.model for i in report.inference} == {"llama-3-8b", "mistral-7b"}
    assert any(w.startswith("1 pod(s) report serving metrics without a model name") for w in report.warnings)


def test_models_on_unpriced_nodes_are_flagged() -> None:
    report = hand_report(serving_snapshot(), rates={"gpu-1": None})
    llama = line(report, "llama-3-8b")
    assert llama.unpriced and llama.cost_usd == 0.0 and llama.usd_per_1m_tokens == 0.0
    assert "model ml/llama-3-8b: 2 pod(s) on unpriced nodes; its cost is understated" in report.warnings


def test_no_serving_metrics_no_inference_lines() -> None:
    snap = serving_snapshot()
    snap = replace(snap, model_usage=empty_table("model_usage"))
    report = hand_report(snap)
    assert report.inference == []
    assert NO_SERVING_METRICS not in report.warnings  # the report does not nag; `genaicost inference` does


def test_partial_snapshot_marks_the_report() -> None:
    assert hand_report(serving_snapshot(partial=True)).partial
    assert not hand_report(serving_snapshot()).partial


def test_io_cost_ratio_must_be_positive() -> None:
    with pytest.raises(InputError, match="io cost ratio"):
        hand_report(serving_snapshot(), io_cost_ratio=0.0)


def test_compute_inference_prices_through_the_catalog() -> None:
    """The public entry point: catalog prices, the same lines as the report's."""
    snap = with_serving(
        make_snapshot(
            nodes=[node("gpu-1", instance_type="g5.12xlarge", vcpu=48, ram_gib=192, gpu_count=4, hours=HOURS)],
            containers=[gpu_pod("vllm-0", cores=4, gib=16, util=0.6), gpu_pod("vllm-1", cores=4, gib=16, util=0.8)],
            hours=HOURS,
        ),
        VLLM_USAGE,
    )
    catalog = load_catalog()
    lines = compute_inference(snap, catalog, ReportOptions())
    assert [i.model for i in lines] == ["llama-3-8b"]
    assert compute_report(snap, catalog, ReportOptions(), generated_at=WINDOW_END).inference == lines
    assert lines[0].cost_usd > 0 and lines[0].usd_per_1m_tokens == pytest.approx(lines[0].cost_usd / 1.5)
    assert compute_inference(replace(snap, model_usage=empty_table("model_usage")), catalog, ReportOptions()) == []
