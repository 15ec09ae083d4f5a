"""Prometheus history → Snapshot: everything that ran in the window, with the hours it existed.

kube-state-metrics (inventory, requests, phases, owners, labels, volumes, load balancers) and cAdvisor (usage)
through the fixed list of templates in `queries.py`, each run once per chunk of the window
(`chunks.chunked_instant`): the number of queries is templates × chunks, whatever the size of the cluster.
DCGM (GPU utilization) and serving-engine metrics (tokens, requests, latency) come from `gpu.py` and
`serving.py`. A missing exporter degrades the snapshot (`partial=True`, a warning naming the metrics
expected and the fallback); Prometheus faults raise `PrometheusError` naming the URL and the query.
"""

from __future__ import annotations

from datetime import datetime

import polars as pl

from genaicost.domain.snapshot import Snapshot
from genaicost.domain.window import Window
from genaicost.sources.k8s.common import Context
from genaicost.sources.prometheus import queries as q
from genaicost.sources.prometheus.chunks import (
    bucket_pieces,
    chunk_query,
    chunked_instant,
    combine_frames,
    piece_query,
    window_chunks,
)
from genaicost.sources.prometheus.client import PrometheusClient
from genaicost.sources.prometheus.history_extras import (
    gpu_and_serving_measurements,
    with_container_gpu,
    with_node_gpu,
)
from genaicost.sources.prometheus.history_nodes import (
    history_cluster_info,
    missing_instance_types,
    node_objects,
    node_table,
)
from genaicost.sources.prometheus.history_pods import (
    PodSeries,
    containers_table,
    key_values,
    mounts_table,
)
from genaicost.sources.prometheus.history_storage import service_pods_table, services_table, volumes_table

# A 6 h chunk at a 5 m resolution is 72 subquery steps: each query's work stays bounded (well inside
# Prometheus' default 2 min query timeout at 10,000 pods) and the chunks run `client.concurrency` at a time.
# The raw range forms read each sample once, without per-step work: a day per query (bench/README.md).
CHUNK_HOURS = 6.0
RAW_CHUNK_HOURS = 24.0
INFO_CHUNK_HOURS = 31 * 24.0   # queries.INFO_TEMPLATES: raw ranges, one query for windows up to 31 days
BUCKET_S = 3600.0   # CPU and memory are billed max(request, usage) per container and hour (docs/cost-model.md)
MAX_LISTED = 10
# template name → (labels kept, how chunks combine); templates not listed keep every label (raw rows)
COMBINE: dict[str, tuple[list[str], str]] = {
    "node_steps": (["node"], "sum"),
    "node_info": (["node", "provider_id", "kubelet_version", "cluster"], "max"),
    "node_capacity": (["node", "resource"], "max"),
    "pod_running_steps": (["namespace", "pod", "uid"], "sum"),
    "pod_info": (["namespace", "pod", "uid", "node", "pod_ip"], "max"),
    "pod_owner": (["namespace", "pod", "uid", "owner_kind", "owner_name", "owner_is_controller"], "max"),
    "replicaset_owner": (["namespace", "replicaset", "owner_kind", "owner_name"], "max"),
    "job_owner": (["namespace", "job_name", "owner_kind", "owner_name"], "max"),
    "requests_sum": (["namespace", "pod", "uid", "container", "resource"], "sum"),
    "cpu_usage_sum": (["namespace", "pod", "container"], "sum"),
    "ram_usage_sum": (["namespace", "pod", "container"], "sum"),
    "cpu_billed_sum": (["namespace", "pod", "container"], "sum"),
    "ram_billed_sum": (["namespace", "pod", "container"], "sum"),
    "pv_steps": (["persistentvolume"], "sum"),
    "pv_info": (["persistentvolume", "storageclass", "csi_driver"], "max"),
    "pv_capacity": (["persistentvolume"], "max"),
    "pv_claim": (["persistentvolume", "claim_namespace", "name"], "max"),
    "storage_classes": (["storageclass", "provisioner"], "max"),
    "pod_claims": (["namespace", "pod", "uid", "persistentvolumeclaim"], "max"),
    "lb_steps": (["namespace", "service"], "sum"),
    "lb_annotations": (["namespace", "service", q.LB_TYPE_LABEL], "max"),
    "endpoint_addresses": (["namespace", "endpoint", "ip"], "max"),
}

Fetched = dict[str, pl.DataFrame]


