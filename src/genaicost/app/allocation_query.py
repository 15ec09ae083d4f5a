"""Use case behind `GET /allocation`: OpenCost-shaped allocation sets from the store's hourly rollups.

Plan: pick the coarsest rollup kind that has the requested dimensions (`namespace` rows for namespace / cluster,
`pod` rows for node / pod / controller / controllerKind / label:KEY, `container` rows for container), sum them in
SQL per step, then name the lines, add the idle (one `__idle__` line, `<node>/__idle__` lines with idleByNode, or
shared over the lines in proportion to their cost with shareIdle — per node with idleByNode) and the
`__overhead__` line (the EKS control-plane fee). Σ lines + idle + overhead = the cluster's cost for the step.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import polars as pl

from genaicost.app.allocation_lines import opencost_sets, sum_exprs
from genaicost.domain.errors import InputError
from genaicost.domain.report import IDLE, OVERHEAD, SHARED, UNALLOCATED, UNMOUNTED
from genaicost.domain.window import Window
from genaicost.store import HistoryStore
from genaicost.store.queries import SUM_COLUMNS, sum_rollups

COLUMN_OF = {"cluster": "cluster", "namespace": "namespace", "node": "node", "pod": "pod", "container": "container",
             "controller": "controller", "controllerKind": "controller_kind"}
# the report's synthetic lines stored as rows (every dimension = the name); __unallocated__ (no such label) is a
# real line and receives idle like any other
SYNTHETIC = frozenset({UNMOUNTED, SHARED, IDLE, OVERHEAD})
AGGREGATE_FORMS = "cluster, node, namespace, controller, controllerKind, pod, container or label:KEY, comma-joined"


@dataclass(frozen=True)
class _Span:
    start_s: int
    end_s: int
    step_s: int

    def read(self, store: HistoryStore, kind: str, **kw: Any) -> pl.DataFrame:
        return sum_rollups(store, kind, start_s=self.start_s, end_s=self.end_s, step_s=self.step_s, **kw)


@dataclass(frozen=True)
class AllocationQuery:
    window: Window
    aggregate: tuple[str, ...]
    step_s: int
    accumulate: bool = False
    include_idle: bool = False
    share_idle: bool = False
    idle_by_node: bool = False


def parse_aggregate(text: str | None) -> tuple[str, ...]:
    keys = tuple(dict.fromkeys(k.strip() for k in (text or "namespace").split(",") if k.strip()))
    if not keys:
        raise InputError(f"empty; expected {AGGREGATE_FORMS}", field="aggregate")
    for key in keys:
        prefix, _, rest = key.partition(":")
        if key not in COLUMN_OF and not (prefix == "label" and rest):
            hint = " (annotations are not kept in the store)" if prefix == "annotation" else ""
            raise InputError(f"unknown aggregate {key!r}{hint}; expected {AGGREGATE_FORMS}", field="aggregate")
    return keys


def _plan(aggregate: tuple[str, ...], by_node: bool) -> tuple[str, list[str]]:
    columns = list(dict.fromkeys("labels" if k.startswith("label:") else COLUMN_OF[k] for k in aggregate))
    if by_node and "node" not in columns:
        columns.append("node")
    if "labels" in columns and "namespace" not in columns:
        columns.append("namespace")             # synthetic lines (__unmounted__) keep their name
    if "container" in columns:
        return "container", columns
    if set(columns) <= {"cluster", "namespace"}:
        return "namespace", columns
    return "pod", columns


def _key_values(rows: pl.DataFrame, aggregate: tuple[str, ...]) -> pl.DataFrame:
    """key_<i> per aggregate key; synthetic rows (e.g. __unmounted__) carry their name in every dimension."""
    synthetic = pl.col("namespace").str.starts_with("__") if "namespace" in rows.columns else pl.lit(False)
    exprs = []
    for i, key in enumerate(aggregate):
        if key.startswith("label:"):
            label = key.partition(":")[2]
            texts = rows["labels"].drop_nulls().unique().to_list()
            mapping = {t: json.loads(t).get(label) for t in texts}
            value = pl.col("labels").replace_strict(mapping, default=None, return_dtype=pl.String)
            fallback = pl.when(synthetic).then(pl.col("namespace")).otherwise(pl.lit(UNALLOCATED))
            exprs.append(pl.coalesce(value, fallback).alias(f"key_{i}"))
        else:
            exprs.append(pl.col(COLUMN_OF[key]).fill_null(UNALLOCATED).alias(f"key_{i}"))
    return rows.with_columns(exprs)


def _lines(rows: pl.DataFrame, aggregate: tuple[str, ...], by_node: bool) -> pl.DataFrame:
    keyed = _key_values(rows, aggregate)
    keys = [f"key_{i}" for i in range(len(aggregate))]
    group = ["step", *keys, *(["node"] if by_node else [])]
    lines = keyed.group_by(group).agg(*sum_exprs(SUM_COLUMNS), pl.col("first_hour").min(), pl.col("last_hour").max())
    return lines.with_columns(pl.concat_str(keys, separator="/").alias("name"), pl.lit(0.0).alias("idle_cost"))


def query_allocation(store: HistoryStore, q: AllocationQuery) -> list[dict[str, dict[str, object]]]:
    start_s, end_s = int(q.window.start.timestamp()), int(q.window.end.timestamp())
    step_s = end_s - start_s if q.accumulate else q.step_s
    by_node = q.share_idle and q.idle_by_node
    kind, columns = _plan(q.aggregate, by_node)
    span = _Span(start_s, end_s, step_s)
    rows = span.read(store, kind, group_by=columns)
    lines = _lines(rows, q.aggregate, by_node)
    extra: list[pl.DataFrame] = []
    if q.share_idle or q.include_idle:
        if q.idle_by_node:
            idle = span.read(store, "idle", group_by=["node"], exclude_key=IDLE)
            idle = idle.with_columns(pl.concat_str([pl.col("node"), pl.lit("/" + IDLE)]).alias("name"))
        else:
            idle = span.read(store, "idle", keys=[IDLE]).with_columns(pl.lit(IDLE).alias("name"))
        if q.share_idle:
            lines, idle = _share_idle(lines, idle, by_node)
        extra.append(idle)
    overhead = span.read(store, "overhead").filter(pl.col("total_usd") != 0)
    extra.append(overhead.with_columns(pl.lit(OVERHEAD).alias("name")))
    n_steps = -(-(end_s - start_s) // step_s)
    return opencost_sets(lines, extra, start_s=start_s, end_s=end_s, step_s=step_s, n_steps=n_steps,
                         aggregate=q.aggregate)


def _share_idle(lines: pl.DataFrame, idle: pl.DataFrame, by_node: bool) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Idle spread over the non-synthetic lines in proportion to their cost (per step, and per node when
    by_node); idle that no line can receive (no cost where it is) stays on an __idle__ line."""
    group = ["step", "node"] if by_node else ["step"]
    receiving = ~pl.col("key_0").is_in(list(SYNTHETIC))      # as the report: synthetic lines receive nothing
    weight = pl.when(receiving).then(pl.col("total_usd")).otherwise(0.0)
    weighted = lines.with_columns(weight.alias("_w")).with_columns(pl.col("_w").sum().over(group).alias("_w_sum"))
    pool = idle.group_by(group).agg(pl.col("total_usd").sum().alias("_idle"))
    shared = weighted.join(pool, on=group, how="left").with_columns(
        pl.when(pl.col("_w_sum") > 0).then(pl.col("_idle").fill_null(0.0) * pl.col("_w") / pl.col("_w_sum"))
        .otherwise(0.0).alias("idle_cost"))
    taken = shared.group_by(group).agg(pl.col("idle_cost").sum().alias("_taken"))
    left = idle.join(taken, on=group, how="left").with_columns(pl.col("_taken").fill_null(0.0))
    # what stays idle: the whole idle row where nothing received it; received rows are dropped
    rest = left.filter(pl.col("_taken") <= 0).drop("_taken")
    if by_node:
        rest = rest.with_columns(pl.lit(IDLE).alias("name"))
        lines_out = shared.drop("_w", "_w_sum", "_idle")
        keys = [c for c in lines_out.columns if c.startswith("key_")]
        lines_out = _merge_nodes(lines_out, keys)
        return lines_out, rest
    return shared.drop("_w", "_w_sum", "_idle"), rest


def _merge_nodes(lines: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Lines were split by node only to share idle per node: sum them back by (step, keys)."""
    return lines.group_by(["step", *keys]).agg(
        *sum_exprs((*SUM_COLUMNS, "idle_cost")), pl.col("first_hour").min(), pl.col("last_hour").max(),
        pl.col("name").first())
