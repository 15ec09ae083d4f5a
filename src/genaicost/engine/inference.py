"""Per-model inference unit economics (docs/cost-model.md section 8).

The cost of a model is the cost of the pods serving it, taken from the report pipeline aggregated by pod
(engine.pipeline.place_lines with key `pod`, the same options: a pod's line includes its share of idle when
`share_idle`, of shared namespaces and of the control plane when those are spread). Pod → model comes from
`snapshot.model_usage` (namespace, pod, model); a row without a model name (TGI), or a pod without serving
metrics, takes the pod's `model_label` label. A pod serving several models splits its cost by tokens.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from pydantic import TypeAdapter

from genaicost.domain.errors import InputError
from genaicost.domain.options import ReportOptions
from genaicost.domain.prices import PriceCatalog
from genaicost.domain.report import InferenceLine
from genaicost.domain.snapshot import Snapshot
from genaicost.engine.aggregate import total_cost
from genaicost.engine.inference_split import unit_economics
from genaicost.engine.pipeline import Costed, cost_snapshot, place_lines, price_snapshot

DEFAULT_MODEL_LABEL = "model"
DEFAULT_IO_COST_RATIO = 4.0
NO_SERVING_METRICS = (
    "no serving-engine metrics in this source: inference economics need --prometheus (vLLM, SGLang, TGI or "
    "NIM metrics), or a saved snapshot with a model_usage table"
)
_GPU_SUMS = ("gpu_measured_hours", "gpu_busy_hours", "gpu_measured_usd", "gpu_busy_usd")
_POD_MONEY = ("cost_usd", "idle_share_usd", "gpu_hours", *_GPU_SUMS)
_COUNTERS = ("input_tokens", "output_tokens", "requests")
_LINES = TypeAdapter(list[InferenceLine])


def compute_inference(
    snapshot: Snapshot,
    catalog: PriceCatalog,
    options: ReportOptions,
    *,
    model_label: str = DEFAULT_MODEL_LABEL,
    io_cost_ratio: float = DEFAULT_IO_COST_RATIO,
) -> list[InferenceLine]:
    """Inference lines of the snapshot's models (empty without serving metrics)."""
    costed = cost_snapshot(snapshot, price_snapshot(snapshot, catalog, options))
    lines, _warnings = inference_from_costed(
        snapshot, costed, options, model_label=model_label, io_cost_ratio=io_cost_ratio
    )
    return lines


def inference_from_costed(
    snapshot: Snapshot, costed: Costed, options: ReportOptions, *, model_label: str, io_cost_ratio: float
) -> tuple[list[InferenceLine], list[str]]:
    """(lines sorted by cost descending, warnings) from already costed rows."""
    if not io_cost_ratio > 0:
        raise InputError(f"io cost ratio {io_cost_ratio:g}: must be more than zero", field="--io-cost-ratio")
    if not snapshot.model_usage.height:
        return [], [NO_SERVING_METRICS]
    pods = pod_costs(place_lines(snapshot, costed, options, ["pod"]).lines)
    labels = pod_label_models(snapshot, model_label)
    usage, unnamed = usage_by_pod_model(snapshot.model_usage, labels)
    usage = with_label_only_pods(usage, pods, labels)
    per_model = model_totals(with_pod_costs(usage, pods))
    lines = unit_economics(per_model, io_cost_ratio).join(
        _latency(snapshot.model_latency), on=["namespace", "model"], how="left"
    )
    lines = lines.sort(["cost_usd", "namespace", "model"], descending=[True, False, False])
    warnings = _unnamed_warning(unnamed, model_label) + model_warnings(lines, model_label)
    return _LINES.validate_python(lines.select(_line_fields()).to_dicts()), warnings


def pod_costs(lines: pl.DataFrame) -> pl.DataFrame:
    """Workload lines aggregated by `pod` → namespace, pod, cost_usd (total), idle_share_usd, GPU sums."""
    pods = lines.filter(~pl.col("synthetic"))
    parts = pl.col("key_0").str.splitn("/", 2)
    return pods.select(
        parts.struct.field("field_0").alias("namespace"),
        parts.struct.field("field_1").alias("pod"),
        total_cost().alias("cost_usd"),
        pl.col("idle_usd").alias("idle_share_usd"),
        "gpu_hours",
        *_GPU_SUMS,
        "unpriced",
    )


def pod_label_models(snapshot: Snapshot, model_label: str) -> pl.DataFrame:
    """(namespace, pod, label_model) for pods carrying the `model_label` label."""
    values = snapshot.pod_labels.filter(pl.col("key") == model_label).select("pod_uid", "value")
    pods = snapshot.containers.select("pod_uid", "namespace", "pod").unique()
    joined = pods.join(values, on="pod_uid", how="inner")
    return joined.group_by("namespace", "pod").agg(pl.col("value").sort().first().alias("label_model"))


def _null_unless_all(column: str, known: pl.Expr) -> pl.Expr:
    return pl.when(known.all()).then(pl.col(column).sum()).otherwise(None).alias(column)


