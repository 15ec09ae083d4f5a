"""Throughput of a model measured in the cluster, per instance type, for sizing `compare` (docs/compare.md §3b).

From a Report computed with `aggregate=("pod", "node")` (allocations per pod and node: GPU-hours, DCGM
utilization; `Report.nodes`: instance type and GPU count) and the serving counters per pod
(`pod_output_tokens`, the same pod → model attribution as `Report.inference`). For the pods of the compared
model on nodes of instance type T over the window:

    served_tok_s  = Σ output tokens / (Σ GPU-hours × 3600) × G            (G = the GPUs of one T instance)
    capacity_tok_s = served_tok_s / U   when the pods' GPU utilization U (GPU-hours-weighted) is known and ≥ floor
                   = served_tok_s       otherwise (what was served: a lower bound of what the instance can serve)

A pod serving several models gives each its token share of the pod's GPU-hours (as `Report.inference` splits
cost). Pure: no I/O, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from genaicost.domain.compare import Assumptions
from genaicost.domain.report import Report
from genaicost.domain.snapshot import Snapshot
from genaicost.engine.compare_model import normalize_model_key
from genaicost.engine.inference import pod_label_models, usage_by_pod_model

MEASURED_AGGREGATE = ("pod", "node")
TIME_SLICING = "time-slicing"
_FALLBACK = "sizing from the bundled benchmark table"


@dataclass(frozen=True)
class MeasuredType:
    instance_type: str
    pods: int
    output_tokens: float
    gpu_hours: float
    gpus_per_instance: float
    served_tok_s: float                 # per instance, over the window
    gpu_utilization: float | None       # GPU-hours-weighted mean of the pods' DCGM busy fraction
    capacity_tok_s: float               # what sizing uses (before the target utilization)
    source: str                         # the option's throughput_source


@dataclass(frozen=True)
class ClusterServing:
    """A measured source for `compare`: its Report aggregated by MEASURED_AGGREGATE and `pod_output_tokens`."""

    report: Report
    pod_tokens: pl.DataFrame


@dataclass(frozen=True)
class Measured:
    types: list[MeasuredType] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def pod_output_tokens(snapshot: Snapshot, model_label: str) -> pl.DataFrame:
    """(namespace, pod, model, output_tokens, input_tokens) per pod and model, models named as in Report.inference."""
    usage, _unnamed = usage_by_pod_model(snapshot.model_usage, pod_label_models(snapshot, model_label))
    return usage.select("namespace", "pod", "model", "input_tokens", "output_tokens")


def window_label(hours: float) -> str:
    return f"{hours / 24:g}d" if hours >= 24 and hours % 24 == 0 else f"{hours:g}h"


def served_model_matches(served: str, wanted: str, model_keys: set[str]) -> bool:
    """Case-insensitive: the served name itself, or its last path part (`meta-llama/Meta-Llama-3-8B-Instruct`)
    normalized like `--model` (no `Meta-` prefix, `-Instruct` suffix) equals the model's benchmark key."""
    if served.strip().lower() == wanted.strip().lower():
        return True
    key = normalize_model_key(served.rsplit("/", 1)[-1])
    return key in model_keys or key == normalize_model_key(wanted)


