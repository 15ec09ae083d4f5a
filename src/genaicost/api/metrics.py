"""`GET /metrics`: the latest Report as Prometheus gauges (docs/metrics.md).

OpenCost-compatible node gauges (same names and label names as OpenCost's cost-model, so existing Grafana
dashboards and PromQL keep working) and genaicost's own series. Everything is computed at scrape time from
`request.app.state.latest_report()`; before the first collection only `genaicost_up` (0) and the empty
`genaicost_last_collection_timestamp_seconds` family are exposed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, time

from fastapi import APIRouter, Request, Response
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import CollectorRegistry

from genaicost.domain.report import NodeCost, Report, VolumeCost

router = APIRouter(tags=["metrics"])

# OpenCost's label names for its node gauges (pkg/costmodel/metrics.go).
NODE_LABELS = ("instance", "node", "instance_type", "region", "provider_id", "arch", "uid")
PV_LABELS = ("volumename", "persistentvolume", "provider_id")
UNPRICED_KINDS = ("node", "volume", "service", "overhead")
TOKEN_KINDS = ("blended", "input", "output")
_BAD_LABEL_CHARS = re.compile(r"[^a-zA-Z0-9_]")


def label_name(aggregate_key: str) -> str:
    """An aggregate key as a Prometheus label name: `label:app.kubernetes.io/name` → `label_app_kubernetes_io_name`."""
    name = _BAD_LABEL_CHARS.sub("_", aggregate_key)
    return f"_{name}" if name[:1].isdigit() else name


class ReportCollector:
    """A prometheus_client custom collector over one Report (or None before the first collection)."""

    def __init__(self, report: Report | None) -> None:
        self.report = report

    def collect(self) -> Iterator[Metric]:
        report = self.report
        up = GaugeMetricFamily("genaicost_up", "1 when a collection has succeeded and the series below are current, "
                               "0 before the first successful collection")
        up.add_metric([], 1.0 if report is not None else 0.0)
        yield up
        last = GaugeMetricFamily("genaicost_last_collection_timestamp_seconds",
                                 "Unix time of the collection the series describe (the report's generated_at)")
        if report is not None:
            last.add_metric([], report.generated_at.timestamp())
        yield last
        if report is None:
            return
        yield from node_families(report.nodes)
        yield volume_family(report.volumes)
        yield from cluster_families(report)
        yield allocation_family(report)
        yield from model_families(report)


def node_families(nodes: list[NodeCost]) -> Iterator[Metric]:
    def gauge(name: str, doc: str) -> GaugeMetricFamily:
        return GaugeMetricFamily(name, doc, labels=NODE_LABELS)

    total = gauge("node_total_hourly_cost", "Total node cost per hour, USD (OpenCost-compatible)")
    cpu = gauge("node_cpu_hourly_cost", "Hourly cost per vCPU on this node, USD per vCPU-hour (OpenCost-compatible)")
    ram = gauge("node_ram_hourly_cost", "Hourly cost per GiB of memory on this node, USD per GiB-hour "
                "(OpenCost-compatible)")
    gpu = gauge("node_gpu_hourly_cost", "Hourly cost per GPU on this node, USD per GPU-hour; 0 without GPUs "
                "(OpenCost-compatible)")
    count = gauge("node_gpu_count", "Number of GPUs (physical accelerator devices) on this node (OpenCost-compatible)")
    spot = gauge("kubecost_node_is_spot", "1 when the node is a spot instance, else 0 (OpenCost-compatible)")
    idle_gpu = GaugeMetricFamily(
        "genaicost_idle_gpu_hourly_usd",
        "Cost per hour of the node's GPU capacity no workload requests (idle GPU), USD per hour",
        labels=("node", "instance_type", "gpu_model"),
    )
    for node in nodes:
        labels = [node.name, node.name, node.instance_type or "", node.region or "", "", "", ""]
        count.add_metric(labels, node.gpu_count)
        spot.add_metric(labels, 1.0 if node.capacity_type == "spot" else 0.0)
        if node.hourly_usd is None:   # unpriced: counted in genaicost_unpriced_resources, never a guessed price
            continue
        total.add_metric(labels, node.hourly_usd)
        cpu.add_metric(labels, node.usd_per_vcpu_hour or 0.0)
        ram.add_metric(labels, node.usd_per_gib_hour or 0.0)
        gpu.add_metric(labels, node.usd_per_gpu_hour or 0.0)
        if node.gpu_count > 0 and node.hours > 0:
            idle_gpu.add_metric([node.name, node.instance_type or "", node.gpu_model or ""],
                                node.idle_gpu_usd / node.hours)
    yield from (total, cpu, ram, gpu, count, spot, idle_gpu)


def volume_family(volumes: list[VolumeCost]) -> Metric:
    """OpenCost's pv_hourly_cost (USD per GiB-hour, its label names); unpriced volumes have no series."""
    pv = GaugeMetricFamily("pv_hourly_cost", "Cost per GiB per hour on a persistent volume (capacity plus "
                           "provisioned IOPS / throughput, ÷ capacity), USD per GiB-hour (OpenCost-compatible)",
                           labels=PV_LABELS)
    for volume in volumes:
        if volume.usd_per_gib_hour is not None:
            pv.add_metric([volume.name, volume.name, ""], volume.usd_per_gib_hour)
    return pv


