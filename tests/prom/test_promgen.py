"""The generated OpenMetrics parses (prometheus_client's OpenMetrics parser) and its totals match the
scenarios' ground truth, which matches the numbers worked out by hand in scenarios.py."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from prometheus_client.openmetrics.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from prom.backfill import write_scenario
from prom.counters import counter, histogram_quantile, shown_increase
from prom.engines import TTFT_LES
from prom.scenarios import (
    NODE_G5,
    NODE_G6,
    NODE_M6I,
    NODE_P4D,
    POD_API,
    POD_GEMMA,
    POD_MISTRAL,
    POD_PHI,
    POD_QWEN,
    POD_REPORT,
    POD_VLLM,
    POD_WORKER,
    scenario,
    shop_pod,
)
from prom.truth import container_truth, model_truth, node_hours, node_samples

GIB = 1024.0**3
# prometheus_client's pure-Python parser needs ~15 s for the three scenarios (~100k samples), shared by these tests
SLOW = pytest.mark.slow
Series = dict[tuple[str, tuple[tuple[str, str], ...]], list[tuple[float, float]]]


def _sections(text: str) -> list[tuple[str, str, list[str]]]:
    """(family, type, lines with HELP/TYPE) per family, in file order."""
    out: list[tuple[str, str, list[str]]] = []
    for line in text.splitlines():
        if line.startswith("# HELP "):
            out.append((line.split(" ", 3)[2], "", [line]))
        elif line.startswith("# TYPE "):
            name, _kind, lines = out[-1]
            out[-1] = (name, line.split(" ")[3], [*lines, line])
        elif line != "# EOF":
            out[-1][2].append(line)
    return out


def parse(path: Path) -> list[Sample]:
    """Parse with prometheus_client. Histograms are fed one timestamp at a time: prometheus_client 0.26
    drops the 2nd..nth sample of a histogram group at every later timestamp (its duplicate filter keeps
    the series ids of the first timestamp), which the OpenMetrics format itself allows."""
    text = path.read_text()
    assert text.endswith("# EOF\n")
    plain: list[str] = []
    docs: list[str] = []
    for _name, kind, lines in _sections(text):
        if kind != "histogram":
            plain += lines
            continue
        by_ts: dict[str, list[str]] = defaultdict(list)
        for line in lines[2:]:
            by_ts[line.rsplit(" ", 1)[1]].append(line)
        docs += ["\n".join(lines[:2] + chunk) + "\n# EOF\n" for chunk in by_ts.values()]
    docs.append("\n".join(plain) + "\n# EOF\n")
    return [s for doc in docs for fam in text_string_to_metric_families(doc) for s in fam.samples]


def series(samples: list[Sample]) -> Series:
    out: Series = defaultdict(list)
    for s in samples:
        out[(s.name, tuple(sorted(s.labels.items())))].append((float(s.timestamp), s.value))
    return out


def pick(all_series: Series, name: str, **labels: str) -> list[list[tuple[float, float]]]:
    return [pts for (n, lab), pts in all_series.items()
            if n == name and all(dict(lab).get(k) == v for k, v in labels.items())]


def rise(points: list[tuple[float, float]]) -> float:
    """Counter increase with resets, from the samples (what PromQL increase() does, without extrapolating)."""
    values = np.array([v for _, v in sorted(points)])
    diffs = np.diff(values)
    return float(np.where(diffs < 0, values[1:], diffs).sum())


@pytest.fixture(scope="module")
def parsed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Series]:
    out = {}
    for name in ("churn", "gpu-sharing", "no-dcgm"):
        path = tmp_path_factory.mktemp("om") / f"{name}.om"
        write_scenario(scenario(name), path)
        out[name] = series(parse(path))
    return out


def test_counter_resets_and_shown_increase() -> None:
    inc = np.full(6, 10.0)
    assert counter(inc).tolist() == [0, 10, 20, 30, 40, 50]
    assert counter(inc, np.array([3])).tolist() == [0, 10, 20, 0, 10, 20]
    assert shown_increase(inc, np.array([3])) == 40.0  # 5 intervals shown, 1 lost to the restart


def test_histogram_quantile_inside_one_bucket() -> None:
    assert histogram_quantile(0.5, TTFT_LES, 0.3) == pytest.approx(0.375)
    assert histogram_quantile(0.95, TTFT_LES, 0.3) == pytest.approx(0.4875)


@SLOW
def test_churn_nodes(parsed: dict[str, Series]) -> None:
    s = parsed["churn"]
    assert [len(p) for p in pick(s, "kube_node_info", node=NODE_M6I)] == [360]
    assert [len(p) for p in pick(s, "kube_node_info", node=NODE_G5)] == [180]
    assert (node_samples(scenario("churn"), NODE_G5), node_hours(scenario("churn"), NODE_G5)) == (180, 3.0)
    assert node_hours(scenario("churn"), NODE_M6I) == 6.0
    capacity = pick(s, "kube_node_status_capacity", node=NODE_G5, resource="nvidia_com_gpu", unit="integer")
    assert {v for _, v in capacity[0]} == {4.0}


def test_churn_container_truth_by_hand() -> None:
    scn = scenario("churn")
    api = container_truth(scn, POD_API, "api")
    assert (api.hours, api.cpu_billed_core_hours, api.cpu_billed_cores, api.cpu_usage_cores) == (6.0, 4.5, 0.75, 0.625)
    assert api.ram_billed_byte_hours == pytest.approx(6 * GIB)
    report = container_truth(scn, POD_REPORT, "report")
    assert (report.hours, report.cpu_billed_core_hours) == (1.0, 1.0)
    vllm = container_truth(scn, POD_VLLM, "vllm")
    assert (vllm.hours, vllm.gpu_hours, vllm.cpu_billed_core_hours) == (3.0, 3.0, 12.0)


@SLOW
def test_churn_job_phases(parsed: dict[str, Series]) -> None:
    s = parsed["churn"]
    running = pick(s, "kube_pod_status_phase", pod=POD_REPORT, phase="Running")[0]
    succeeded = pick(s, "kube_pod_status_phase", pod=POD_REPORT, phase="Succeeded")[0]
    assert (len(running), sum(v for _, v in running), sum(v for _, v in succeeded)) == (90, 60.0, 30.0)


@SLOW
def test_churn_cadvisor_counters(parsed: dict[str, Series]) -> None:
    s = parsed["churn"]
    api = pick(s, "container_cpu_usage_seconds_total", pod=POD_API, container="api")
    # 180 intervals at 0.25 cores, then 179 shown at 1.0 (the last sample's interval is never shown), x 60 s
    assert [rise(p) for p in api] == [(180 * 0.25 + 179 * 1.0) * 60]
    vllm = pick(s, "container_cpu_usage_seconds_total", pod=POD_VLLM, container="vllm")
    assert sorted(len(p) for p in vllm) == [90, 90]  # restart at 3.5 h: a new container id, a new series
    pod_level = [p for (n, lab), p in s.items() if n == "container_cpu_usage_seconds_total"
                 and dict(lab).get("pod") == POD_API and "container" not in dict(lab)]
    assert len(pod_level) == 1


@SLOW
def test_churn_vllm_counters_match_truth(parsed: dict[str, Series]) -> None:
    s = parsed["churn"]
    truth = model_truth(scenario("churn"), POD_VLLM)
    assert (truth.input_tokens, truth.output_tokens, truth.cached_input_tokens) == (534_000, 213_600, 106_800)
    assert (truth.requests, truth.successful_requests) == (5_340, 5_162)
    assert (truth.prefill_seconds, truth.decode_seconds) == pytest.approx((1_068, 10_680))
    assert rise(pick(s, "vllm:prompt_tokens_total", pod=POD_VLLM)[0]) == truth.input_tokens
    assert rise(pick(s, "vllm:generation_tokens_total", pod=POD_VLLM)[0]) == truth.output_tokens
    assert rise(pick(s, "vllm:prefix_cache_hits_total", pod=POD_VLLM)[0]) == truth.cached_input_tokens
    ok = rise(pick(s, "vllm:request_success_total", pod=POD_VLLM, finished_reason="stop")[0])
    aborted = rise(pick(s, "vllm:request_success_total", pod=POD_VLLM, finished_reason="abort")[0])
    assert (ok + aborted, ok) == (truth.requests, truth.successful_requests)
    prefill = rise(pick(s, "vllm:request_prefill_time_seconds_sum", pod=POD_VLLM)[0])
    assert prefill == pytest.approx(truth.prefill_seconds)
    assert rise(pick(s, "vllm:e2e_request_latency_seconds_count", pod=POD_VLLM)[0]) == truth.requests


@SLOW
def test_gpu_sharing_models_by_hand(parsed: dict[str, Series]) -> None:
    scn, s = scenario("gpu-sharing"), parsed["gpu-sharing"]
    expected = {  # 119 increments of the per-scrape values
        POD_MISTRAL: (714_000, 357_000, 7_140, 7_140),
        POD_PHI: (714_000, 357_000, 3_570, 3_332),
        POD_QWEN: (571_200, 285_600, 4_760, 4_641),
        POD_GEMMA: (142_800, 71_400, 2_380, 2_142),
    }
    for pod, numbers in expected.items():
        t = model_truth(scn, pod)
        assert (t.input_tokens, t.output_tokens, t.requests, t.successful_requests) == numbers
    assert model_truth(scn, POD_PHI).model == "phi-3-mini"
    assert rise(pick(s, "sglang:prompt_tokens_total", pod=POD_QWEN)[0]) == 571_200
    assert rise(pick(s, "tgi_request_input_length_sum", pod=POD_PHI)[0]) == 714_000
    assert rise(pick(s, "tgi_request_success", pod=POD_PHI)[0]) == 3_332
    assert model_truth(scn, POD_GEMMA).prefill_seconds == pytest.approx(119.0)


@SLOW
def test_gpu_sharing_dcgm_shapes(parsed: dict[str, Series]) -> None:
    s = parsed["gpu-sharing"]
    assert pick(s, "DCGM_FI_DEV_GPU_UTIL", Hostname=NODE_P4D) == []  # MIG instances report no GPU_UTIL
    mig = pick(s, "DCGM_FI_PROF_GR_ENGINE_ACTIVE", Hostname=NODE_P4D)
    assert len(mig) == 32  # 8 GPUs x 4 instances; the two held instances have pod labels instead
    held = pick(s, "DCGM_FI_PROF_GR_ENGINE_ACTIVE", Hostname=NODE_P4D, GPU_I_PROFILE="3g.20gb", pod=POD_MISTRAL)
    assert {v for _, v in held[0]} == {0.6}
    shared = pick(s, "DCGM_FI_DEV_GPU_UTIL", Hostname=NODE_G6)
    assert sorted(dict(lab)["pod"] for (n, lab) in s if n == "DCGM_FI_DEV_GPU_UTIL"
                  and dict(lab).get("Hostname") == NODE_G6) == sorted([POD_GEMMA, POD_QWEN])
    assert all({v for _, v in p} == {80.0} for p in shared)
    caps = pick(s, "kube_node_status_capacity", node=NODE_P4D)
    assert {dict(lab)["resource"]: pts[0][1] for (n, lab), pts in s.items() if n == "kube_node_status_capacity"
            and dict(lab)["node"] == NODE_P4D and "mig" in dict(lab)["resource"]} == {
        "nvidia_com_mig_3g_20gb": 8.0, "nvidia_com_mig_2g_10gb": 8.0, "nvidia_com_mig_1g_5gb": 16.0}
    assert len(caps) == 6


@SLOW
def test_no_dcgm_has_only_ksm_and_cadvisor(parsed: dict[str, Series]) -> None:
    names = {n for n, _ in parsed["no-dcgm"]}
    assert not {n for n in names if re.match(r"DCGM_|vllm:|sglang:|tgi_", n)}
    assert {"kube_pod_info", "container_cpu_usage_seconds_total", "container_memory_working_set_bytes"} <= names


def test_lb_web_endpoint_addresses_are_the_shop_pods_ips(tmp_path: Path) -> None:
    path = tmp_path / "lb-web.om"
    write_scenario(scenario("lb-web"), path)
    all_series = series(parse(path))
    addresses = {(dict(lab)["endpoint"], dict(lab)["ip"], dict(lab)["port_name"], dict(lab)["port_number"],
                  dict(lab)["port_protocol"], dict(lab)["ready"], dict(lab)["namespace"]): len(pts)
                 for (n, lab), pts in all_series.items() if n == "kube_endpoint_address"}
    # KSM: one series per port and address, value 1; the 3 shop pods on 2 ports, each for 120 samples (0-2 h)
    want = {("shop", f"10.0.1.{110 + i}", port, number, "TCP", "true", "web"): 120
            for i in range(3) for port, number in (("http", "80"), ("metrics", "9090"))}
    assert addresses == want
    ips = {dict(lab)["pod"]: dict(lab)["pod_ip"] for (n, lab), _ in all_series.items() if n == "kube_pod_info"}
    assert ips == {shop_pod(0): "10.0.1.110", shop_pod(1): "10.0.1.111", shop_pod(2): "10.0.1.112",
                   POD_WORKER: "10.0.1.200"}
    assert all(v == 1.0 for pts in pick(all_series, "kube_endpoint_address") for _, v in pts)


@pytest.mark.parametrize(("name", "absent", "present"), [
    ("no-ksm", r"kube_", "container_cpu_usage_seconds"),
    ("no-cadvisor", r"container_", "kube_pod_info"),
])
def test_missing_exporter_scenarios_lack_only_that_exporter(tmp_path: Path, name: str, absent: str,
                                                            present: str) -> None:
    path = tmp_path / f"{name}.om"
    write_scenario(scenario(name), path)
    families = set(re.findall(r"^# TYPE (\S+) ", path.read_text(), flags=re.M))
    assert not {f for f in families if f.startswith(absent)}
    assert {present, "DCGM_FI_DEV_GPU_UTIL", "vllm:prompt_tokens"} <= families
