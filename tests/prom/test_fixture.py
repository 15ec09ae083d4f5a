"""The real Prometheus fixture serves the backfilled `churn` history (values worked out in scenarios.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from genaicost.domain.window import Window
from prom.scenarios import NODE_G5, NODE_M6I, POD_API, POD_VLLM
from prom.truth import model_truth


def instant(url: str, query: str, at: float) -> list[dict[str, Any]]:
    resp = httpx.get(f"{url}/api/v1/query", params={"query": query, "time": str(at)}, timeout=30.0)
    body = resp.json()
    assert resp.status_code == 200, body
    return list(body["data"]["result"])


def by(result: list[dict[str, Any]], label: str) -> dict[str, float]:
    return {r["metric"].get(label, ""): float(r["value"][1]) for r in result}


@pytest.fixture(scope="module")
def churn(prometheus_factory: Callable[[str], Any]) -> Any:
    return prometheus_factory("churn")


def test_instance_describes_the_scenario(churn: Any) -> None:
    assert churn.url.startswith("http://127.0.0.1:")
    assert churn.scenario.name == "churn"
    assert isinstance(churn.window, Window)
    assert churn.window.hours == 6.0
    assert httpx.get(f"{churn.url}/-/ready", timeout=5.0).status_code == 200


def test_node_lifetimes_are_scrape_counts(churn: Any) -> None:
    end = churn.window.end.timestamp()
    counts = by(instant(churn.url, "count_over_time(kube_node_info[6h])", end), "node")
    assert counts == {NODE_M6I: 360.0, NODE_G5: 180.0}  # 6 h and 3 h at 60 s


def test_spot_node_labels(churn: Any) -> None:
    end = churn.window.end.timestamp()
    result = instant(churn.url, 'last_over_time(kube_node_labels{label_karpenter_sh_capacity_type="spot"}[6h])', end)
    assert [r["metric"]["label_node_kubernetes_io_instance_type"] for r in result] == ["g5.12xlarge"]


def test_prompt_tokens_increase_across_the_reset(churn: Any) -> None:
    end = churn.window.end.timestamp()
    got = by(instant(churn.url, "sum by (pod) (increase(vllm:prompt_tokens_total[6h]))", end), "pod")
    truth = model_truth(churn.scenario, POD_VLLM).input_tokens
    assert truth == 534_000
    # PromQL extrapolates half a scrape interval past the last sample: 534,000 x (179 + 0.5) / 179.
    assert got[POD_VLLM] == pytest.approx(534_000 * 179.5 / 179, rel=1e-9)


def test_cpu_usage_rate_equals_the_step_function(churn: Any) -> None:
    start = churn.window.start.timestamp()
    query = f'sum by (pod) (rate(container_cpu_usage_seconds_total{{container!="",pod="{POD_API}"}}[5m]))'
    assert by(instant(churn.url, query, start + 2 * 3600), "pod")[POD_API] == pytest.approx(0.25)
    assert by(instant(churn.url, query, start + 5 * 3600), "pod")[POD_API] == pytest.approx(1.0)


def test_dcgm_utilisation_of_the_vllm_gpu(churn: Any) -> None:
    at = churn.window.start.timestamp() + 4 * 3600
    result = instant(churn.url, f'DCGM_FI_DEV_GPU_UTIL{{pod="{POD_VLLM}"}}', at)
    assert by(result, "Hostname") == {NODE_G5: 60.0}


def test_gpu_sharing_mig_and_time_slicing(prometheus_factory: Callable[[str], Any]) -> None:
    prom = prometheus_factory("gpu-sharing")
    end = prom.window.end.timestamp()
    active = instant(prom.url, 'max_over_time(DCGM_FI_PROF_GR_ENGINE_ACTIVE{GPU_I_PROFILE="3g.20gb",pod!=""}[2h])', end)
    assert by(active, "pod") == {"vllm-mistral-6d4cf56db6-m1s7r": 0.6}
    shared = instant(prom.url, 'count by (Hostname) (last_over_time(DCGM_FI_DEV_GPU_UTIL{pod!=""}[2h]))', end)
    assert by(shared, "Hostname") == {"ip-10-0-4-40.ec2.internal": 2.0}  # one L4 seen by two pods
    tokens = instant(prom.url, "sum by (pod) (increase(tgi_request_count[2h]))", end)
    # the series reaches the range end (within 1.1 intervals): increase() extrapolates a whole interval
    assert by(tokens, "pod")["tgi-phi-6d4cf56db6-p4h1x"] == pytest.approx(3_570 * 120 / 119)


def test_no_dcgm_has_no_gpu_or_serving_series(prometheus_factory: Callable[[str], Any]) -> None:
    prom = prometheus_factory("no-dcgm")
    end = prom.window.end.timestamp()
    assert instant(prom.url, 'count({__name__=~"DCGM_.*|vllm:.*"})', end) == []
    assert by(instant(prom.url, "count_over_time(kube_node_info[6h])", end), "node")[NODE_G5] == 180.0
