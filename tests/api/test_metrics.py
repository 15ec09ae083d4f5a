"""GET /metrics: the exposition parsed with prometheus_client's parser, values checked against the demo report."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime

import httpx
import polars as pl
import pytest
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from genaicost.api import metrics
from genaicost.domain.options import ReportOptions
from genaicost.domain.report import Report, Unpriced
from genaicost.domain.snapshot import Snapshot, table_from_rows
from genaicost.engine.report import compute_report
from genaicost.pricing.bundled import load_catalog
from genaicost.sources.demo import demo_snapshot

NOW = datetime(2026, 11, 28, 22, 0, tzinfo=UTC)
G5_ONDEMAND = "ip-10-0-40-41.ec2.internal"     # g5.12xlarge on-demand, 4 × A10G, 4 llama-3.1-8b pods
G5_SPOT = "ip-10-0-41-42.ec2.internal"         # g5.12xlarge spot, 2 llama-3.1-8b pods → 2 idle GPUs
M6I = "ip-10-0-10-11.ec2.internal"             # m6i.xlarge on-demand
LLAMA = "llama-3.1-8b-instruct"


def demo_with_tokens(now: datetime = NOW) -> Snapshot:
    """The demo cluster plus vLLM counters on its 6 llama-3.1-8b pods: 1,000,000 input and 250,000 output tokens
    each over the 1 h window → 6 M input + 1.5 M output = 7.5 M tokens."""
    snap = demo_snapshot(now)
    pods = snap.containers.filter(pl.col("pod").str.starts_with("vllm-llama-3-1-8b"))["pod"].to_list()
    assert len(pods) == 6
    rows = [{"namespace": "llm-serving", "pod": pod, "model": LLAMA, "engine": "vllm", "input_tokens": 1e6,
             "output_tokens": 250e3, "requests": 1000.0, "successful_requests": 1000.0} for pod in pods]
    return replace(snap, model_usage=table_from_rows("model_usage", rows))


def demo_report(aggregate: tuple[str, ...] = ("namespace",)) -> Report:
    return compute_report(demo_with_tokens(), load_catalog(), ReportOptions(aggregate=aggregate), generated_at=NOW)


def metrics_app(report: Report | None) -> FastAPI:
    app = FastAPI()
    app.state.latest_report = lambda: report
    app.include_router(metrics.router)
    return app


def get(app: FastAPI, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
    """An in-process request (httpx over ASGI, no server)."""
    async def run() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app") as client:
            return await client.get(path, headers=headers)
    return asyncio.run(run())


def scrape(report: Report | None) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
    """{metric name: {sorted label pairs: value}} from GET /metrics, with every family's HELP checked."""
    resp = get(metrics_app(report), "/metrics")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/plain; version=0.0.4")
    out: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
    for family in text_string_to_metric_families(resp.text):
        assert family.type == "gauge" and len(family.documentation) > 20, family.name
        out[family.name] = {tuple(sorted(s.labels.items())): s.value for s in family.samples}
    return out


def one(series: dict[tuple[tuple[str, str], ...], float], **labels: str) -> float:
    found = [v for k, v in series.items() if labels.items() <= dict(k).items()]
    assert len(found) == 1, (labels, series)
    return found[0]


@pytest.fixture(scope="module")
def report() -> Report:
    return demo_report()


@pytest.fixture(scope="module")
def scraped(report: Report) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
    return scrape(report)


def test_node_gauges_have_opencost_names_labels_and_the_report_prices(report: Report, scraped: dict) -> None:
    node = {n.name: n for n in report.nodes}
    labels = {"instance", "node", "instance_type", "region", "provider_id", "arch", "uid"}
    for name in ("node_total_hourly_cost", "node_cpu_hourly_cost", "node_ram_hourly_cost", "node_gpu_hourly_cost",
                 "node_gpu_count", "kubecost_node_is_spot"):
        assert len(scraped[name]) == 13, name
        for key in scraped[name]:
            assert {k for k, _ in key} == labels   # provider_id, arch, uid: "" (not in the Report)
    total = scraped["node_total_hourly_cost"]
    assert one(total, node=M6I) == 0.192                       # m6i.xlarge on-demand, us-east-1
    assert one(total, node=G5_ONDEMAND, instance=G5_ONDEMAND, instance_type="g5.12xlarge", region="us-east-1") \
        == 5.672 == node[G5_ONDEMAND].hourly_usd
    assert one(scraped["node_cpu_hourly_cost"], node=G5_ONDEMAND) == node[G5_ONDEMAND].usd_per_vcpu_hour == 0.035
    assert one(scraped["node_ram_hourly_cost"], node=G5_ONDEMAND) == node[G5_ONDEMAND].usd_per_gib_hour
    gpu = one(scraped["node_gpu_hourly_cost"], node=G5_ONDEMAND)
    # the per-resource rates rebuild the node price: 48 vCPU × cpu + 186.24 GiB × ram + 4 GPU × gpu = $5.672
    ram = one(scraped["node_ram_hourly_cost"], node=G5_ONDEMAND)
    assert 48 * 0.035 + node[G5_ONDEMAND].ram_gib * ram + 4 * gpu == pytest.approx(5.672, abs=1e-9)
    assert one(scraped["node_gpu_hourly_cost"], node=M6I) == 0.0
    assert one(scraped["node_gpu_count"], node=G5_SPOT) == 4.0
    assert one(scraped["kubecost_node_is_spot"], node=G5_SPOT) == 1.0
    assert one(scraped["kubecost_node_is_spot"], node=G5_ONDEMAND) == 0.0


