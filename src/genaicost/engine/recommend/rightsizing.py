"""`rightsizing`: CPU and memory requests from usage percentiles over the window, plus headroom.

Per workload container: new request = max(floor, percentile × (1 + headroom)), the largest over its pods.
Saving = the report's CPU / memory cost of those containers × the billed quantity it no longer charges:
billed now (report: max(request, usage) per step) − max(new request × hours, usage × hours).
"""

from __future__ import annotations

from typing import Literal

import polars as pl

from genaicost.domain.recommendation import Recommendation
from genaicost.engine.allocate import BYTES_PER_GIB
from genaicost.engine.recommend.context import Context, window_confidence
from genaicost.engine.recommend.registry import Outcome, Skip, Strategy, StrategySettings, register
from genaicost.engine.recommend.workloads import costed_rows, hpa_targets

NAME = "rightsizing"
Percentile = Literal["p50", "p95", "p99", "max"]


class RightsizingSettings(StrategySettings):
    cpu_percentile: Percentile = "p95"
    ram_percentile: Percentile = "max"
    headroom: float = 0.2
    min_cpu_cores: float = 0.01
    min_ram_gib: float = 0.0625
    include_hpa_targets: bool = False
    allow_instant_usage: bool = True
    exclude_namespaces: tuple[str, ...] = ("kube-system",)
    min_monthly_savings_usd: float = 1.0


def _usage(ctx: Context, s: RightsizingSettings) -> tuple[pl.DataFrame, str]:
    """(namespace, pod, container, cpu_basis_cores, ram_basis_gib) and where they come from."""
    pct = ctx.snapshot.usage_percentiles
    if pct.height:
        return pct.select(
            "namespace", "pod", "container",
            pl.col(f"cpu_{s.cpu_percentile}_cores").alias("cpu_basis_cores"),
            (pl.col(f"ram_{s.ram_percentile}_bytes") / BYTES_PER_GIB).alias("ram_basis_gib"),
        ), f"{s.cpu_percentile} CPU / {s.ram_percentile} memory over the window"
    if not s.allow_instant_usage:
        raise Skip("no usage percentiles over the window (use --prometheus) and allow_instant_usage=false")
    measured = pl.col("cpu_usage_cores").is_not_null() | pl.col("ram_usage_bytes").is_not_null()
    inst = ctx.snapshot.containers.filter(measured)
    if not inst.height:
        raise Skip("no container usage in the snapshot (no metrics-server / Prometheus data)")
    return inst.group_by("namespace", "pod", "container", maintain_order=True).agg(
        pl.col("cpu_usage_cores").max().alias("cpu_basis_cores"),
        (pl.col("ram_usage_bytes").max() / BYTES_PER_GIB).alias("ram_basis_gib"),
    ), _fallback_basis(ctx)


def _fallback_basis(ctx: Context) -> str:
    if ctx.snapshot.containers.get_column("cpu_billed_cores").is_not_null().any():
        return "mean usage over the window (history without percentiles): not a percentile"
    return "one instant usage sample (metrics-server): not a percentile"


def _requests(ctx: Context) -> pl.DataFrame:
    return ctx.snapshot.containers.group_by("pod_uid", "container", maintain_order=True).agg(
        pl.col("cpu_request_cores").first().fill_null(0.0).alias("cpu_request_cores"),
        (pl.col("ram_request_bytes").first().fill_null(0.0) / BYTES_PER_GIB).alias("ram_request_gib"),
    )


def _per_container(ctx: Context, s: RightsizingSettings, usage: pl.DataFrame) -> pl.DataFrame:
    rows = costed_rows(ctx).filter(~pl.col("namespace").is_in(list(s.exclude_namespaces)))
    if not s.include_hpa_targets:
        rows = rows.filter(~pl.col("workload").is_in(list(hpa_targets(ctx))))
    per = rows.group_by("pod_uid", "namespace", "pod", "container", "workload", maintain_order=True).agg(
        pl.col("cpu_core_hours", "cpu_usd", "cpu_request_core_hours", "cpu_usage_core_hours", "ram_gib_hours",
               "ram_usd", "ram_request_gib_hours", "ram_usage_gib_hours").sum())
    per = per.join(_requests(ctx), on=["pod_uid", "container"], how="left").join(
        usage, on=["namespace", "pod", "container"], how="inner")
    up = 1.0 + s.headroom
    per = per.with_columns(
        pl.max_horizontal(pl.lit(s.min_cpu_cores), pl.col("cpu_basis_cores") * up).alias("cpu_new_pod"),
        pl.max_horizontal(pl.lit(s.min_ram_gib), pl.col("ram_basis_gib") * up).alias("ram_new_pod"),
    ).with_columns(  # one request for every pod of the workload container: the largest need
        pl.col("cpu_new_pod").max().over("workload", "container").alias("cpu_new_cores"),
        pl.col("ram_new_pod").max().over("workload", "container").alias("ram_new_gib"),
    )
    return per.with_columns(
        _saving("cpu", "cpu_request_cores", "cpu_new_cores").alias("cpu_saving_usd"),
        _saving("ram", "ram_request_gib", "ram_new_gib").alias("ram_saving_usd"),
    )


