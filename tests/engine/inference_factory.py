"""Snapshots with serving-engine metrics for the inference and efficiency tests.

The cluster of `serving_snapshot()` (window 2 h), priced by hand through snapshot_factory.priced_nodes:

    gpu-1  g5.12xlarge, 48 vCPU, 192 GiB, 4 GPUs at $0.02 / vCPU-h, $0.005 / GiB-h, $1.00 / GPU-h = $5.92/h
           → $11.84 for the window
    ml/vllm-0  1 GPU, 4 cores, 16 GiB, DCGM util 0.6 → 4·2·0.02 + 16·2·0.005 + 1·2·1.0 = $2.32
    ml/vllm-1  1 GPU, 4 cores, 16 GiB, DCGM util 0.8 → $2.32
    ml/tgi-0   1 GPU, 2 cores,  8 GiB, label model=mistral-7b, TGI (no model name) → 0.08 + 0.08 + 2.0 = $2.16
    idle = 11.84 − 6.80 = $5.04;  EKS control plane $0.10/h → $0.20 (its own line)

vLLM counters: vllm-0 700k in / 200k out, 600 requests (590 ok), prefill 60 s, decode 500 s;
vllm-1 500k in / 100k out, 400 requests (400 ok), prefill 40 s, decode 400 s — together 1.2M in / 0.3M
out, 1000 requests, prefill 100 s / decode 900 s. TGI: 400k in / 100k out, 500 requests, no outcome.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from snapshot_factory import GIB, WINDOW_END, container, make_snapshot, node, priced_items, priced_nodes

from genaicost.domain.options import ReportOptions
from genaicost.domain.report import PricingInfo, Report
from genaicost.domain.snapshot import Snapshot, table_from_rows
from genaicost.engine.report import Priced, report_from_priced

HOURS = 2.0
RATES = {"gpu-1": (0.02, 0.005, 1.0)}
CONTROL_PLANE_HOURLY = 0.10


def usage(namespace: str, pod: str, model: str | None, engine: str = "vllm", **fields: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "namespace": namespace,
        "pod": pod,
        "model": model,
        "engine": engine,
        "input_tokens": 0.0,
        "output_tokens": 0.0,
        "requests": 0.0,
    }
    row.update(fields)
    return row


def gpu_pod(
    pod: str, *, cores: float, gib: float, util: float | None = None, node_name: str = "gpu-1"
) -> dict[str, Any]:
    return container(
        "ml",
        pod,
        node=node_name,
        gpu_request=1,
        cpu_request_cores=cores,
        ram_request_bytes=gib * GIB,
        gpu_utilization=util,
        hours=HOURS,
    )


def with_serving(
    snap: Snapshot, usage_rows: Sequence[dict[str, Any]], latency_rows: Sequence[dict[str, Any]] = (), **extra: Any
) -> Snapshot:
    return replace(
        snap,
        model_usage=table_from_rows("model_usage", list(usage_rows)),
        model_latency=table_from_rows("model_latency", list(latency_rows)),
        **extra,
    )


VLLM_USAGE = [
    usage("ml", "vllm-0", "llama-3-8b", input_tokens=700e3, output_tokens=200e3, requests=600,
          successful_requests=590, prefill_seconds=60, decode_seconds=500, cached_input_tokens=100e3),
    usage("ml", "vllm-1", "llama-3-8b", input_tokens=500e3, output_tokens=100e3, requests=400,
          successful_requests=400, prefill_seconds=40, decode_seconds=400, cached_input_tokens=50e3),
]
TGI_USAGE = [usage("ml", "tgi-0", None, engine="tgi", input_tokens=400e3, output_tokens=100e3, requests=500)]
LATENCY = [
    {"namespace": "ml", "model": "llama-3-8b", "engine": "vllm", "ttft_p50_seconds": 0.12,
     "ttft_p95_seconds": 0.4, "e2e_p50_seconds": 2.5, "e2e_p95_seconds": 7.0},
]


def serving_snapshot(
    extra_pods: Sequence[dict[str, Any]] = (),
    extra_usage: Sequence[dict[str, Any]] = (),
    labels: Sequence[tuple[str, str, str]] = (),
    **extra: Any,
) -> Snapshot:
    snap = make_snapshot(
        nodes=[node("gpu-1", instance_type="g5.12xlarge", vcpu=48, ram_gib=192, gpu_count=4, hours=HOURS)],
        containers=[
            gpu_pod("vllm-0", cores=4, gib=16, util=0.6),
            gpu_pod("vllm-1", cores=4, gib=16, util=0.8),
            gpu_pod("tgi-0", cores=2, gib=8),
            *extra_pods,
        ],
        labels=[("ml/tgi-0", "model", "mistral-7b"), ("ml/vllm-0", "model", "ignored-label"), *labels],
        hours=HOURS,
    )
    return with_serving(snap, [*VLLM_USAGE, *TGI_USAGE, *extra_usage], LATENCY, **extra)


def hand_report(snap: Snapshot, rates: dict[str, tuple[float, float, float] | None] | None = None,
                **options: Any) -> Report:
    """`snap` through report_from_priced with the hand rates (RATES unless given) and these options."""
    kwargs = {k: options.pop(k) for k in ("model_label", "io_cost_ratio") if k in options}
    priced = Priced(
        nodes=priced_nodes(snap, RATES if rates is None else rates),
        volumes=priced_items(snap.volumes, [0.0] * snap.volumes.height),
        services=priced_items(snap.services, [0.0] * snap.services.height),
        overhead_hourly_usd=CONTROL_PLANE_HOURLY,
    )
    pricing = PricingInfo(catalog_as_of=date(2026, 7, 1), split="residual", sources={"test-price": "by hand"})
    return report_from_priced(snap, priced, ReportOptions(**options), pricing=pricing, generated_at=WINDOW_END,
                              **kwargs)
