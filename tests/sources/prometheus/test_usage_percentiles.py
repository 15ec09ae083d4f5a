"""usage_percentiles / serving_load on Debian's real Prometheus (a backfilled 2-hour scenario, 60 s scrapes).

The subquery of one chunk evaluates at the 120 step instants in (start, end]: instant k reads the CPU slope of
samples k−1 → k (irate) and the working set of sample k (at k = 120, sample 119 again).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from genaicost.sources.prometheus import PrometheusClient
from genaicost.sources.prometheus.usage_percentiles import load_recommend_extras
from prom.backfill import serve_openmetrics
from prom.counters import counter
from prom.model import Timeline
from prom.promgen import Block, Family, render_labels, write_openmetrics

pytestmark = pytest.mark.slow
TL = Timeline(datetime(2025, 3, 5, tzinfo=UTC), 2.0, 60)  # 120 samples, k = 0..119
GIB = float(2**30)
POD = {"namespace": "web", "pod": "api-0"}


def _gauge(name: str, labels: dict[str, str], values: np.ndarray) -> Block:
    return Block(Family(name, "gauge", name), [render_labels(labels)], np.arange(TL.n), values[None, :])


def _write(path: Path) -> None:
    # CPU: 1 core on the intervals 0→1 … 114→115, 3 cores on 115→116 … 118→119
    cores = np.where(np.arange(TL.n) >= 115, 3.0, 1.0)        # counter(): increment j covers sample j → j + 1
    cpu = Block(Family("container_cpu_usage_seconds", "counter", "cpu"),
                [render_labels({**POD, "container": "app"}), render_labels({**POD, "container": "POD"})],
                np.arange(TL.n), np.vstack([counter(cores * 60), counter(cores * 60)]))
    ram = np.where(np.arange(TL.n) >= 110, 2 * GIB, 1 * GIB)
    running = np.where(np.arange(TL.n) == 119, 8.0, 2.0)
    vllm = {**POD, "model_name": "m"}
    blocks = [
        cpu,
        _gauge("container_memory_working_set_bytes", {**POD, "container": "app"}, ram),
        _gauge("vllm:gpu_cache_usage_perc", vllm, np.full(TL.n, 0.25)),
        _gauge("kube_horizontalpodautoscaler_info", {"namespace": "web", "horizontalpodautoscaler": "api",
                                                     "scaletargetref_api_version": "apps/v1",
                                                     "scaletargetref_kind": "Deployment",
                                                     "scaletargetref_name": "api"}, np.ones(TL.n)),
        _gauge("kube_horizontalpodautoscaler_spec_min_replicas", {"namespace": "web", "horizontalpodautoscaler": "api"},
               np.full(TL.n, 2.0)),
        _gauge("kube_horizontalpodautoscaler_spec_max_replicas", {"namespace": "web", "horizontalpodautoscaler": "api"},
               np.full(TL.n, 10.0)),
        _gauge("vllm:num_requests_running", vllm, running),
    ]
    blocks.sort(key=lambda b: b.family.name)
    write_openmetrics(path, TL.timestamps_s(), blocks)


def test_percentiles_and_load_by_hand(tmp_path_factory: pytest.TempPathFactory) -> None:
    for url in serve_openmetrics(tmp_path_factory.mktemp("percentiles"), _write, TL.timestamps_s()[-1]):
        with PrometheusClient(url) as client:
            extras = load_recommend_extras(client, TL.window, step_s=60)
            assert client.query_count == 17      # 8 percentile + 6 load + 3 HPA templates × 1 chunk, any pod count
    pct, load = extras.usage_percentiles, extras.serving_load
    assert extras.warnings == []
    assert extras.autoscalers.to_dicts() == [{"namespace": "web", "name": "api", "target_kind": "Deployment",
                                              "target_name": "api", "min_replicas": 2, "max_replicas": 10}]
    (row,) = pct.to_dicts()                      # the POD (pause) container is left out
    assert (row["namespace"], row["pod"], row["container"]) == ("web", "api-0", "app")
    # CPU values: 115 × 1 core, 5 × 3 cores (4 intervals + the last one read again at k = 120)
    assert row["cpu_p50_cores"] == pytest.approx(1.0)
    assert row["cpu_p95_cores"] == pytest.approx(1.0)     # rank 0.95 × 119 = 113.05 < 115
    assert row["cpu_p99_cores"] == pytest.approx(3.0)     # rank 117.81
    assert row["cpu_max_cores"] == pytest.approx(3.0)
    # working set: samples 1…109 at 1 GiB (109 values), 110…119 and 119 again at 2 GiB (11 values)
    assert row["ram_p50_bytes"] == pytest.approx(GIB)
    assert row["ram_p95_bytes"] == pytest.approx(2 * GIB)  # rank 113.05 ≥ 109
    assert row["ram_max_bytes"] == pytest.approx(2 * GIB)
    (srv,) = load.to_dicts()
    assert (srv["pod"], srv["model"], srv["engine"]) == ("api-0", "m", "vllm")
    assert srv["running_requests_mean"] == pytest.approx((118 * 2 + 2 * 8) / 120)
    assert srv["running_requests_max"] == 8.0
    assert srv["kv_cache_usage_mean"] == pytest.approx(0.25) and srv["kv_cache_usage_max"] == pytest.approx(0.25)
