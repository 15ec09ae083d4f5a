"""gpu_usage: DCGM / Neuron PromQL against Debian's real Prometheus (backfilled series), and the assembly.

GPU values are means of gauges sampled at the scrape step (subqueries aligned to it), so they are exact.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

from genaicost.sources.prometheus import PrometheusClient
from genaicost.sources.prometheus.gpu import assemble_containers, assemble_nodes, gpu_usage, slices
from prom.backfill import serve_openmetrics
from prom.model import Timeline
from prom.promgen import Block, Family, render_labels, write_openmetrics
from prom.scenarios import NODE_G5, NODE_G6, NODE_P4D, POD_GEMMA, POD_MISTRAL, POD_PHI, POD_QWEN, POD_VLLM

pytestmark = pytest.mark.slow
MIB = 1024.0**2
Factory = Callable[[str], Any]  # tests/conftest.py prometheus_factory: name → instance with .url, .window


def _by(frame: pl.DataFrame, column: str) -> dict[str, dict[str, object]]:
    return {row[column]: row for row in frame.to_dicts()}


def test_gpu_sharing_mig_and_time_slicing(prometheus_factory: Factory) -> None:
    prom = prometheus_factory("gpu-sharing")
    with PrometheusClient(prom.url) as client:
        containers, nodes, warnings = gpu_usage(client, prom.window, step_s=60)
        assert client.query_count == 1 + 4 + 2  # discovery, container util Σ/n + FB Σ/n, node Σ/n (1 chunk)
    assert warnings == []
    rows = _by(containers, "pod")
    assert set(rows) == {POD_MISTRAL, POD_PHI, POD_QWEN, POD_GEMMA}
    # MIG instances report their own engine activity; time-sliced pods both see the L4's 80 % and 18000 MiB
    assert rows[POD_MISTRAL]["gpu_utilization"] == pytest.approx(0.6)
    assert rows[POD_MISTRAL]["gpu_memory_used_bytes"] == pytest.approx(15000 * MIB)
    assert rows[POD_PHI]["gpu_utilization"] == pytest.approx(0.3)
    assert rows[POD_PHI]["container"] == "tgi" and rows[POD_PHI]["namespace"] == "llm"
    assert rows[POD_QWEN]["gpu_utilization"] == pytest.approx(0.8)
    assert rows[POD_GEMMA]["gpu_memory_used_bytes"] == pytest.approx(18000 * MIB)
    util = {n: r["gpu_utilization"] for n, r in _by(nodes, "node").items()}
    # p4d: GPU 0 = (3 × 0.6 + 2 × 0 + 1 × 0.3 + 1 × 0) / 7 slices = 0.3, GPUs 1-7 idle → 0.3 / 8
    assert util[NODE_P4D] == pytest.approx(0.3 / 8)
    assert util[NODE_G6] == pytest.approx(0.8)


def test_churn_pod_gone_midwindow_and_node_mean(prometheus_factory: Factory) -> None:
    prom = prometheus_factory("churn")
    with PrometheusClient(prom.url) as client:
        containers, nodes, warnings = gpu_usage(client, prom.window, step_s=60)
    assert warnings == []
    assert containers.to_dicts() == [{"namespace": "llm", "pod": POD_VLLM, "container": "vllm",
                                      "gpu_utilization": pytest.approx(0.6),
                                      "gpu_memory_used_bytes": pytest.approx(20000 * MIB)}]
    assert nodes.to_dicts() == [{"node": NODE_G5, "gpu_utilization": pytest.approx(0.6 / 4)}]  # 1 of 4 GPUs


def test_no_dcgm_empty_frames_and_warning(prometheus_factory: Factory) -> None:
    prom = prometheus_factory("no-dcgm")
    with PrometheusClient(prom.url) as client:
        containers, nodes, warnings = gpu_usage(client, prom.window, step_s=60)
        assert client.query_count == 1
    assert containers.is_empty() and nodes.is_empty()
    assert containers.columns == ["namespace", "pod", "container", "gpu_utilization", "gpu_memory_used_bytes"]
    assert warnings == ["GPU efficiency unknown: no DCGM_FI_DEV_GPU_UTIL / DCGM_FI_PROF_GR_ENGINE_ACTIVE series; "
                        "install dcgm-exporter (with Kubernetes pod mapping, so series carry pod/namespace/"
                        "container) — or, on Inferentia/Trainium, neuron-monitor's Prometheus exporter "
                        "(neuroncore_utilization_ratio)"]


# --- label variants: lowercase hostname, exported_* pod labels, GPU_UTIL only, node label, Neuron ------

TL = Timeline(datetime(2025, 3, 6, tzinfo=UTC), 1.0, 60)  # 60 samples


def _gauge(name: str, labels: dict[str, str], values: np.ndarray) -> Block:
    return Block(Family(name, "gauge", name), [render_labels(labels)], np.arange(TL.n), values[None, :])


def _write_variants(path: Path) -> None:
    half = np.where(np.arange(TL.n) < TL.n // 2, 50.0, 100.0)  # 50 % (samples 0-29) then 100 % (30-59)
    n1_gpu0 = {"gpu": "0", "hostname": "n1", "pod": "dcgm-exporter-x1", "namespace": "gpu-operator",
               "exported_pod": "llm-0", "exported_namespace": "ml", "exported_container": "main"}
    n1_gpu1 = {"gpu": "1", "hostname": "n1", "pod": "dcgm-exporter-x1", "namespace": "gpu-operator"}
    n2_gpu0 = {"gpu": "0", "Hostname": "dcgm-exporter-x2", "node": "k8s-node-2", "pod": "p2", "namespace": "ml",
               "container": "c"}
    full = np.ones(TL.n)
    blocks = [
        _gauge("DCGM_FI_DEV_FB_USED", n1_gpu0, 1000.0 * full),
        _gauge("DCGM_FI_DEV_GPU_UTIL", n1_gpu0, half),
        _gauge("DCGM_FI_DEV_GPU_UTIL", n1_gpu1, 10.0 * full),
        _gauge("DCGM_FI_DEV_GPU_UTIL", n2_gpu0, 20.0 * full),       # not used: GR_ENGINE_ACTIVE is reported
        _gauge("DCGM_FI_PROF_GR_ENGINE_ACTIVE", n2_gpu0, 0.7 * full),
        _gauge("neuroncore_utilization_ratio", {"instance_id": "i-0abc", "neuroncore": "0"}, 0.5 * full),
        _gauge("neuroncore_utilization_ratio", {"instance_id": "i-0abc", "neuroncore": "1"}, 0.1 * full),
        _gauge("neuroncore_utilization_ratio", {"instance_id": "i-0def", "neuroncore": "0", "node": "trn-node"},
               0.9 * full),
    ]
    write_openmetrics(path, TL.timestamps_s(), blocks)


def test_label_variants_and_neuron(tmp_path_factory: pytest.TempPathFactory) -> None:
    for url in serve_openmetrics(tmp_path_factory.mktemp("variants"), _write_variants, TL.timestamps_s()[-1]):
        with PrometheusClient(url) as client:
            containers, nodes, warnings = gpu_usage(client, TL.window, step_s=60)
    assert warnings == []
    rows = {(r["namespace"], r["pod"], r["container"]): r for r in containers.to_dicts()}
    # exported_* win over the scrape's own pod labels; the unheld GPU 1 keeps the exporter's pod (see docs)
    # The chunk's subquery instants are t_1 … t_59 and the window end, which sees t_59's sample (5-min
    # lookback): 29 × 50 % + 31 × 100 % over 60 steps (chunks.py: each instant stands for the step ending there).
    busy = (29 * 0.5 + 31 * 1.0) / 60
    assert rows[("ml", "llm-0", "main")]["gpu_utilization"] == pytest.approx(busy)
    assert rows[("ml", "llm-0", "main")]["gpu_memory_used_bytes"] == pytest.approx(1000 * MIB)
    assert rows[("ml", "p2", "c")]["gpu_utilization"] == pytest.approx(0.7)
    assert rows[("ml", "p2", "c")]["gpu_memory_used_bytes"] is None
    util = {n: r["gpu_utilization"] for n, r in _by(nodes, "node").items()}
    assert util == {"n1": pytest.approx((busy + 0.10) / 2), "k8s-node-2": pytest.approx(0.7),
                    "i-0abc": pytest.approx(0.3), "trn-node": pytest.approx(0.9)}


# --- pure parts ----------------------------------------------------------------------------------------

def test_slices_of_mig_profiles() -> None:
    assert [slices(p) for p in ("3g.20gb", "1g.5gb", "1c.3g.40gb", "7g.80gb", None, "")] == [3, 1, 3, 7, 1, 1]


def test_assemble_nodes_weights_mig_instances_by_slices_then_averages_cards() -> None:
    # card 0: 3g at 0.6 for 10 steps and 1g at 0.3 for 10 steps; card 1: whole, 0.2 for 10 steps
    sums = pl.DataFrame({"gc_node": ["n", "n", "n"], "gpu": ["0", "0", "1"],
                         "GPU_I_PROFILE": ["3g.20gb", "1g.5gb", None], "value": [6.0, 3.0, 2.0]})
    counts = sums.with_columns(pl.lit(10.0).alias("value"))
    out = assemble_nodes(sums, counts)
    assert out.to_dicts() == [{"node": "n", "gpu_utilization": pytest.approx(((3 * 0.6 + 0.3) / 4 + 0.2) / 2)}]


def test_assemble_containers_mean_over_time_and_devices_mib_to_bytes() -> None:
    # two whole GPUs over 10 steps (one 90 % busy, one idle): Σ 9.0 over 20 device-steps; an unheld GPU
    keys = {"gc_namespace": ["a", None], "gc_pod": ["p", None], "gc_container": ["c", None]}
    util_sum = pl.DataFrame({**keys, "GPU_I_PROFILE": [None, None], "value": [9.0, 5.0]})
    util_n = util_sum.with_columns(pl.Series("value", [20.0, 10.0]))
    fb = pl.DataFrame({"gc_namespace": ["a"], "gc_pod": ["p"], "gc_container": ["c"], "value": [300.0]})
    out = assemble_containers(util_sum, util_n, (fb, fb.with_columns(pl.lit(3.0).alias("value"))))
    assert out.to_dicts() == [{"namespace": "a", "pod": "p", "container": "c", "gpu_utilization": pytest.approx(0.45),
                               "gpu_memory_used_bytes": pytest.approx(100 * MIB)}]
