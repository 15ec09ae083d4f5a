"""The non-budget alert rules: burn rate, idle GPU cost, spend change, cost per million tokens (docs/budgets.md).

Each rule looks at complete days up to and including `through` and returns at most a few firing alerts, keyed
rule:<name>:<type>[:<model>] so repeated evaluations de-duplicate.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Protocol

import polars as pl

from genaicost.domain.alert import Alert
from genaicost.domain.budget import Budget, RuleConfig
from genaicost.domain.forecast import Anomaly
from genaicost.engine.budgets import period_bounds


class AnomalyDetector(Protocol):
    def __call__(self, history: pl.DataFrame, *, baseline_days: int, threshold_pct: float,
                 min_spend_usd: float) -> Sequence[Anomaly]: ...


def _window(frame: pl.DataFrame, through: date, days: int) -> pl.DataFrame:
    return frame.filter(pl.col("date").is_between(through - timedelta(days=days - 1), through))


def _alert(rule: RuleConfig, suffix: str, *, value: float, threshold: float, summary: str, now: datetime,
           scope: str, budget: str | None = None) -> Alert:
    return Alert(key=f"rule:{rule.name}:{rule.type}{suffix}", rule=rule.type, budget=budget, severity=rule.severity,
                 summary=summary, value=value, threshold=threshold, starts_at=now,
                 labels={"owner": rule.name, "scope": scope})


def burn_rate_alert(rule: RuleConfig, budget: Budget, series: pl.DataFrame, *, through: date, scope: str,
                    now: datetime) -> Alert | None:
    """Spend per day over the last window_days days > factor × amount ÷ days in the budget's period."""
    start, end = period_bounds(budget, through)
    even = budget.amount_usd / ((end - start).days + 1)
    rate = float(_window(series, through, rule.window_days)["cost_usd"].sum()) / rule.window_days
    limit = rule.factor * even
    if rate <= limit:
        return None
    return _alert(rule, "", value=rate, threshold=limit, now=now, scope=scope, budget=budget.name,
                  summary=(f"{rule.name}: {scope} spends ${rate:,.2f}/day over the last {rule.window_days} day(s), "
                           f"{rate / even:.2f}× the even burn of budget {budget.name} (${budget.amount_usd:,.2f} ÷ "
                           f"{(end - start).days + 1} days = ${even:,.2f}/day; limit {rule.factor:g}×)"))


def idle_gpu_alert(rule: RuleConfig, idle: pl.DataFrame, *, through: date, now: datetime) -> Alert | None:
    """`idle`: (date, idle_gpu_usd) per day; fires when day `through`'s idle GPU cost > max_daily_usd."""
    assert rule.max_daily_usd is not None
    day = idle.filter(pl.col("date") == through)
    value = float(day["idle_gpu_usd"].sum())
    if day.height == 0 or value <= rule.max_daily_usd:
        return None
    return _alert(rule, "", value=value, threshold=rule.max_daily_usd, now=now, scope="cluster",
                  summary=(f"{rule.name}: idle GPU cost ${value:,.2f} on {through} is above "
                           f"${rule.max_daily_usd:,.2f}/day"))


def spend_change_alert(rule: RuleConfig, series: pl.DataFrame, *, through: date, scope: str, now: datetime,
                       detect: AnomalyDetector) -> Alert | None:
    """Day `through` differs from the mean of the baseline_days before it by more than threshold_pct."""
    history = series.filter(pl.col("date") <= through)
    found = [a for a in detect(history, baseline_days=rule.baseline_days, threshold_pct=rule.threshold_pct,
                               min_spend_usd=rule.min_spend_usd) if a.date == through]
    if not found:
        return None
    a = found[0]
    change = "from a zero baseline" if a.change_pct is None else f"{a.change_pct:+.1f}%"
    return _alert(rule, "", value=a.cost_usd, threshold=a.baseline_usd, now=now, scope=scope,
                  summary=(f"{rule.name}: {scope} spent ${a.cost_usd:,.2f} on {a.date}, {change} vs the "
                           f"{rule.baseline_days}-day mean ${a.baseline_usd:,.2f} (alert above ±"
                           f"{rule.threshold_pct:g}%)"))


def token_price_alert(rule: RuleConfig, usage: pl.DataFrame, *, through: date, now: datetime) -> Alert | None:
    """`usage`: (date, model, cost_usd, tokens) per day; the model's cost over the last window_days days ÷ its
    tokens × 1e6 > target_usd_per_1m_tokens. No tokens in the window → no alert."""
    assert rule.model is not None and rule.target_usd_per_1m_tokens is not None
    rows = _window(usage.filter(pl.col("model") == rule.model), through, rule.window_days)
    tokens = float(rows["tokens"].sum())
    if tokens <= 0:
        return None
    cost = float(rows["cost_usd"].sum())
    per_million = cost / tokens * 1e6
    if per_million <= rule.target_usd_per_1m_tokens:
        return None
    return _alert(rule, f":{rule.model}", value=per_million, threshold=rule.target_usd_per_1m_tokens, now=now,
                  scope=f"model {rule.model}",
                  summary=(f"{rule.name}: model {rule.model} costs ${per_million:,.4f} per 1M tokens over the last "
                           f"{rule.window_days} day(s) (${cost:,.2f} ÷ {tokens:,.0f} tokens), above the target "
                           f"${rule.target_usd_per_1m_tokens:,.4f}"))