def usage_by_pod_model(usage: pl.DataFrame, labels: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Serving counters per (namespace, pod, model), the model filled from the pod label when the metric has
    none; and the (namespace, pod) rows left without a model."""
    named = usage.join(labels, on=["namespace", "pod"], how="left").with_columns(
        pl.coalesce("model", "label_model").alias("model")
    )
    unnamed = named.filter(pl.col("model").is_null()).select("namespace", "pod").unique()
    grouped = (
        named.filter(pl.col("model").is_not_null())
        .group_by("namespace", "pod", "model")
        .agg(
            pl.col("engine").drop_nulls().first(),
            *(pl.col(c).fill_null(0.0).sum() for c in _COUNTERS),
            pl.when(pl.col("cached_input_tokens").is_not_null().any())
            .then(pl.col("cached_input_tokens").sum())
            .otherwise(None),
            _null_unless_all("successful_requests", pl.col("successful_requests").is_not_null()),
            _null_unless_all("prefill_seconds", pl.col("prefill_seconds").is_not_null()),
            _null_unless_all("decode_seconds", pl.col("decode_seconds").is_not_null()),
        )
        .with_columns(pl.lit(True).alias("metered"))
    )
    return grouped, unnamed


def with_label_only_pods(usage: pl.DataFrame, pods: pl.DataFrame, labels: pl.DataFrame) -> pl.DataFrame:
    """Add the billed pods that carry the model label but no serving metrics (cost counted, no tokens)."""
    unmetered = (
        pods.select("namespace", "pod")
        .join(labels, on=["namespace", "pod"], how="inner")
        .join(usage.select("namespace", "pod").unique(), on=["namespace", "pod"], how="anti")
        .rename({"label_model": "model"})
    )
    if not unmetered.height:
        return usage
    extra = unmetered.with_columns(
        *(pl.lit(0.0).alias(c) for c in _COUNTERS), pl.lit(False).alias("metered")
    )
    return pl.concat([usage, extra], how="diagonal_relaxed")


def with_pod_costs(usage: pl.DataFrame, pods: pl.DataFrame) -> pl.DataFrame:
    """Each (pod, model) row takes the pod's cost × its share of the pod's tokens (equal shares when the pod
    has no tokens); `costed` is false for a pod with no cost line (not billed, or in a shared namespace)."""
    tokens = pl.col("input_tokens") + pl.col("output_tokens")
    pod_tokens = tokens.sum().over("namespace", "pod")
    share = pl.when(pod_tokens > 0).then(tokens / pod_tokens).otherwise(1.0 / pl.len().over("namespace", "pod"))
    joined = usage.join(pods, on=["namespace", "pod"], how="left").with_columns(
        pl.col("cost_usd").is_not_null().alias("costed"), share.alias("share")
    )
    return joined.with_columns(pl.col(c) * pl.col("share") for c in _POD_MONEY)


def _known_sum(column: str) -> pl.Expr:
    return pl.when(pl.col(column).is_not_null().any()).then(pl.col(column).sum()).otherwise(None).alias(column)


def model_totals(rows: pl.DataFrame) -> pl.DataFrame:
    """Sum the (pod, model) rows per (namespace, model)."""
    metered = pl.col("metered")
    return rows.group_by("namespace", "model").agg(
        pl.col("engine").drop_nulls().unique().sort().str.join("+").alias("engine"),
        pl.col("pod").n_unique().alias("pods"),
        *(pl.col(c).fill_null(0.0).sum() for c in ("cost_usd", "idle_share_usd", "gpu_hours", *_COUNTERS)),
        *(_known_sum(c) for c in (*_GPU_SUMS, "cached_input_tokens")),
        *(
            _null_unless_all(c, pl.col(c).is_not_null() | ~metered)
            for c in ("successful_requests", "prefill_seconds", "decode_seconds")
        ),
        pl.col("unpriced").fill_null(False).any().alias("unpriced"),
        pl.col("pod").filter(pl.col("unpriced").fill_null(False)).n_unique().alias("unpriced_pods"),
        pl.col("pod").filter(~metered).n_unique().alias("unmetered_pods"),
        pl.col("pod").filter(~pl.col("costed")).n_unique().alias("uncosted_pods"),
    ).with_columns(
        pl.when(pl.col("engine") == "").then(pl.lit("unknown")).otherwise(pl.col("engine")).alias("engine")
    )


def _latency(latency: pl.DataFrame) -> pl.DataFrame:
    cols = ("ttft_p50_seconds", "ttft_p95_seconds", "e2e_p50_seconds", "e2e_p95_seconds")
    return latency.group_by("namespace", "model").agg(pl.col(c).drop_nulls().first() for c in cols)


def _line_fields() -> list[str]:
    return list(InferenceLine.model_fields)


def _unnamed_warning(unnamed: pl.DataFrame, model_label: str) -> list[str]:
    if not unnamed.height:
        return []
    return [
        f"{unnamed.height} pod(s) report serving metrics without a model name and carry no {model_label!r} "
        "label: their tokens are left out of the inference economics"
    ]


def model_warnings(lines: pl.DataFrame, model_label: str) -> list[str]:
    """No tokens, pods on unpriced nodes, pods without serving metrics, tokens without a cost."""
    out: list[str] = []
    for row in lines.iter_rows(named=True):
        name = f"model {row['namespace']}/{row['model']}"
        out.extend(_row_warnings(name, row, model_label))
    return out


def _row_warnings(name: str, row: dict[str, Any], model_label: str) -> list[str]:
    out = []
    if row["input_tokens"] + row["output_tokens"] <= 0:
        out.append(f"{name}: no tokens in the window; its per-token costs are not computed")
    if row["unpriced_pods"]:
        out.append(f"{name}: {row['unpriced_pods']} pod(s) on unpriced nodes; its cost is understated")
    if row["unmetered_pods"]:
        out.append(
            f"{name}: {row['unmetered_pods']} pod(s) without serving metrics (model from the {model_label!r} "
            "label): their cost is counted, their tokens and requests are unknown"
        )
    if row["uncosted_pods"]:
        out.append(
            f"{name}: {row['uncosted_pods']} pod(s) with serving metrics have no cost in the window (not billed, "
            "or in a shared namespace); its cost per token is understated"
        )
    return out


__all__ = ["DEFAULT_IO_COST_RATIO", "DEFAULT_MODEL_LABEL", "NO_SERVING_METRICS", "compute_inference"]
