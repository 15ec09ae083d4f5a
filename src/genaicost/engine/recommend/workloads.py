"""Per-container and per-workload views of the report's costed rows, shared by the strategies."""

from __future__ import annotations

import json

import polars as pl

from genaicost.engine.recommend.context import Context

COST = pl.col("cpu_usd") + pl.col("ram_usd") + pl.col("gpu_usd")


def workload_key() -> pl.Expr:
    """ "namespace/Kind/name" for controlled pods, "namespace/Pod/pod" otherwise."""
    return (
        pl.when(pl.col("controller").is_not_null())
        .then(pl.format("{}/{}/{}", "namespace", pl.col("controller_kind").fill_null("?"), "controller"))
        .otherwise(pl.format("{}/Pod/{}", "namespace", "pod"))
        .alias("workload")
    )


def costed_rows(ctx: Context) -> pl.DataFrame:
    """The billed container rows with `workload`, `compute_usd` (cpu + ram + gpu of the window) and the node's
    instance type, capacity type and report price."""
    nodes = ctx.nodes.select("node", "instance_type", "capacity_type", "nodepool", "zone",
                             pl.col("hourly_usd").alias("node_hourly_usd"), "gpu_sharing")
    return ctx.rows.with_columns(workload_key(), COST.alias("compute_usd")).join(nodes, on="node", how="left")


def pod_labels(ctx: Context) -> dict[str, dict[str, str]]:
    """pod_uid -> {label: value}."""
    out: dict[str, dict[str, str]] = {}
    for uid, key, value in ctx.snapshot.pod_labels.iter_rows():
        out.setdefault(uid, {})[key] = value
    return out


def selector_matches(match_labels_json: str | None, labels: dict[str, str]) -> bool:
    """A PodDisruptionBudget's matchLabels (JSON) against a pod's labels; "{}" matches every pod."""
    try:
        wanted = json.loads(match_labels_json or "{}")
    except json.JSONDecodeError:
        return False
    return isinstance(wanted, dict) and all(labels.get(k) == v for k, v in wanted.items())


def hpa_targets(ctx: Context) -> set[str]:
    """Workload keys ("namespace/Kind/name") that a HorizontalPodAutoscaler scales."""
    frame = ctx.snapshot.autoscalers
    keys = frame.select("namespace", "target_kind", "target_name").iter_rows()
    return {f"{ns}/{kind}/{name}" for ns, kind, name in keys}


def workload_nodes(ctx: Context) -> dict[str, tuple[str, ...]]:
    """workload -> the nodes its pods ran on (sorted), for recommendations that change those nodes' bill."""
    frame = costed_rows(ctx).filter(pl.col("node").is_not_null()).group_by("workload", maintain_order=True).agg(
        pl.col("node").unique().sort())
    return {w: tuple(f"node/{n}" for n in nodes) for w, nodes in frame.iter_rows()}