def _saving(res: str, request: str, new: str) -> pl.Expr:
    """Report cost × (billed − new billed) ÷ billed, only where the new request is below the current one."""
    billed, usage = pl.col(f"{res}_core_hours" if res == "cpu" else f"{res}_gib_hours"), pl.col(
        f"{res}_usage_core_hours" if res == "cpu" else f"{res}_usage_gib_hours").fill_null(0.0)
    req_hours = pl.col(f"{res}_request_core_hours" if res == "cpu" else f"{res}_request_gib_hours")
    hours = req_hours / pl.col(request)
    new_billed = pl.max_horizontal(pl.col(new) * hours, usage)
    ok = (pl.col(new) < pl.col(request)) & (billed > new_billed) & (pl.col(request) > 0)
    return pl.when(ok).then(pl.col(f"{res}_usd") * (billed - new_billed) / billed).otherwise(0.0).fill_null(0.0)


def run(ctx: Context, s: RightsizingSettings) -> Outcome:
    usage, basis = _usage(ctx, s)
    per = _per_container(ctx, s, usage)
    grouped = per.group_by("workload", "container", maintain_order=True).agg(
        pl.len().alias("pods"), pl.col("cpu_request_cores").max(), pl.col("cpu_new_cores").first(),
        pl.col("ram_request_gib").max(), pl.col("ram_new_gib").first(),
        pl.col("cpu_basis_cores").max(), pl.col("ram_basis_gib").max(),
        pl.col("cpu_saving_usd", "ram_saving_usd", "cpu_usd", "ram_usd").sum(),
    ).sort("workload", "container")
    instant = not ctx.snapshot.usage_percentiles.height
    confidence = "low" if instant else window_confidence(ctx.window_hours)
    out = []
    for r in grouped.iter_rows(named=True):
        saving = (r["cpu_saving_usd"] + r["ram_saving_usd"]) * ctx.to_monthly
        if saving < s.min_monthly_savings_usd or saving <= 0:
            continue
        parts = []
        if r["cpu_saving_usd"] > 0:
            parts.append(f"cpu {r['cpu_request_cores']:g} → {r['cpu_new_cores']:.3g} cores")
        if r["ram_saving_usd"] > 0:
            parts.append(f"memory {r['ram_request_gib']:g} → {r['ram_new_gib']:.3g} GiB")
        out.append(Recommendation(
            strategy=NAME, target=f"{r['workload']} container {r['container']}",
            action="lower the requests: " + ", ".join(parts), monthly_savings_usd=saving, confidence=confidence,
            confidence_rule="low without percentiles (one instant sample or a mean); with percentiles: high ≥ 7 "
            "days, medium ≥ 1 day, low below",
            evidence={"pods": r["pods"], "usage_basis": basis, "cpu_request_cores": r["cpu_request_cores"],
                      "cpu_usage_basis_cores": r["cpu_basis_cores"], "ram_request_gib": r["ram_request_gib"],
                      "ram_usage_basis_gib": r["ram_basis_gib"], "window_hours": ctx.window_hours,
                      "cpu_monthly_usd_now": r["cpu_usd"] * ctx.to_monthly,
                      "ram_monthly_usd_now": r["ram_usd"] * ctx.to_monthly},
            assumptions={"headroom": s.headroom, "cpu_percentile": s.cpu_percentile,
                         "ram_percentile": s.ram_percentile,
                         "realized_when": "the freed requests let nodes shrink (Karpenter consolidation or "
                         "node-consolidation); the figure is what the report charges these requests",
                         "hpa_targets": "included" if s.include_hpa_targets else "skipped"},
            resources=(f"workload/{r['workload']}#cpu-ram",),
        ))
    return Outcome(out)


STRATEGY = register(Strategy(
    name=NAME, summary="CPU / memory requests from usage percentiles with headroom",
    needs=("usage percentiles over the window (or an instant usage sample)", "HorizontalPodAutoscalers"),
    settings=RightsizingSettings, run=run))