def cluster_families(report: Report) -> Iterator[Metric]:
    hourly = GaugeMetricFamily("genaicost_cluster_hourly_usd", "Run-rate of the whole cluster (nodes, volumes, "
                               "load balancers, control plane), USD per hour", labels=("cluster",))
    hourly.add_metric([report.cluster], report.totals.hourly_usd)
    monthly = GaugeMetricFamily("genaicost_cluster_monthly_usd", "genaicost_cluster_hourly_usd × 730, USD per month",
                                labels=("cluster",))
    monthly.add_metric([report.cluster], report.totals.monthly_usd)
    counts = Counter(item.kind for item in report.unpriced)
    unpriced = GaugeMetricFamily("genaicost_unpriced_resources", "Resources without a known price (their cost is "
                                 "missing from the totals; reasons in GET /report), by kind", labels=("kind",))
    for kind in sorted(set(UNPRICED_KINDS) | set(counts)):
        unpriced.add_metric([kind], float(counts.get(kind, 0)))
    as_of = GaugeMetricFamily("genaicost_prices_as_of_timestamp_seconds",
                              "Unix time (00:00 UTC) of the as-of date of the prices used")
    as_of.add_metric([], datetime.combine(report.prices_as_of, time(0), tzinfo=UTC).timestamp())
    partial = GaugeMetricFamily("genaicost_report_partial", "1 when some source data was missing from the last "
                                "collection (see the warnings in GET /report), else 0")
    partial.add_metric([], 1.0 if report.partial else 0.0)
    yield from (hourly, monthly, unpriced, as_of, partial)


def allocation_keys(report: Report) -> dict[str, str]:
    """Label name → the report's aggregate key (`namespace` → `namespace`, `label:team` → `label_team`)."""
    keys: dict[str, str] = {}
    for key in report.aggregate:
        keys.setdefault(label_name(key), key)
    return keys


def allocation_family(report: Report) -> Metric:
    keys = allocation_keys(report)
    family = GaugeMetricFamily(
        "genaicost_allocation_hourly_usd",
        f"Cost per hour of each allocation, by {', '.join(report.aggregate)}; __idle__ (unrequested node capacity), "
        "__overhead__ (control plane) and __unmounted__ (unbound volumes) carry their name in every label, USD per "
        "hour", labels=tuple(keys),
    )
    for line in report.allocations:
        # a synthetic line (__idle__, __overhead__, …) has no properties: its name goes in every label
        family.add_metric([line.properties.get(k, line.name) for k in keys.values()], line.hourly_usd)
    return family


def model_families(report: Report) -> Iterator[Metric]:
    per_token = GaugeMetricFamily(
        "genaicost_model_usd_per_1m_tokens",
        "Cost of a model's pods per million tokens over the report window: blended = cost ÷ (input + output), "
        "input / output per the report's io_split, USD per 1M tokens",
        labels=("model", "namespace", "kind"),
    )
    hourly = GaugeMetricFamily("genaicost_model_hourly_usd", "Cost per hour of the pods serving a model, USD per hour",
                               labels=("model", "namespace"))
    tokens = GaugeMetricFamily("genaicost_model_tokens_per_hour", "Tokens processed per hour over the report window "
                               "(only models whose serving engine reports token counts)",
                               labels=("model", "namespace", "kind"))
    hours = report.window.hours
    for line in report.inference:
        for kind, value in zip(TOKEN_KINDS, (line.usd_per_1m_tokens, line.usd_per_1m_input_tokens,
                                             line.usd_per_1m_output_tokens), strict=True):
            if value is not None:
                per_token.add_metric([line.model, line.namespace, kind], value)
        if hours > 0:
            hourly.add_metric([line.model, line.namespace], line.cost_usd / hours)
        if hours > 0 and line.input_tokens + line.output_tokens > 0:   # no tokens = no serving metrics: no series
            tokens.add_metric([line.model, line.namespace, "input"], line.input_tokens / hours)
            tokens.add_metric([line.model, line.namespace, "output"], line.output_tokens / hours)
    yield from (per_token, hourly, tokens)


def exposition(report: Report | None, accept: str | None = None) -> tuple[bytes, str]:
    """(body, content type) in the text format the `Accept` header asks for (Prometheus text or OpenMetrics)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(ReportCollector(report))
    encoder, content_type = choose_encoder(accept or "")
    return encoder(registry), content_type


@router.get("/metrics", summary="Prometheus metrics of the latest collection", response_class=Response)
def metrics(request: Request) -> Response:
    latest: Callable[[], Report | None] = request.app.state.latest_report
    body, content_type = exposition(latest(), request.headers.get("accept"))
    return Response(content=body, media_type=content_type)
