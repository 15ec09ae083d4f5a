"""A Report (one hour, or a run-rate report scaled to one hour) → the store's rollup rows for that hour.

The report is computed with aggregate = node, namespace, controllerKind, controller, pod, container and the
collected `label:KEY`s, no sharing, idle and overhead as their own lines: each allocation line is one container.
Container rows are summed into pod and namespace rows (vectorized); nodes, per-node idle, the cluster `__idle__`
line, `__overhead__` and the per-model inference lines become their own kinds (store/schema.py).
Values are multiplied by 1 h ÷ the report's window hours (1.0 for an hour of history).
"""

from __future__ import annotations

import json

import polars as pl

from genaicost.domain.report import IDLE, OVERHEAD, Report
from genaicost.store.schema import MONEY_COLUMNS, NULLABLE_COLUMNS, QUANTITY_COLUMNS

BASE_AGGREGATE = ("node", "namespace", "controllerKind", "controller", "pod", "container")
DIMS = {"node": "node", "namespace": "namespace", "controllerKind": "controller_kind", "controller": "controller",
        "pod": "pod", "container": "container"}
SUMS = (*MONEY_COLUMNS, *QUANTITY_COLUMNS, *NULLABLE_COLUMNS)


def report_aggregate(label_keys: tuple[str, ...]) -> tuple[str, ...]:
    return (*BASE_AGGREGATE, *(f"label:{k}" for k in label_keys))


def _nullable_sum(column: str) -> pl.Expr:
    return pl.when(pl.col(column).is_not_null().any()).then(pl.col(column).sum()).alias(column)


def _containers(report: Report, label_keys: tuple[str, ...], scale: float) -> pl.DataFrame:
    records = []
    for a in report.allocations:                     # one line per container (or synthetic line)
        if a.name in (IDLE, OVERHEAD):
            continue
        props = a.properties
        synthetic = not props
        dims = {col: (a.name if synthetic else props.get(key)) for key, col in DIMS.items()}
        labels = {k: props[f"label:{k}"] for k in label_keys
                  if props.get(f"label:{k}") not in (None, "__unallocated__")}
        util = a.gpu_utilization
        records.append({
            "key": a.name if synthetic else props.get("container", a.name), **dims,
            "labels": None if synthetic else json.dumps(labels, sort_keys=True),
            "cpu_usd": a.cpu_usd, "ram_usd": a.ram_usd, "gpu_usd": a.gpu_usd, "pv_usd": a.storage_usd,
            "lb_usd": a.network_usd, "overhead_usd": a.overhead_usd, "total_usd": a.total_usd,
            "cpu_core_hours": a.cpu_core_hours, "cpu_request_core_hours": a.cpu_request_core_hours,
            "ram_gib_hours": a.ram_gib_hours, "ram_request_gib_hours": a.ram_request_gib_hours,
            "gpu_hours": a.gpu_hours, "pv_gib_hours": a.storage_gib_hours,
            "cpu_usage_core_hours": a.cpu_usage_core_hours,
            "cpu_measured_request_core_hours": a.cpu_request_core_hours if a.cpu_usage_core_hours is not None
            else None,
            "ram_usage_gib_hours": a.ram_usage_gib_hours,
            "ram_measured_request_gib_hours": a.ram_request_gib_hours if a.ram_usage_gib_hours is not None
            else None,
            "gpu_busy_hours": a.gpu_hours * util if util is not None else None,
            "gpu_measured_hours": a.gpu_hours if util is not None else None,
            "gpu_busy_usd": a.gpu_usd * util if util is not None else None,
            "gpu_measured_usd": a.gpu_usd if util is not None else None,
        })
    schema = {"key": pl.String, **{c: pl.String for c in DIMS.values()}, "labels": pl.String,
              **{c: pl.Float64 for c in SUMS}}
    frame = pl.DataFrame(records, schema=schema)
    return frame.with_columns(pl.col(c) * scale for c in SUMS)


def _rollup(containers: pl.DataFrame, by: list[str], key: pl.Expr, keep: list[str]) -> pl.DataFrame:
    sums = [_nullable_sum(c) if c in NULLABLE_COLUMNS else pl.col(c).sum() for c in SUMS]
    return containers.group_by(by).agg(*sums, *(pl.col(c).first() for c in keep)).with_columns(key.alias("key"))


