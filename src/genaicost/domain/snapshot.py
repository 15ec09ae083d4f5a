"""Snapshot: everything collected for one window, as columnar tables.

The Snapshot is the seam between sources (Kubernetes, Prometheus, the demo) and the pure engine.
Every table is a Polars DataFrame with a fixed schema (below); `hours` columns say how many hours of
the window the row existed, so an instant snapshot (run-rate) has hours = window.hours for every row
and a history source can emit one row per interval.

Units are in the column names: cores, bytes, gib, hours, usd.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import polars as pl

from genaicost.domain.window import Window

SCHEMA_VERSION = 1

NODE_SCHEMA: dict[str, Any] = {
    "name": pl.String,
    "instance_type": pl.String,        # null when unknown (Fargate nodes, bare metal, other clouds)
    "region": pl.String,
    "zone": pl.String,
    "capacity_type": pl.String,        # "on-demand" | "spot" | "fargate" | "unknown"
    "compute_type": pl.String,         # "ec2" | "fargate"
    "provider_id": pl.String,
    "nodepool": pl.String,             # karpenter.sh/nodepool or eks.amazonaws.com/nodegroup, else null
    "managed_by": pl.String,           # "karpenter" | "eks-nodegroup" | "fargate" | "unknown"
    "arch": pl.String,
    "kubelet_version": pl.String,
    "vcpu": pl.Float64,                # capacity, cores
    "ram_gib": pl.Float64,             # capacity, GiB
    "gpu_count": pl.Float64,           # physical accelerator devices (GPUs or Neuron devices)
    "gpu_model": pl.String,            # e.g. "NVIDIA-A10G", "Inferentia2"; null when none
    "gpu_sharing": pl.String,          # "none" | "time-slicing" | "mig"
    "gpu_replicas": pl.Int64,          # time-slicing replicas per physical GPU (1 when not shared)
    "mig_slices_per_gpu": pl.Int64,    # compute slices of one card (7 on A100/H100/H200, 4 on A30)
    "neuron_cores_per_device": pl.Int64,
    "hours": pl.Float64,
    "gpu_utilization": pl.Float64,     # mean fraction 0..1 over the node's GPUs (DCGM), null when unknown
}

CONTAINER_SCHEMA: dict[str, Any] = {
    "pod_uid": pl.String,
    "namespace": pl.String,
    "pod": pl.String,
    "container": pl.String,
    "node": pl.String,                 # null when unscheduled
    "phase": pl.String,                # Pending | Running | Succeeded | Failed | Unknown
    "started": pl.Boolean,             # container ever started (running or terminated after running)
    "controller_kind": pl.String,      # Deployment, StatefulSet, DaemonSet, Job, CronJob, ... or null
    "controller": pl.String,
    "cpu_request_cores": pl.Float64,
    "cpu_usage_cores": pl.Float64,     # null when no metrics
    "ram_request_bytes": pl.Float64,
    "ram_usage_bytes": pl.Float64,     # null when no metrics
    "gpu_request": pl.Float64,         # nvidia.com/gpu (a time-slice replica when shared) or Neuron devices
    "neuroncore_request": pl.Float64,  # aws.amazon.com/neuroncore
    "mig_profile": pl.String,          # e.g. "1g.10gb" from nvidia.com/mig-1g.10gb; null when none
    "mig_count": pl.Float64,
    "hours": pl.Float64,
    # History sources (Prometheus) only; null for instant sources:
    "cpu_billed_cores": pl.Float64,    # mean over the row's hours of max(request, usage) at each step
    "ram_billed_bytes": pl.Float64,
    "gpu_utilization": pl.Float64,     # mean fraction 0..1 of the GPU(s) it holds busy (DCGM), null when unknown
    "gpu_memory_used_bytes": pl.Float64,
}

# Long tables for label / annotation aggregation: one row per (pod, key).
LABEL_SCHEMA: dict[str, Any] = {"pod_uid": pl.String, "key": pl.String, "value": pl.String}

VOLUME_SCHEMA: dict[str, Any] = {
    "name": pl.String,                 # PV name
    "storage_class": pl.String,
    "volume_type": pl.String,          # gp2 | gp3 | io1 | io2 | st1 | sc1 | standard | efs | unknown
    "capacity_gib": pl.Float64,
    "iops": pl.Float64,                # provisioned IOPS, null when default
    "throughput_mibps": pl.Float64,    # gp3 provisioned throughput, null when default
    "region": pl.String,
    "claim_namespace": pl.String,      # null when unbound
    "claim_name": pl.String,
    "hours": pl.Float64,
}

MOUNT_SCHEMA: dict[str, Any] = {"pod_uid": pl.String, "claim_namespace": pl.String, "claim_name": pl.String}

SERVICE_SCHEMA: dict[str, Any] = {
    "namespace": pl.String,
    "name": pl.String,
    "lb_kind": pl.String,              # "nlb" | "clb" (Service type=LoadBalancer)
    "region": pl.String,
    "hours": pl.Float64,
}

SERVICE_POD_SCHEMA: dict[str, Any] = {"namespace": pl.String, "service": pl.String, "pod_uid": pl.String}

# Serving-engine counters over the window, one row per (pod, model): from vLLM / SGLang / TGI / NIM metrics,
# increases with counter resets handled.
MODEL_USAGE_SCHEMA: dict[str, Any] = {
    "namespace": pl.String,
    "pod": pl.String,
    "model": pl.String,
    "engine": pl.String,               # "vllm" | "sglang" | "tgi" | "nim"
    "input_tokens": pl.Float64,
    "output_tokens": pl.Float64,
    "cached_input_tokens": pl.Float64, # null when the engine does not expose it
    "requests": pl.Float64,            # finished requests, any outcome
    "successful_requests": pl.Float64, # null when the engine does not say
    "prefill_seconds": pl.Float64,     # Σ request prefill time; null when not exposed
    "decode_seconds": pl.Float64,
}

# Latency context per model over the window (histogram quantiles).
MODEL_LATENCY_SCHEMA: dict[str, Any] = {
    "namespace": pl.String,
    "model": pl.String,
    "engine": pl.String,
    "ttft_p50_seconds": pl.Float64,
    "ttft_p95_seconds": pl.Float64,
    "e2e_p50_seconds": pl.Float64,
    "e2e_p95_seconds": pl.Float64,
}

# --- optional tables for `genaicost recommend` (empty unless a source fills them) -------------------------

# Usage percentiles over the window per container (Prometheus quantile_over_time; null when unknown).
USAGE_PERCENTILE_SCHEMA: dict[str, Any] = {
    "namespace": pl.String,
    "pod": pl.String,
    "container": pl.String,
    "cpu_p50_cores": pl.Float64,
    "cpu_p95_cores": pl.Float64,
    "cpu_p99_cores": pl.Float64,
    "cpu_max_cores": pl.Float64,
    "ram_p50_bytes": pl.Float64,
    "ram_p95_bytes": pl.Float64,
    "ram_p99_bytes": pl.Float64,
    "ram_max_bytes": pl.Float64,
}

# PodDisruptionBudgets: the selector's matchLabels as a JSON object string (matchExpressions: see `selector_note`).
DISRUPTION_BUDGET_SCHEMA: dict[str, Any] = {
    "namespace": pl.String,
    "name": pl.String,
    "match_labels": pl.String,         # JSON object, e.g. {"app": "web"}; "{}" selects every pod of the namespace
    "min_available": pl.String,        # "2" or "50%"; null when not set
    "max_unavailable": pl.String,
    "selector_note": pl.String,        # e.g. "matchExpressions ignored"; null when the selector is matchLabels only
}

# HorizontalPodAutoscalers and their scale targets.
AUTOSCALER_SCHEMA: dict[str, Any] = {
    "namespace": pl.String,
    "name": pl.String,
    "target_kind": pl.String,          # Deployment | StatefulSet | ...
    "target_name": pl.String,
    "min_replicas": pl.Int64,
    "max_replicas": pl.Int64,
}

# Serving-engine load gauges over the window per (pod, model): vLLM num_requests_running, gpu_cache_usage_perc.
SERVING_LOAD_SCHEMA: dict[str, Any] = {
    "namespace": pl.String,
    "pod": pl.String,
    "model": pl.String,
    "engine": pl.String,
    "running_requests_mean": pl.Float64,
    "running_requests_max": pl.Float64,
    "kv_cache_usage_mean": pl.Float64, # fraction 0..1
    "kv_cache_usage_max": pl.Float64,
}

TABLE_SCHEMAS: dict[str, dict[str, Any]] = {
    "nodes": NODE_SCHEMA,
    "containers": CONTAINER_SCHEMA,
    "pod_labels": LABEL_SCHEMA,
    "pod_annotations": LABEL_SCHEMA,
    "volumes": VOLUME_SCHEMA,
    "mounts": MOUNT_SCHEMA,
    "services": SERVICE_SCHEMA,
    "service_pods": SERVICE_POD_SCHEMA,
    "model_usage": MODEL_USAGE_SCHEMA,
    "model_latency": MODEL_LATENCY_SCHEMA,
    "usage_percentiles": USAGE_PERCENTILE_SCHEMA,
    "disruption_budgets": DISRUPTION_BUDGET_SCHEMA,
    "autoscalers": AUTOSCALER_SCHEMA,
    "serving_load": SERVING_LOAD_SCHEMA,
}

# Columns a table may omit (conform() fills them with nulls): the history-only measurements.
OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "containers": ("cpu_billed_cores", "ram_billed_bytes", "gpu_utilization", "gpu_memory_used_bytes"),
    "nodes": ("gpu_utilization",),
}


def empty_table(name: str) -> pl.DataFrame:
    return pl.DataFrame(schema=TABLE_SCHEMAS[name])


def table_from_rows(name: str, rows: list[dict[str, Any]]) -> pl.DataFrame:
    """Build a table with its fixed schema; missing keys become null."""
    schema = TABLE_SCHEMAS[name]
    if not rows:
        return empty_table(name)
    return pl.DataFrame(rows, schema=schema, orient="row" if isinstance(rows[0], list | tuple) else None)


def conform(name: str, df: pl.DataFrame) -> pl.DataFrame:
    """Cast and order a table to its schema; raise ValueError naming missing columns."""
    schema = TABLE_SCHEMAS[name]
    optional = OPTIONAL_COLUMNS.get(name, ())
    df = df.with_columns(pl.lit(None, dtype=schema[c]).alias(c) for c in optional if c not in df.columns)
    missing = [c for c in schema if c not in df.columns]
    if missing:
        raise ValueError(f"snapshot table {name!r} lacks columns {missing}")
    return df.select([pl.col(c).cast(t) for c, t in schema.items()])


@dataclass(frozen=True)
class ClusterInfo:
    name: str
    provider: str = "aws"
    region: str | None = None
    is_eks: bool = True
    eks_support: str = "standard"      # "standard" | "extended"
    source: str = "unknown"            # "demo" | "kubectl-json" | "kubernetes-api" | "prometheus" | ...


@dataclass(frozen=True)
class Snapshot:
    cluster: ClusterInfo
    window: Window
    collected_at: datetime
    partial: bool = False              # some source data was missing: say so, never present it as complete
    nodes: pl.DataFrame = field(default_factory=lambda: empty_table("nodes"))
    containers: pl.DataFrame = field(default_factory=lambda: empty_table("containers"))
    pod_labels: pl.DataFrame = field(default_factory=lambda: empty_table("pod_labels"))
    pod_annotations: pl.DataFrame = field(default_factory=lambda: empty_table("pod_annotations"))
    volumes: pl.DataFrame = field(default_factory=lambda: empty_table("volumes"))
    mounts: pl.DataFrame = field(default_factory=lambda: empty_table("mounts"))
    services: pl.DataFrame = field(default_factory=lambda: empty_table("services"))
    service_pods: pl.DataFrame = field(default_factory=lambda: empty_table("service_pods"))
    model_usage: pl.DataFrame = field(default_factory=lambda: empty_table("model_usage"))
    model_latency: pl.DataFrame = field(default_factory=lambda: empty_table("model_latency"))
    usage_percentiles: pl.DataFrame = field(default_factory=lambda: empty_table("usage_percentiles"))
    disruption_budgets: pl.DataFrame = field(default_factory=lambda: empty_table("disruption_budgets"))
    autoscalers: pl.DataFrame = field(default_factory=lambda: empty_table("autoscalers"))
    serving_load: pl.DataFrame = field(default_factory=lambda: empty_table("serving_load"))
    # e.g. "ignored 12 objects of kinds the report does not use: ConfigMap=10, Secret=2"
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()     # e.g. "pod ml/foo is bound to unknown node ip-1-2-3-4"

    def tables(self) -> dict[str, pl.DataFrame]:
        return {name: getattr(self, name) for name in TABLE_SCHEMAS}