def measure_throughput(report: Report, pod_tokens: pl.DataFrame, *, wanted: str, model_keys: set[str],
                       assumptions: Assumptions) -> Measured:
    where = f"{report.cluster} ({report.source}, {window_label(report.window.hours)})"
    if not report.inference:
        return Measured(notes=[f"{where} has no serving-engine metrics (token counts): no measured throughput; "
                               f"{_FALLBACK}"])
    lines = [ln for ln in report.inference if served_model_matches(ln.model, wanted, model_keys)]
    if not lines:
        served = ", ".join(sorted({ln.model for ln in report.inference}))
        return Measured(notes=[f"{wanted} is not served in {where} (served: {served}): no measured throughput; "
                               f"{_FALLBACK}"])
    names = ", ".join(sorted({ln.model for ln in lines}))
    if sum(ln.output_tokens for ln in lines) <= 0:
        return Measured(notes=[f"{names} in {where} reports no output tokens over the window: no measured "
                               f"throughput; {_FALLBACK}"])
    names = ", ".join(sorted({ln.model for ln in lines if ln.output_tokens > 0}))
    rows = _pod_rows(report, pod_tokens, {(ln.namespace, ln.model) for ln in lines})
    notes = [f"{ln.model} ({ln.namespace}, {ln.pods} pod(s)) in {where} reports no output tokens: left out of the "
             "measured throughput" for ln in lines if ln.output_tokens <= 0]
    notes += _row_notes(rows, names, where)
    usable = rows.filter((pl.col("gpu_hours") > 0) & pl.col("instance_type").is_not_null()
                         & (pl.col("gpu_sharing") != TIME_SLICING))
    if usable.is_empty() or usable.get_column("output_tokens").sum() <= 0:
        return Measured(notes=[*notes, f"the pods serving {names} in {where} hold no GPU with token counts over "
                                       f"the window (no GPU data): no measured throughput; {_FALLBACK}"])
    types = [_measured_type(g, where, assumptions) for g in _by_type(usable).iter_rows(named=True)]
    done = ", ".join(t.instance_type for t in types)
    notes.append(f"throughput of {names} measured in {where} on {done} at {assumptions.measured_precision} "
                 f"(--measured-precision): replaces the benchmark rows for {done}; other instance types from the "
                 "benchmark table")
    return Measured(types=types, notes=notes)


def _pod_rows(report: Report, pod_tokens: pl.DataFrame, served: set[tuple[str, str]]) -> pl.DataFrame:
    """One row per (pod, node) of the model's pods: its token and GPU-hour shares, utilization, instance type."""
    keys = pl.DataFrame([{"namespace": ns, "model": m} for ns, m in sorted(served)],
                        schema={"namespace": pl.String, "model": pl.String})
    pod_all = pod_tokens.group_by("namespace", "pod").agg(
        (pl.col("input_tokens") + pl.col("output_tokens")).sum().alias("pod_tokens"))
    mine = (pod_tokens.join(keys, on=["namespace", "model"], how="semi")
            .join(pod_all, on=["namespace", "pod"], how="left")
            .group_by("namespace", "pod")
            .agg(pl.col("output_tokens").sum(), (pl.col("input_tokens") + pl.col("output_tokens")).sum()
                 .alias("model_tokens"), pl.col("pod_tokens").first())
            .with_columns((pl.col("namespace") + "/" + pl.col("pod")).alias("pod_key"),
                          pl.when(pl.col("pod_tokens") > 0).then(pl.col("model_tokens") / pl.col("pod_tokens"))
                          .otherwise(1.0).alias("share")))
    alloc = pl.DataFrame([{"pod_key": a.properties["pod"], "node": a.properties["node"], "alloc_gpu_hours": a.gpu_hours,
                           "gpu_utilization": a.gpu_utilization}
                          for a in report.allocations if "pod" in a.properties and "node" in a.properties],
                         schema={"pod_key": pl.String, "node": pl.String, "alloc_gpu_hours": pl.Float64,
                                 "gpu_utilization": pl.Float64})
    nodes = pl.DataFrame([{"node": n.name, "instance_type": n.instance_type, "gpu_count": n.gpu_count,
                           "gpu_sharing": n.gpu_sharing} for n in report.nodes],
                         schema={"node": pl.String, "instance_type": pl.String, "gpu_count": pl.Float64,
                                 "gpu_sharing": pl.String})
    joined = mine.join(alloc, on="pod_key", how="left").join(nodes, on="node", how="left")
    pod_gpu_hours = pl.col("alloc_gpu_hours").fill_null(0.0).sum().over("pod_key")
    return joined.with_columns(
        pl.when(pod_gpu_hours > 0).then(pl.col("output_tokens") * pl.col("alloc_gpu_hours") / pod_gpu_hours)
        .otherwise(pl.col("output_tokens")).alias("output_tokens"),
        (pl.col("alloc_gpu_hours").fill_null(0.0) * pl.col("share")).alias("gpu_hours"),
    )


