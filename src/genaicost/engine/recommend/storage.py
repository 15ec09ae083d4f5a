"""`storage`: gp2 → gp3, unattached persistent volumes, claims no pod mounts (docs/recommend.md)."""

from __future__ import annotations

import polars as pl

from genaicost.domain.recommendation import Recommendation
from genaicost.domain.window import HOURS_PER_MONTH
from genaicost.engine.price import price_volumes
from genaicost.engine.recommend.context import Context, window_confidence
from genaicost.engine.recommend.registry import Outcome, Skip, Strategy, StrategySettings, register

NAME = "storage"
GP2_IOPS_PER_GIB = 3.0
GP2_MIN_IOPS, GP2_MAX_IOPS = 100.0, 16000.0
GP3_FREE_IOPS = 3000.0
GP2_SMALL_MIBPS, GP2_LARGE_MIBPS, GP2_SMALL_MAX_GIB = 128.0, 250.0, 170.0


class StorageSettings(StrategySettings):
    gp2_to_gp3: bool = True
    unattached_volumes: bool = True
    unmounted_claims: bool = True
    min_monthly_savings_usd: float = 0.0


def gp3_equivalent(gp2: pl.DataFrame) -> pl.DataFrame:
    """The same volumes as gp3 with gp2's baseline IOPS (3/GiB, 100–16,000) and throughput (128 MiB/s up to
    170 GiB, else 250 MiB/s) provisioned where they exceed gp3's free 3,000 IOPS / 125 MiB/s."""
    iops = (pl.col("capacity_gib") * GP2_IOPS_PER_GIB).clip(GP2_MIN_IOPS, GP2_MAX_IOPS)
    mibps = pl.when(pl.col("capacity_gib") <= GP2_SMALL_MAX_GIB).then(GP2_SMALL_MIBPS).otherwise(GP2_LARGE_MIBPS)
    return gp2.with_columns(
        pl.lit("gp3").alias("volume_type"),
        pl.when(iops > GP3_FREE_IOPS).then(iops).otherwise(None).alias("iops"),
        mibps.alias("throughput_mibps"),
    )


def _gp2_to_gp3(ctx: Context, priced: pl.DataFrame, s: StorageSettings) -> list[Recommendation]:
    gp2 = priced.filter((pl.col("volume_type") == "gp2") & pl.col("hourly_usd").is_not_null())
    if not gp2.height:
        return []
    raw = gp2.select(ctx.snapshot.volumes.columns)
    as_gp3 = price_volumes(gp3_equivalent(raw), ctx.catalog).select(
        pl.col("hourly_usd").alias("gp3_hourly_usd"), pl.col("iops").alias("gp3_iops"),
        pl.col("throughput_mibps").alias("gp3_mibps"))
    out = []
    for row in pl.concat([gp2, as_gp3], how="horizontal").iter_rows(named=True):
        if row["gp3_hourly_usd"] is None:
            continue
        saving = (row["hourly_usd"] - row["gp3_hourly_usd"]) * HOURS_PER_MONTH
        if saving <= max(0.0, s.min_monthly_savings_usd):
            continue
        out.append(Recommendation(
            strategy=NAME, target=f"volume/{row['name']}", action="change the volume type from gp2 to gp3",
            monthly_savings_usd=saving, confidence="high",
            confidence_rule="high: same capacity, gp2's baseline IOPS and throughput provisioned on gp3",
            evidence={"capacity_gib": row["capacity_gib"], "claim": _claim(row),
                      "gp2_monthly_usd": row["hourly_usd"] * HOURS_PER_MONTH,
                      "gp3_monthly_usd": row["gp3_hourly_usd"] * HOURS_PER_MONTH,
                      "gp3_provisioned_iops": row["gp3_iops"], "gp3_throughput_mibps": row["gp3_mibps"]},
            assumptions={"gp2_baseline_iops": "3 per GiB, 100–16,000 (gp3 includes 3,000)",
                         "gp2_throughput_mibps": "128 up to 170 GiB, else 250 (gp3 includes 125)"},
            resources=(f"volume/{row['name']}",),
        ))
    return out


def _claim(row: dict[str, object]) -> str | None:
    return f"{row['claim_namespace']}/{row['claim_name']}" if row.get("claim_name") else None


def _removals(ctx: Context, priced: pl.DataFrame, s: StorageSettings) -> list[Recommendation]:
    mounted = ctx.snapshot.mounts.select("claim_namespace", "claim_name").unique()
    frame = priced.filter(pl.col("hourly_usd").is_not_null()).join(
        mounted.with_columns(pl.lit(True).alias("_mounted")), on=["claim_namespace", "claim_name"], how="left")
    unclaimed_rule = "for claims: " + _window_rule()
    out = []
    for row in frame.iter_rows(named=True):
        is_unbound = row["claim_name"] is None
        wanted = s.unattached_volumes if is_unbound else s.unmounted_claims and not row["_mounted"]
        if not wanted:
            continue
        saving = row["hourly_usd"] * HOURS_PER_MONTH
        if saving <= s.min_monthly_savings_usd:
            continue
        what = "unbound persistent volume (no claim)" if is_unbound else "claim mounted by no pod in the window"
        out.append(Recommendation(
            strategy=NAME, target=f"volume/{row['name']}",
            action="delete the volume (snapshot it first if it holds data)" if is_unbound
            else f"delete the unused claim {_claim(row)} and its volume (snapshot it first)",
            monthly_savings_usd=saving,
            confidence="medium" if is_unbound else window_confidence(ctx.window_hours),
            confidence_rule="unbound volumes: medium (it may be kept on purpose); " + unclaimed_rule,
            evidence={"state": what, "volume_type": row["volume_type"], "capacity_gib": row["capacity_gib"],
                      "claim": _claim(row), "monthly_usd": saving, "window_hours": ctx.window_hours},
            assumptions={"data": "nobody needs the data (check the reclaim policy and owners before deleting)"},
            resources=(f"volume/{row['name']}",),
        ))
    return out


def _window_rule() -> str:
    return "high with ≥ 7 days of history, medium ≥ 1 day, low for an instant snapshot"


def run(ctx: Context, s: StorageSettings) -> Outcome:
    priced = ctx.priced.volumes
    if not priced.height:
        raise Skip("the snapshot has no persistent volumes")
    recs = _gp2_to_gp3(ctx, priced, s) if s.gp2_to_gp3 else []
    return Outcome(recs + _removals(ctx, priced, s))


STRATEGY = register(Strategy(
    name=NAME, summary="gp2 → gp3, unattached volumes, claims no pod mounts",
    needs=("persistent volumes", "pod volume mounts"), settings=StorageSettings, run=run))