def fetch_history(client: PrometheusClient, window: Window, step_s: float) -> Fetched:
    """Run every template of `queries.HISTORY_TEMPLATES` over the window's chunks (their raw range forms,
    `queries.RAW_TEMPLATES`, when `scrape_matches_resolution`)."""
    fetched: Fetched = {}
    raw = scrape_matches_resolution(client, window, step_s)
    chunk_hours = RAW_CHUNK_HOURS if raw else CHUNK_HOURS
    for name, template in q.history_templates(raw=raw).items():
        text = q.with_step(template, step_s)
        whole = name in q.INFO_TEMPLATES or (raw and name in q.RAW_WHOLE_WINDOW)
        hours = INFO_CHUNK_HOURS if whole else chunk_hours
        if name in COMBINE:
            by, combine = COMBINE[name]
            fetched[name] = chunked_instant(client, text, window, step_s=step_s, chunk_hours=hours, by=by,
                                            combine=combine)  # type: ignore[arg-type]
        else:
            fetched[name] = raw_chunks(client, text, window, step_s, hours)
    billed = billed_sums(client, window, step_s, raw=raw, chunk_hours=chunk_hours)
    if raw:
        billed = {name: billed_from_excess(fetched, name, excess) for name, excess in billed.items()}
    return fetched | billed


def billed_from_excess(fetched: Fetched, name: str, excess: pl.DataFrame) -> pl.DataFrame:
    """Σ billed per (namespace, pod, container) from the raw forms: request × Running steps (requests_sum) + the
    excess above it (queries.excess_raw); a container without a request is billed its usage."""
    resource, usage_name = q.EXCESS_OF[name]
    keys = ["namespace", "pod", "container"]
    requests = (fetched["requests_sum"].filter(pl.col("resource") == resource)
                .group_by(keys).agg(pl.col("value").sum().alias("request")))
    with_request = requests.join(excess.rename({"value": "excess"}), on=keys, how="left", nulls_equal=True).select(
        *keys, (pl.col("request") + pl.col("excess").fill_null(0.0)).alias("value"))
    usage_only = fetched[usage_name].join(requests, on=keys, how="anti", nulls_equal=True).select(*keys, "value")
    return pl.concat([with_request, usage_only]).sort(keys, nulls_last=True)


def bucket_seconds(step_s: float) -> float:
    """The billing bucket: an hour, or the step when it is longer (the resolution divides an hour or is whole
    hours: app.window.parse_resolution)."""
    bucket_s = max(BUCKET_S, step_s)
    if bucket_s % step_s:
        raise ValueError(f"a {step_s:g} s step does not divide the {bucket_s:g} s billing bucket")
    return bucket_s


def billed_sums(client: PrometheusClient, window: Window, step_s: float, *, raw: bool,
                chunk_hours: float) -> Fetched:
    """Σ over the window's buckets of max(request, usage) per (namespace, pod, container), CPU and memory."""
    bucket_s = bucket_seconds(step_s)
    pieces = bucket_pieces(window, bucket_s=bucket_s, chunk_hours=chunk_hours)
    forms = {bucketed: q.billed_templates(raw=raw, bucketed=bucketed) for bucketed in (False, True)}
    fetched: Fetched = {}
    for name in forms[True]:
        frames = client.instant_many([
            (piece_query(q.with_step(forms[bucketed][name], step_s), piece, bucketed=bucketed, step_s=step_s,
                         bucket_s=bucket_s), piece.end)
            for piece, bucketed in pieces])
        by, combine = COMBINE[name]
        fetched[name] = combine_frames(frames, by=by, combine=combine)  # type: ignore[arg-type]
    return fetched


def scrape_matches_resolution(client: PrometheusClient, window: Window, step_s: float) -> bool:
    """Whether the raw range forms give the subqueries' results: in the window's last chunk, the longest-lived
    kube_node_info and cAdvisor working-set series have one sample per step (no cAdvisor series: no usage to
    count), and no pod has two phase series at once (kube-state-metrics scraped twice). One query per run."""
    chunk = window_chunks(window, chunk_hours=CHUNK_HOURS, step_s=step_s)[-1]
    steps = round((chunk.end - chunk.start).total_seconds() / step_s)
    found = client.instant(chunk_query(q.with_step(q.SCRAPE_CHECK, step_s), chunk, step_s), chunk.end)
    checks = dict(zip(found.get_column("check"), found.get_column("value"), strict=True)) if found.height else {}
    return (checks.get("ksm_samples") == steps and checks.get("cadvisor_samples", steps) == steps
            and checks.get("ksm_copies", 1.0) <= 1)


def raw_chunks(client: PrometheusClient, template: str, window: Window, step_s: float,
               chunk_hours: float) -> pl.DataFrame:
    """Every series of every chunk, in chunk order (for label-per-key metrics like kube_pod_labels)."""
    frames = client.instant_many([(chunk_query(template, chunk, step_s), chunk.end)
                                  for chunk in window_chunks(window, chunk_hours=chunk_hours, step_s=step_s)])
    frames = [f for f in frames if f.height]
    return pl.concat(frames, how="diagonal") if frames else pl.DataFrame()


def _listed(names: list[str]) -> str:
    more = f" and {len(names) - MAX_LISTED} more" if len(names) > MAX_LISTED else ""
    return ", ".join(names[:MAX_LISTED]) + more


