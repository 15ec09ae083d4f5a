"""GPU utilization and memory over a window from dcgm-exporter (and Neuron utilization from neuron-monitor).

Per container: the mean over the window of the busy fraction of the GPU(s) it holds (averaged over its
devices; MIG instances weighted by compute slices) and the mean framebuffer it uses (bytes, summed over its
devices). Per node: the mean over the node's cards of each card's mean busy fraction (a MIG card: its
instances weighted by slices). Every query is a `sum_over_time` of a `sum by`/`count by` subquery run once
per chunk (chunks.py), so the number of queries is fixed: see docs/prometheus-queries.md, "GPU queries".

Busy fraction: `DCGM_FI_PROF_GR_ENGINE_ACTIVE` (0–1) where a device reports it, else `DCGM_FI_DEV_GPU_UTIL`
/ 100 (MIG instances only report the former). Labels: host from `node` (Kubernetes service discovery),
else `Hostname`, else `hostname`; workload from `exported_pod`/`exported_namespace`/`exported_container`
(the exporter's labels renamed by a scrape that keeps its own), else `pod`/`namespace`/`container`.
Neuron: `neuroncore_utilization_ratio` per node (`node` label, else the EC2 `instance_id` it carries);
neuron-monitor reports cores in use by a runtime only and has no workload labels, so no per-container rows.
"""

from __future__ import annotations

import re

import polars as pl

from genaicost.domain.window import Window
from genaicost.sources.prometheus.chunks import chunked_instant
from genaicost.sources.prometheus.client import PrometheusClient
from genaicost.sources.prometheus.discovery import present_metric_names

GR_ENGINE_ACTIVE = "DCGM_FI_PROF_GR_ENGINE_ACTIVE"
GPU_UTIL = "DCGM_FI_DEV_GPU_UTIL"
FB_USED = "DCGM_FI_DEV_FB_USED"
NEURON_UTIL = "neuroncore_utilization_ratio"
BYTES_PER_MIB = 1024.0 * 1024.0
MIG_PROFILE = "GPU_I_PROFILE"
SLICES_PATTERN = r"(\d+)g\."  # compute slices of a MIG profile: "3g.20gb", "1c.3g.40gb" → 3

# Destination label ← source labels, later sources winning (label_replace only writes when the source is set).
DCGM_LABELS: dict[str, tuple[str, ...]] = {
    "gc_node": ("hostname", "Hostname", "node"),
    "gc_namespace": ("namespace", "exported_namespace"),
    "gc_pod": ("pod", "exported_pod"),
    "gc_container": ("container", "exported_container"),
}
NEURON_LABELS: dict[str, tuple[str, ...]] = {"gc_node": ("instance_id", "node")}
CONTAINER_KEYS = ["gc_namespace", "gc_pod", "gc_container"]
CONTAINER_SCHEMA = {"namespace": pl.String, "pod": pl.String, "container": pl.String,
                    "gpu_utilization": pl.Float64, "gpu_memory_used_bytes": pl.Float64}
NODE_SCHEMA = {"node": pl.String, "gpu_utilization": pl.Float64}


def gpu_usage(client: PrometheusClient, window: Window, *, step_s: float,
              chunk_hours: float = 24.0) -> tuple[pl.DataFrame, pl.DataFrame, list[str]]:
    """(per container, per node, warnings) for the window; empty frames and a warning without exporters."""
    present = present_metric_names(client, [GR_ENGINE_ACTIVE, GPU_UTIL, FB_USED, NEURON_UTIL], window,
                                   step_s=step_s)

    def run(template: str, by: list[str]) -> pl.DataFrame:
        return chunked_instant(client, template, window, step_s=step_s, chunk_hours=chunk_hours, by=by)

    busy = busy_expression(present)
    containers = pl.DataFrame(schema=CONTAINER_SCHEMA)
    nodes = [pl.DataFrame(schema=NODE_SCHEMA)]
    if busy:
        util_by = [*CONTAINER_KEYS, MIG_PROFILE]
        util = run(mean_parts(busy, util_by, "sum"), util_by), run(mean_parts(busy, util_by, "count"), util_by)
        memory = None
        if FB_USED in present:
            fb = relabel(FB_USED, DCGM_LABELS)
            memory = run(step_total(fb, CONTAINER_KEYS), CONTAINER_KEYS), run(step_count(fb, CONTAINER_KEYS),
                                                                                  CONTAINER_KEYS)
        containers = assemble_containers(*util, memory)
        card_by = ["gc_node", "gpu", MIG_PROFILE]
        nodes.append(assemble_nodes(run(mean_parts(busy, card_by, "sum"), card_by),
                                    run(mean_parts(busy, card_by, "count"), card_by)))
    if NEURON_UTIL in present:
        neuron = relabel(NEURON_UTIL, NEURON_LABELS)
        nodes.append(assemble_nodes(run(mean_parts(neuron, ["gc_node"], "sum"), ["gc_node"]),
                                    run(mean_parts(neuron, ["gc_node"], "count"), ["gc_node"])))
    return containers, pl.concat(nodes).unique("node", keep="first").sort("node"), gpu_warnings(present)