def test_idle_gpu_is_the_unrequested_gpus_at_the_node_gpu_rate(scraped: dict) -> None:
    idle = scraped["genaicost_idle_gpu_hourly_usd"]
    rate = one(scraped["node_gpu_hourly_cost"], node=G5_SPOT)
    assert one(idle, node=G5_SPOT, instance_type="g5.12xlarge") == pytest.approx(2 * rate)   # 2 of 4 GPUs unused
    assert one(idle, node=G5_ONDEMAND) == 0.0                                                  # 4 of 4 requested
    assert all(dict(k)["node"] != M6I for k in idle)                                           # no GPU, no series


def test_allocations_sum_to_the_cluster_run_rate(report: Report, scraped: dict) -> None:
    alloc = scraped["genaicost_allocation_hourly_usd"]
    assert {dict(k)["namespace"] for k in alloc} == {a.name for a in report.allocations}
    assert "__idle__" in {dict(k)["namespace"] for k in alloc}
    cluster = one(scraped["genaicost_cluster_hourly_usd"], cluster="genai-prod")
    assert cluster == report.totals.hourly_usd
    assert sum(alloc.values()) == pytest.approx(cluster, abs=1e-9)
    assert one(alloc, namespace="llm-serving") == next(a.hourly_usd for a in report.allocations
                                                       if a.name == "llm-serving")
    assert one(scraped["genaicost_cluster_monthly_usd"]) == pytest.approx(cluster * 730)


def test_allocation_labels_follow_the_aggregate() -> None:
    report = demo_report(("namespace", "label:model"))
    alloc = scrape(report)["genaicost_allocation_hourly_usd"]
    llama = next(a for a in report.allocations if a.properties.get("label:model") == LLAMA)
    assert one(alloc, namespace="llm-serving", label_model=LLAMA) == llama.hourly_usd
    assert one(alloc, namespace="__overhead__", label_model="__overhead__") == pytest.approx(0.10)   # EKS fee


def test_model_usd_per_1m_tokens_is_the_inference_line(report: Report, scraped: dict) -> None:
    line = next(i for i in report.inference if i.model == LLAMA)
    per_1m = scraped["genaicost_model_usd_per_1m_tokens"]
    blended = one(per_1m, model=LLAMA, namespace="llm-serving", kind="blended")
    assert blended == line.usd_per_1m_tokens
    # independently: the cost of the llama pods (report by label:model) ÷ 7.5 M tokens
    by_model = demo_report(("label:model",))
    llama_usd = next(a.total_usd for a in by_model.allocations if a.name == LLAMA)
    assert blended == pytest.approx(llama_usd / 7.5, rel=1e-9)
    assert one(per_1m, model=LLAMA, kind="input") == line.usd_per_1m_input_tokens
    assert one(per_1m, model=LLAMA, kind="output") == line.usd_per_1m_output_tokens
    # ratio 4: 6 M input + 4 × 1.5 M output = 12 M input-equivalents; input = cost / 12, output = 4 × that
    assert one(per_1m, model=LLAMA, kind="input") == pytest.approx(llama_usd / 12, rel=1e-9)
    assert one(per_1m, model=LLAMA, kind="output") == pytest.approx(4 * llama_usd / 12, rel=1e-9)
    assert one(scraped["genaicost_model_tokens_per_hour"], model=LLAMA, kind="output") == 1.5e6
    # the 70b pods have no serving metrics: a cost, but no token series and no $/1M
    assert one(scraped["genaicost_model_hourly_usd"], model="llama-3.1-70b-instruct") > 0
    assert all(dict(k)["model"] == LLAMA for k in scraped["genaicost_model_tokens_per_hour"])
    assert all(dict(k)["model"] == LLAMA for k in per_1m)


def test_freshness_prices_as_of_and_unpriced(report: Report, scraped: dict) -> None:
    assert one(scraped["genaicost_up"]) == 1.0
    assert one(scraped["genaicost_last_collection_timestamp_seconds"]) == NOW.timestamp()
    as_of = datetime.combine(report.prices_as_of, datetime.min.time(), tzinfo=UTC)
    assert one(scraped["genaicost_prices_as_of_timestamp_seconds"]) == as_of.timestamp()
    assert report.prices_as_of.isoformat() == "2026-07-20"
    assert scraped["genaicost_unpriced_resources"] == {
        (("kind", k),): 0.0 for k in ("node", "volume", "service", "overhead")}


def test_an_unpriced_node_has_no_price_series_and_is_counted(report: Report) -> None:
    nodes = [n.model_copy(update={"hourly_usd": None, "usd_per_vcpu_hour": None}) if n.name == M6I else n
             for n in report.nodes]
    unpriced = [Unpriced(kind="node", name=M6I, reason="no price for m6i.xlarge in eu-north-9")]
    scraped = scrape(report.model_copy(update={"nodes": nodes, "unpriced": unpriced}))
    assert all(dict(k)["node"] != M6I for k in scraped["node_total_hourly_cost"])
    assert all(dict(k)["node"] != M6I for k in scraped["node_cpu_hourly_cost"])
    assert one(scraped["node_gpu_count"], node=M6I) == 0.0
    assert one(scraped["genaicost_unpriced_resources"], kind="node") == 1.0


def test_before_the_first_collection_only_up_and_freshness() -> None:
    scraped = scrape(None)
    assert scraped == {"genaicost_up": {(): 0.0}, "genaicost_last_collection_timestamp_seconds": {}}


def test_openmetrics_when_asked(report: Report) -> None:
    resp = get(metrics_app(report), "/metrics", {"Accept": "application/openmetrics-text; version=1.0.0"})
    assert resp.headers["content-type"].startswith("application/openmetrics-text")
    assert resp.text.endswith("# EOF\n")


def test_label_names_are_prometheus_safe() -> None:
    assert metrics.label_name("label:app.kubernetes.io/name") == "label_app_kubernetes_io_name"
    assert metrics.label_name("controllerKind") == "controllerKind"