def rollup_rows(report: Report, label_keys: tuple[str, ...]) -> pl.DataFrame:
    """Every rollup row of the hour (columns of store.schema.Rollup but cluster / hour)."""
    scale = 1.0 / report.window.hours
    containers = _containers(report, label_keys, scale)
    containers = _dedupe(containers)
    pods = _rollup(containers, ["namespace", "pod"], pl.col("pod"),
                   ["node", "controller", "controller_kind", "labels"])
    namespaces = _rollup(containers, ["namespace"], pl.col("namespace"), [])
    frames = [containers.with_columns(pl.lit("container").alias("kind")),
              pods.with_columns(pl.lit("pod").alias("kind")),
              namespaces.with_columns(pl.lit("namespace").alias("kind")),
              _nodes(report, scale), _lines(report, scale), _models(report, scale)]
    return pl.concat([f for f in frames if f.height], how="diagonal_relaxed")


def _dedupe(containers: pl.DataFrame) -> pl.DataFrame:
    """One row per container key (a name seen on two nodes in one hour of history is one container row)."""
    sums = [_nullable_sum(c) if c in NULLABLE_COLUMNS else pl.col(c).sum() for c in SUMS]
    keep = [c for c in containers.columns if c not in SUMS and c != "key"]
    return containers.group_by("key", maintain_order=True).agg(*sums, *(pl.col(c).first() for c in keep))


def _nodes(report: Report, scale: float) -> pl.DataFrame:
    rows = []
    for n in report.nodes:
        present = n.hours * scale                     # hours the node existed in this hour (0..1)
        money = {"cpu_usd": n.cpu_usd * scale, "ram_usd": n.ram_usd * scale, "gpu_usd": n.gpu_usd * scale}
        rows.append({"kind": "node", "key": n.name, "node": n.name, "instance_type": n.instance_type,
                     "capacity_type": n.capacity_type, **money, "total_usd": n.total_usd * scale,
                     "idle_cpu_usd": n.idle_cpu_usd * scale, "idle_ram_usd": n.idle_ram_usd * scale,
                     "idle_gpu_usd": n.idle_gpu_usd * scale, "vcpu": n.vcpu * present, "ram_gib": n.ram_gib * present,
                     "gpu_count": n.gpu_count * present, "gpu_hours": n.gpu_count * present,
                     "cpu_core_hours": n.vcpu * present, "ram_gib_hours": n.ram_gib * present,
                     "hourly_usd": n.hourly_usd})
        rows.append({"kind": "idle", "key": n.name, "node": n.name, "instance_type": n.instance_type,
                     "capacity_type": n.capacity_type, "cpu_usd": n.idle_cpu_usd * scale,
                     "ram_usd": n.idle_ram_usd * scale, "gpu_usd": n.idle_gpu_usd * scale,
                     "total_usd": n.idle_usd * scale})
    return pl.DataFrame(rows, infer_schema_length=None) if rows else pl.DataFrame()


def _lines(report: Report, scale: float) -> pl.DataFrame:
    rows = []
    for a in report.allocations:
        if a.name in (IDLE, OVERHEAD):
            rows.append({"kind": "idle" if a.name == IDLE else "overhead", "key": a.name,
                         "cpu_usd": a.cpu_usd * scale, "ram_usd": a.ram_usd * scale, "gpu_usd": a.gpu_usd * scale,
                         "pv_usd": a.storage_usd * scale, "lb_usd": a.network_usd * scale,
                         "overhead_usd": a.overhead_usd * scale, "total_usd": a.total_usd * scale})
    return pl.DataFrame(rows) if rows else pl.DataFrame()


def _models(report: Report, scale: float) -> pl.DataFrame:
    rows = []
    for m in report.inference:
        rows.append({"kind": "model", "key": f"{m.namespace}/{m.model}", "namespace": m.namespace, "model": m.model,
                     "total_usd": m.cost_usd * scale, "gpu_hours": m.gpu_hours * scale,
                     "input_tokens": m.input_tokens * scale, "output_tokens": m.output_tokens * scale,
                     "requests": m.requests * scale,
                     "input_usd": (m.usd_per_1m_input_tokens or 0.0) * m.input_tokens / 1e6 * scale,
                     "output_usd": (m.usd_per_1m_output_tokens or 0.0) * m.output_tokens / 1e6 * scale})
    if not rows:
        return pl.DataFrame()
    frame = pl.DataFrame(rows)
    sums = [c for c in frame.columns if c not in ("kind", "key", "namespace", "model")]
    return frame.group_by("kind", "key", "namespace", "model").agg(pl.col(c).sum() for c in sums)
