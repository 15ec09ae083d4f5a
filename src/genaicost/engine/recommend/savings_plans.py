"""`savings-plans`: commit to the steady on-demand baseline at a configured Savings Plan / Reserved rate.

The catalog has no Savings Plan rates, so the strategy runs only when `discount_rate` is set (e.g. 0.28 for your
1-year rate). Baseline = on-demand EC2 nodes that ran the whole window and are not already discounted, per
instance family (EC2 Instance Savings Plans are per family and region). Saving = Σ their report price ×
discount_rate × 730.
"""

from __future__ import annotations

import polars as pl

from genaicost.domain.recommendation import Recommendation
from genaicost.domain.window import HOURS_PER_MONTH
from genaicost.engine.recommend.context import WINDOW_RULE, Context, window_confidence
from genaicost.engine.recommend.registry import Outcome, Skip, Strategy, StrategySettings, register

NAME = "savings-plans"


class SavingsPlanSettings(StrategySettings):
    discount_rate: float | None = None   # fraction off on-demand, e.g. 0.28; None: skipped
    term: str = "1y"
    min_monthly_savings_usd: float = 1.0


def run(ctx: Context, s: SavingsPlanSettings) -> Outcome:
    if s.discount_rate is None:
        raise Skip("no Savings Plan / Reserved rates in the price catalog; set savings-plans.discount_rate "
                   "(e.g. 0.28 for a 1-year rate) to price coverage of the steady baseline")
    if not 0.0 < s.discount_rate < 1.0:
        raise Skip(f"savings-plans.discount_rate {s.discount_rate:g} is not a fraction in (0, 1)")
    steady = ctx.nodes.filter(
        (pl.col("capacity_type") == "on-demand") & ~pl.col("unpriced")
        & (pl.col("hours") >= ctx.window_hours - 1e-9)
        & ~pl.col("price_source").str.contains("+", literal=True)
        & pl.col("instance_type").is_not_null()
    ).with_columns(pl.col("instance_type").str.split(".").list.first().alias("family"))
    if not steady.height:
        raise Skip("no undiscounted on-demand node ran the whole window")
    out = []
    for (family,), group in steady.group_by(["family"], maintain_order=True):
        hourly = float(group.get_column("hourly_usd").sum())
        saving = hourly * s.discount_rate * HOURS_PER_MONTH
        if saving < s.min_monthly_savings_usd:
            continue
        out.append(Recommendation(
            strategy=NAME, target=f"family/{family}",
            action=f"buy a {s.term} EC2 Instance Savings Plan for ${hourly:.4f}/h of {family} on-demand usage",
            monthly_savings_usd=saving, confidence=window_confidence(ctx.window_hours),
            confidence_rule="how long the baseline was seen steady: " + WINDOW_RULE,
            evidence={"nodes": group.height, "baseline_usd_per_hour": hourly,
                      "baseline_monthly_usd": hourly * HOURS_PER_MONTH, "window_hours": ctx.window_hours,
                      "nodes_list": ", ".join(group.get_column("node").to_list())},
            assumptions={"discount_rate": s.discount_rate, "term": s.term,
                         "baseline": "these nodes keep running for the whole term"},
            resources=tuple(f"node/{n}" for n in group.get_column("node").to_list())))
    return Outcome(out)


STRATEGY = register(Strategy(
    name=NAME, summary="Savings Plan / Reserved coverage of the steady on-demand baseline (configured rate)",
    needs=("a configured discount rate", "node hours over the window"), settings=SavingsPlanSettings, run=run))
