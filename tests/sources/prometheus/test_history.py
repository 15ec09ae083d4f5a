"""load_history against Debian's real Prometheus, backfilled with P1's scenarios (tests/prom), and its query budget."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import polars as pl
import pytest
from tests.prom import truth
from tests.prom.scenarios import NODE_G5, NODE_M6I, POD_API, POD_REPORT, POD_VLLM, shop_pod

from genaicost.domain.options import ReportOptions
from genaicost.engine.report import compute_report
from genaicost.pricing.bundled import load_catalog
from genaicost.sources.prometheus import history
from genaicost.sources.prometheus.client import PrometheusClient
from genaicost.sources.prometheus.history import fetch_history, load_history
from genaicost.sources.prometheus.queries import HISTORY_TEMPLATES, RAW_TEMPLATES, billed_templates

NOW = datetime(2025, 4, 1, tzinfo=UTC)
STEP_S = 60.0  # the scenarios' scrape interval


def _load(instance: Any) -> Any:
    with PrometheusClient(instance.url) as client:
        return load_history(client, instance.window, resolution_s=STEP_S, now=NOW)


def test_churn_nodes_each_at_their_hours_instance_and_capacity_type(prometheus_factory: Any) -> None:
    inst = prometheus_factory("churn")
    snap = _load(inst)
    nodes = {r["name"]: r for r in snap.nodes.iter_rows(named=True)}
    # Karpenter's spot g5 came at 2 h and went at 5 h: 180 one-minute samples = 3 h
    assert nodes[NODE_G5]["hours"] == pytest.approx(3.0) == pytest.approx(truth.node_hours(inst.scenario, NODE_G5))
    assert nodes[NODE_M6I]["hours"] == pytest.approx(6.0)
    assert (nodes[NODE_G5]["instance_type"], nodes[NODE_G5]["capacity_type"], nodes[NODE_G5]["nodepool"]) == (
        "g5.12xlarge", "spot", "gpu")
    assert (nodes[NODE_M6I]["capacity_type"], nodes[NODE_M6I]["managed_by"]) == ("on-demand", "eks-nodegroup")
    g5 = nodes[NODE_G5]
    assert (g5["gpu_count"], g5["gpu_model"], g5["vcpu"]) == (4.0, "NVIDIA-A10G", 48)
    assert snap.cluster.region == "us-east-1" and snap.cluster.is_eks and snap.cluster.source == "prometheus"
    assert not snap.partial and snap.window == inst.window and snap.collected_at == NOW


@pytest.mark.parametrize(("pod", "container"), [(POD_API, "api"), (POD_REPORT, "report"), (POD_VLLM, "vllm")])
def test_churn_container_hours_and_billed_core_hours_are_the_ground_truth(prometheus_factory: Any, pod: str,
                                                                         container: str) -> None:
    inst = prometheus_factory("churn")
    row = _load(inst).containers.filter(pl.col("pod") == pod).row(0, named=True)
    want = truth.container_truth(inst.scenario, pod, container)
    assert row["hours"] == pytest.approx(want.hours)
    assert row["cpu_billed_cores"] * row["hours"] == pytest.approx(want.cpu_billed_core_hours)
    assert row["ram_billed_bytes"] * row["hours"] == pytest.approx(want.ram_billed_byte_hours)
    assert row["cpu_usage_cores"] == pytest.approx(want.cpu_usage_cores)
    assert row["cpu_request_cores"] == pytest.approx(want.cpu_request_cores)
    assert row["gpu_request"] == pytest.approx(want.gpu_request)


def test_churn_hand_values_controllers_labels_volume_and_load_balancer(prometheus_factory: Any) -> None:
    snap = _load(prometheus_factory("churn"))
    rows = {r["pod"]: r for r in snap.containers.iter_rows(named=True)}
    # web/api: request 0.5, usage 0.25 for 3 h then 1.0 for 3 h → billed (3×0.5 + 3×1.0) / 6 = 0.75
    assert rows[POD_API]["cpu_billed_cores"] == pytest.approx(0.75)
    assert rows[POD_API]["cpu_usage_cores"] == pytest.approx(0.625)
    assert rows[POD_REPORT]["hours"] == pytest.approx(1.0)  # Running 0.5-1.5 h; Succeeded afterwards costs nothing
    assert (rows[POD_API]["controller_kind"], rows[POD_API]["controller"]) == ("Deployment", "api")
    assert (rows[POD_REPORT]["controller_kind"], rows[POD_REPORT]["controller"]) == ("Job", "report-28990")
    uid = rows[POD_VLLM]["pod_uid"]
    labels = dict(snap.pod_labels.filter(pl.col("pod_uid") == uid).select("key", "value").iter_rows())
    assert labels["model"] == "llama-3-8b"
    vol = snap.volumes.row(0, named=True)
    assert (vol["volume_type"], vol["capacity_gib"], vol["hours"], vol["claim_name"]) == (
        "gp3", 100.0, 6.0, "model-cache")
    assert snap.mounts.row(0, named=True)["pod_uid"] == uid
    assert snap.services.select("lb_kind", "hours").row(0) == ("nlb", 6.0)
    assert rows[POD_VLLM]["gpu_utilization"] == pytest.approx(0.6)  # DCGM via gpu_usage


def test_churn_report_dollars_by_hand(prometheus_factory: Any) -> None:
    snap = _load(prometheus_factory("churn"))
    report = compute_report(snap, load_catalog(), ReportOptions(aggregate=("namespace",)), generated_at=NOW)
    # bundled us-east-1 prices: m6i.xlarge $0.192/h on demand × 6 h; g5.12xlarge spot estimate $2.1824/h × 3 h;
    # EKS $0.10/h × 6 h; gp3 100 GiB × $0.08/GB-month ÷ 730 h × 6 h; NLB $0.0225/h × 6 h
    nodes = 6 * 0.192 + 3 * 2.1824
    expected = nodes + 0.10 * 6 + 100 * 0.08 / 730 * 6 + 0.0225 * 6
    assert report.totals.total_usd == pytest.approx(expected, abs=0.005)
    lines = sum(a.total_usd for a in report.allocations)  # incl. __idle__ and __overhead__
    assert lines == pytest.approx(report.totals.total_usd, abs=0.01)


def test_no_dcgm_degrades_with_warnings(prometheus_factory: Any) -> None:
    snap = _load(prometheus_factory("no-dcgm"))
    assert snap.nodes.height == 2 and snap.containers.height == 3
    assert snap.containers.get_column("gpu_utilization").is_null().all()
    assert any("DCGM" in w for w in snap.warnings)
    assert snap.model_usage.is_empty()


def test_query_budget_is_templates_times_chunks_whatever_the_pods(prometheus_factory: Any,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(history, "CHUNK_HOURS", 1.0)
    monkeypatch.setattr(history, "RAW_CHUNK_HOURS", 1.0)
    monkeypatch.setattr(history, "INFO_CHUNK_HOURS", 1.0)
    counts = []
    for name in ("churn", "gpu-sharing"):  # 3 pods on 2 nodes, then 4 pods on 2 nodes
        inst = prometheus_factory(name)
        window = type(inst.window)(inst.window.start, inst.window.start.replace(hour=2))  # 2 h = 2 chunks
        with PrometheusClient(inst.url) as client:
            fetch_history(client, window, STEP_S)
            counts.append(client.query_count)
    billed = len(billed_templates(raw=True, bucketed=True))   # two 1 h pieces of whole buckets
    assert counts == [(len(HISTORY_TEMPLATES) + billed) * 2 + 1] * 2  # + the scrape-interval check (once per run)


@pytest.mark.parametrize("replicas", [3, 6])
def test_lb_endpoints_map_the_load_balancer_to_its_pods(prometheus_factory: Any, replicas: int) -> None:
    inst = prometheus_factory("lb-web" if replicas == 3 else f"lb-web-{replicas}")
    snap = _load(inst)
    uids = dict(snap.containers.select("pod", "pod_uid").iter_rows())
    assert snap.services.select("namespace", "name", "lb_kind", "hours").rows() == [("web", "shop", "nlb", 2.0)]
    # kube_endpoint_address ips 10.0.1.110 … = the shop pods' kube_pod_info pod_ip (2 ports each, counted once);
    # the worker (10.0.1.200) is not behind it
    want = sorted(("web", "shop", uids[shop_pod(i)]) for i in range(replicas))
    assert sorted(snap.service_pods.rows()) == want
    assert not any("__unmounted__" in n for n in snap.notes)


def test_query_budget_does_not_grow_with_the_pods(prometheus_factory: Any) -> None:
    counts, fetch_counts = [], []
    for name in ("lb-web", "lb-web-6"):  # the same 2 h window with 3 + 1, then 6 + 1 pods
        inst = prometheus_factory(name)
        with PrometheusClient(inst.url) as client:
            snap = load_history(client, inst.window, resolution_s=STEP_S, now=NOW)
            counts.append(client.query_count)
        with PrometheusClient(inst.url) as client:
            fetch_history(client, inst.window, STEP_S)
            fetch_counts.append(client.query_count)
        assert snap.containers.height == (4 if name == "lb-web" else 7)
    # one 2 h chunk: 23 history templates + 2 billed (one piece of 2 whole hours) + the scrape-interval check,
    # + 1 GPU discovery + 1 serving discovery (neither exporter is there, so nothing else runs)
    billed = len(billed_templates(raw=True, bucketed=True))
    assert fetch_counts == [len(HISTORY_TEMPLATES) + billed + 1] * 2 == [26, 26]
    assert counts == [len(HISTORY_TEMPLATES) + billed + 3] * 2 == [28, 28]


def test_unreachable_prometheus_names_the_url_and_query() -> None:
    from genaicost.domain.window import Window
    from genaicost.sources.prometheus.client import PrometheusError

    with (PrometheusClient("http://127.0.0.1:9", retries=0, timeout_s=2.0) as client,
          pytest.raises(PrometheusError, match=r"http://127\.0\.0\.1:9.*kube_node_info")):
        load_history(client, Window.ending_at(NOW, 1.0), resolution_s=STEP_S, now=NOW)


@pytest.mark.parametrize("name", ["churn", "gpu-sharing", "no-dcgm", "hour-billing"])
def test_raw_range_forms_match_the_subqueries_when_the_scrape_interval_is_the_resolution(
        prometheus_factory: Any, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    inst = prometheus_factory(name)
    with PrometheusClient(inst.url) as client:
        assert history.scrape_matches_resolution(client, inst.window, STEP_S)
        assert not history.scrape_matches_resolution(client, inst.window, 2 * STEP_S)  # 2 samples per step
        raw = fetch_history(client, inst.window, STEP_S)
        monkeypatch.setattr(history, "scrape_matches_resolution", lambda *_: False)
        sub = fetch_history(client, inst.window, STEP_S)
    for template in [*RAW_TEMPLATES, *billed_templates(raw=True, bucketed=True)]:
        by = [c for c in sub[template].columns if c != "value"]
        want, got = sub[template].sort(by), raw[template].sort(by)
        assert got.drop("value").equals(want.drop("value")), template
        assert got["value"].to_list() == pytest.approx(want["value"].to_list(), rel=1e-12), template


@pytest.mark.parametrize("raw", [True, False], ids=["raw-range-forms", "subqueries"])
@pytest.mark.parametrize(("start", "end", "core_hours", "gib_hours"), [
    ((0, 0), (3, 0), 3.25, 3.75),     # whole hours (a per-step max would give 3.5 and 4.0)
    ((0, 45), (2, 15), 1.75, 2.25),   # a partial hour at each edge
    ((0, 40), (0, 55), 0.5, 0.25),    # inside one hour: 15 min, 10 of them at 2 cores
])
def test_cpu_and_memory_are_billed_per_container_and_clock_hour(
        prometheus_factory: Any, monkeypatch: pytest.MonkeyPatch, raw: bool, start: tuple[int, int],
        end: tuple[int, int], core_hours: float, gib_hours: float) -> None:
    from genaicost.domain.window import Window

    inst = prometheus_factory("hour-billing")  # hand-computed in tests/prom/scenarios.py::hour_billing
    if not raw:
        monkeypatch.setattr(history, "scrape_matches_resolution", lambda *_: False)
    day = inst.window.start
    window = Window(day.replace(hour=start[0], minute=start[1]), day.replace(hour=end[0], minute=end[1]))
    with PrometheusClient(inst.url) as client:
        row = load_history(client, window, resolution_s=STEP_S, now=NOW).containers.row(0, named=True)
    assert row["cpu_billed_cores"] * row["hours"] == pytest.approx(core_hours, rel=1e-12)
    assert row["ram_billed_bytes"] * row["hours"] == pytest.approx(gib_hours * 1024**3, rel=1e-12)


def test_hour_billing_truth_matches_the_hand_computed_values(prometheus_factory: Any) -> None:
    inst = prometheus_factory("hour-billing")
    want = truth.container_truth(inst.scenario, "burst-6d4cf56db6-b7r2s", "burst")
    assert (want.cpu_billed_core_hours, want.ram_billed_byte_hours / 1024**3) == pytest.approx((3.25, 3.75))
    assert want.hours == 3.0