def exporter_warnings(fetched: Fetched) -> tuple[list[str], bool]:
    """Warnings for a missing kube-state-metrics or cAdvisor, and whether the snapshot is partial."""
    no_nodes, no_pods = fetched["node_steps"].is_empty(), fetched["pod_running_steps"].is_empty()
    if no_nodes and no_pods:
        return [f"no kube-state-metrics series in the window (expected {', '.join(q.KSM_METRICS)}): no nodes, "
                "pods, volumes or load balancers could be costed, nor the EKS control plane (the region and EKS are "
                "read from the nodes): the report shows no cost. "
                "Is kube-state-metrics scraped by this Prometheus?"], True
    warnings, partial = [], False
    if no_nodes:
        warnings.append("no kube_node_info series in the window: nodes are missing, so every pod is "
                        "'on a node not in the snapshot' and costs nothing")
        partial = True
    usage = ("cpu_usage_sum", "ram_usage_sum")
    if not no_pods and all(fetched[name].is_empty() for name in usage):
        warnings.append(f"no cAdvisor series for the running pods (expected {', '.join(q.CADVISOR_METRICS)} "
                        "with namespace/pod/container labels): CPU and memory are billed by requests only and "
                        "usage / efficiency are unknown")
        partial = True
    return warnings, partial


def load_history(client: PrometheusClient, window: Window, *, resolution_s: float = 300.0, now: datetime,
                 cluster_name: str | None = None) -> Snapshot:
    """The Snapshot of everything that ran in `window`, sampled every `resolution_s` seconds."""
    fetched = fetch_history(client, window, resolution_s)
    warnings, partial = exporter_warnings(fetched)
    ctx = Context(source="prometheus")
    objects = node_objects(fetched["node_steps"], fetched["node_info"], fetched["node_capacity"],
                           fetched["node_labels"])
    nodes, node_gpus = node_table(objects, ctx, resolution_s)
    unlabelled = missing_instance_types(objects)
    if unlabelled:
        warnings.append(
            f"{len(unlabelled)} node(s) have no instance-type label in kube_node_labels ({_listed(unlabelled)}) and "
            "are unpriced: run kube-state-metrics with --metric-labels-allowlist=nodes=[node.kubernetes.io/"
            "instance-type,topology.kubernetes.io/region,topology.kubernetes.io/zone,karpenter.sh/capacity-type,"
            "eks.amazonaws.com/capacityType,karpenter.sh/nodepool,eks.amazonaws.com/nodegroup,"
            "eks.amazonaws.com/compute-type,nvidia.com/gpu.product,nvidia.com/gpu.count,nvidia.com/gpu.replicas,"
            "nvidia.com/gpu.sharing-strategy,nvidia.com/mig.strategy] (see docs/report.md)")
    cluster = history_cluster_info(objects, nodes, cluster_name)
    containers, pod_warnings = containers_table(_pod_series(fetched), node_gpus, resolution_s)
    uids = containers.get_column("pod_uid").unique()
    volumes, volume_warnings = volumes_table(
        fetched["pv_steps"], fetched["pv_info"], fetched["pv_capacity"], fetched["pv_claim"],
        fetched["storage_classes"], region=cluster.region, step_s=resolution_s)
    services, lb_warnings = services_table(fetched["lb_steps"], fetched["lb_annotations"], region=cluster.region,
                                           step_s=resolution_s)
    service_pods, lb_notes = service_pods_table(services, fetched["endpoint_addresses"], fetched["pod_info"], uids)
    extras = gpu_and_serving_measurements(client, window, resolution_s)
    return Snapshot(
        cluster=cluster, window=window, collected_at=now, partial=partial,
        nodes=with_node_gpu(nodes, extras.node_gpu),
        containers=with_container_gpu(containers, extras.container_gpu),
        pod_labels=key_values(fetched["pod_labels"], "label_", uids),
        pod_annotations=key_values(fetched["pod_annotations"], "annotation_", uids),
        volumes=volumes, mounts=mounts_table(fetched["pod_claims"], uids),
        services=services, service_pods=service_pods,
        model_usage=extras.model_usage, model_latency=extras.model_latency,
        notes=(*ctx.notes, *lb_notes),
        warnings=(*warnings, *ctx.warnings, *pod_warnings, *volume_warnings, *lb_warnings, *extras.warnings,
                  *client.warnings),
    )


def _pod_series(fetched: Fetched) -> PodSeries:
    return PodSeries(
        running_steps=fetched["pod_running_steps"], info=fetched["pod_info"], owners=fetched["pod_owner"],
        replicaset_owners=fetched["replicaset_owner"], job_owners=fetched["job_owner"],
        requests_sum=fetched["requests_sum"],
        usage_sums={"cpu_usage": fetched["cpu_usage_sum"], "ram_usage": fetched["ram_usage_sum"],
                    "cpu_billed": fetched["cpu_billed_sum"], "ram_billed": fetched["ram_billed_sum"]},
    )