def gpu_warnings(present: set[str]) -> list[str]:
    if present & {GR_ENGINE_ACTIVE, GPU_UTIL, NEURON_UTIL}:
        if present & {GR_ENGINE_ACTIVE, GPU_UTIL} and FB_USED not in present:
            return [f"GPU memory unknown: no {FB_USED} series (dcgm-exporter's default counters include it)"]
        return []
    return [f"GPU efficiency unknown: no {GPU_UTIL} / {GR_ENGINE_ACTIVE} series; install dcgm-exporter "
            "(with Kubernetes pod mapping, so series carry pod/namespace/container) — or, on Inferentia/Trainium, "
            f"neuron-monitor's Prometheus exporter ({NEURON_UTIL})"]


def busy_expression(present: set[str]) -> str | None:
    """Busy fraction 0–1 per DCGM entity, GR_ENGINE_ACTIVE preferred device by device (PromQL `or`)."""
    parts = []
    if GR_ENGINE_ACTIVE in present:
        parts.append(f"({GR_ENGINE_ACTIVE})")
    if GPU_UTIL in present:
        parts.append(f"({GPU_UTIL} / 100)")
    return relabel(" or ".join(parts), DCGM_LABELS) if parts else None


def relabel(expr: str, labels: dict[str, tuple[str, ...]]) -> str:
    for dest, sources in labels.items():
        for source in sources:
            expr = f'label_replace({expr}, "{dest}", "$1", "{source}", "(.+)")'
    return expr


def mean_parts(expr: str, by: list[str], agg: str) -> str:
    """Σ over the chunk's steps of `sum by` (values) or `count by` (entities) — numerator / denominator."""
    return f"sum_over_time(({agg} by ({', '.join(by)}) ({expr}))[{{range}}])"


def step_total(expr: str, by: list[str]) -> str:
    return f"sum_over_time((sum by ({', '.join(by)}) ({expr}))[{{range}}])"


def step_count(expr: str, by: list[str]) -> str:
    return f"count_over_time((sum by ({', '.join(by)}) ({expr}))[{{range}}])"


def slices(profile: str | None) -> float:
    """Compute slices of a MIG profile ('3g.20gb' → 3, '1c.3g.40gb' → 3); a whole card (None) → 1."""
    if not profile:
        return 1.0
    found = re.search(SLICES_PATTERN, profile)
    return float(found.group(1)) if found else 1.0


def assemble_containers(util_sum: pl.DataFrame, util_count: pl.DataFrame,
                        memory: tuple[pl.DataFrame, pl.DataFrame] | None) -> pl.DataFrame:
    """Per (namespace, pod, container): Σ w·busy / Σ w·entity-steps, and Σ FB MiB / steps → bytes."""
    util = _weighted_mean(util_sum, util_count, CONTAINER_KEYS).rename({"mean": "gpu_utilization"})
    if memory is not None:
        fb = _ratio(*memory, CONTAINER_KEYS).with_columns(pl.col("mean") * BYTES_PER_MIB)
        util = util.join(fb.rename({"mean": "gpu_memory_used_bytes"}), on=CONTAINER_KEYS, how="full",
                         coalesce=True)
    out = util.filter(pl.col("gc_pod").is_not_null() & pl.col("gc_namespace").is_not_null())
    out = out.rename({"gc_namespace": "namespace", "gc_pod": "pod", "gc_container": "container"})
    cols = [pl.col(c).cast(t) if c in out.columns else pl.lit(None, dtype=t).alias(c)
            for c, t in CONTAINER_SCHEMA.items()]
    return out.select(cols).sort(["namespace", "pod", "container"], nulls_last=True)


def assemble_nodes(busy_sum: pl.DataFrame, busy_count: pl.DataFrame) -> pl.DataFrame:
    """Per node: mean over its cards (a card: slice-weighted mean of its entities) of the busy fraction."""
    card_keys: list[str] = [c for c in ("gc_node", "gpu") if c in busy_sum.columns]
    cards = _weighted_mean(busy_sum, busy_count, card_keys).filter(pl.col("gc_node").is_not_null())
    nodes = cards.group_by("gc_node").agg(pl.col("mean").mean().alias("gpu_utilization"))
    return nodes.rename({"gc_node": "node"}).select(pl.col("node"), pl.col("gpu_utilization")).sort("node")


def _weighted_mean(sums: pl.DataFrame, counts: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    by = [*keys, MIG_PROFILE] if MIG_PROFILE in sums.columns else keys
    joined = sums.join(counts.rename({"value": "n"}), on=by, how="inner", nulls_equal=True)
    profile = pl.col(MIG_PROFILE).cast(pl.String)
    weight = (profile.str.extract(SLICES_PATTERN, 1).cast(pl.Float64) if MIG_PROFILE in joined.columns
              else pl.lit(1.0))
    joined = joined.with_columns(weight.fill_null(1.0).alias("w"))
    return joined.group_by(keys).agg(
        ((pl.col("value") * pl.col("w")).sum() / (pl.col("n") * pl.col("w")).sum()).alias("mean"))


def _ratio(totals: pl.DataFrame, steps: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    joined = totals.join(steps.rename({"value": "n"}), on=keys, how="inner", nulls_equal=True)
    return joined.select([*keys, (pl.col("value") / pl.col("n")).alias("mean")])