def _row_notes(rows: pl.DataFrame, names: str, where: str) -> list[str]:
    notes = []
    unbilled = rows.filter(pl.col("node").is_null()).get_column("pod_key").unique().sort().to_list()
    if unbilled:
        notes.append(f"{len(unbilled)} pod(s) of {names} in {where} have token counts but no cost line on a node "
                     f"({', '.join(unbilled)}): left out of the measured throughput")
    no_gpu = rows.filter(pl.col("node").is_not_null() & (pl.col("gpu_hours") <= 0))
    if not no_gpu.is_empty():
        notes.append(f"{no_gpu.get_column('pod_key').n_unique()} pod(s) of {names} in {where} hold no GPU: "
                     "left out of the measured throughput")
    sliced = rows.filter((pl.col("gpu_hours") > 0) & (pl.col("gpu_sharing") == TIME_SLICING))
    if not sliced.is_empty():
        notes.append(f"{sliced.get_column('pod_key').n_unique()} pod(s) of {names} in {where} run on time-sliced GPUs "
                     "(a replica's GPU-hours are not its share of the GPU's compute): left out of the measured "
                     "throughput")
    untyped = rows.filter((pl.col("gpu_hours") > 0) & pl.col("instance_type").is_null())
    if not untyped.is_empty():
        notes.append(f"{untyped.get_column('pod_key').n_unique()} pod(s) of {names} in {where} run on nodes "
                     "without an instance type: left out of the measured throughput")
    return notes


def _by_type(rows: pl.DataFrame) -> pl.DataFrame:
    util_known = pl.col("gpu_utilization").is_not_null().all()
    weighted = (pl.col("gpu_utilization") * pl.col("gpu_hours")).sum() / pl.col("gpu_hours").sum()
    return (rows.group_by("instance_type")
            .agg(pl.col("pod_key").n_unique().alias("pods"), pl.col("output_tokens").sum(),
                 pl.col("gpu_hours").sum(), pl.col("gpu_count").max().alias("gpus_per_instance"),
                 pl.when(util_known).then(weighted).otherwise(None).alias("gpu_utilization"))
            .filter(pl.col("output_tokens") > 0)
            .sort("instance_type"))


def _measured_type(g: dict[str, object], where: str, assumptions: Assumptions) -> MeasuredType:
    tokens, gpu_hours = float(g["output_tokens"]), float(g["gpu_hours"])  # type: ignore[arg-type]
    gpus = float(g["gpus_per_instance"])  # type: ignore[arg-type]
    util = None if g["gpu_utilization"] is None else min(1.0, float(g["gpu_utilization"]))  # type: ignore[arg-type]
    served = tokens / (gpu_hours * 3600) * gpus
    instance_type, pods = str(g["instance_type"]), int(g["pods"])  # type: ignore[call-overload]
    floor = assumptions.measured_utilization_floor
    if util is not None and util >= floor:
        capacity = served / util
        how = f"at {util:.0%} GPU → capacity {capacity:.4g} tok/s (served ÷ utilization)"
    else:
        capacity = served
        state = "unknown GPU utilization" if util is None else f"{util:.0%} GPU (below the {floor:g} floor)"
        how = f"at {state} → capacity = the served rate, a lower bound"
    source = (f"measured: {where} {pods} pod{'s' if pods != 1 else ''}, {served:.4g} output tok/s served per "
              f"{instance_type} ({tokens:,.0f} output tokens / {gpu_hours:.4g} GPU-hours × {gpus:g} GPUs) {how}")
    return MeasuredType(instance_type=instance_type, pods=pods, output_tokens=tokens, gpu_hours=gpu_hours,
                        gpus_per_instance=gpus, served_tok_s=served, gpu_utilization=util, capacity_tok_s=capacity,
                        source=source)
