"""Budgets over their current period: bounds, actual spend, forecast projection, thresholds → alerts.

Pure: the caller gives the daily cost series of the budget's scope, the last day with data (`today`), the
evaluation time and a projector (engine.forecast.projected_period_total). Arithmetic: docs/budgets.md.
"""

from __future__ import annotations

import calendar
from collections.abc import Collection
from datetime import date, datetime, timedelta
from typing import Protocol

import polars as pl

from genaicost.domain.alert import Alert
from genaicost.domain.budget import Budget, BudgetStatus, ThresholdStatus
from genaicost.domain.errors import GenaicostError
from genaicost.domain.forecast import PeriodProjection

DAY = timedelta(days=1)


class Projector(Protocol):
    def __call__(self, history: pl.DataFrame, *, period_start: date, period_end: date,
                 today: date) -> PeriodProjection: ...


def _month_day(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _add_month(day: date, reset_day: int) -> date:
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return _month_day(year, month, reset_day)


def period_bounds(budget: Budget, day: date) -> tuple[date, date]:
    """(first day, last day) of the budget period containing `day`, both inclusive."""
    if budget.period == "monthly":
        reset = budget.reset_day or 1
        start = _month_day(day.year, day.month, reset)
        if day < start:
            year, month = (day.year - 1, 12) if day.month == 1 else (day.year, day.month - 1)
            start = _month_day(year, month, reset)
        return start, _add_month(start, reset) - DAY
    if budget.period == "weekly":
        start = day - timedelta(days=(day.isoweekday() - (budget.reset_day or 1)) % 7)
        return start, start + 6 * DAY
    assert budget.starts_on is not None and budget.period_days is not None
    index = (day - budget.starts_on).days // budget.period_days
    start = budget.starts_on + timedelta(days=index * budget.period_days)
    return start, start + timedelta(days=budget.period_days - 1)


def scope_series(frame: pl.DataFrame, keys: Collection[str] | None, *, start: date, end: date) -> pl.DataFrame:
    """Daily (date, cost_usd) of the rows whose key is in `keys` (every row when None), summed per day, one row
    per day in [start, end] (a day without rows costs 0)."""
    rows = frame if keys is None else frame.filter(pl.col("key").is_in(list(keys)))
    summed = rows.filter(pl.col("date").is_between(start, end)).group_by("date").agg(pl.col("cost_usd").sum())
    days = pl.DataFrame({"date": pl.date_range(start, end, "1d", eager=True)})
    return days.join(summed, on="date", how="left").with_columns(
        pl.col("cost_usd").fill_null(0.0).cast(pl.Float64)).sort("date")


def evaluate_budget(budget: Budget, series: pl.DataFrame, *, today: date, scope: str,
                    projector: Projector | None) -> BudgetStatus:
    """`series`: (date, cost_usd) per day up to and including `today` (the last day with data)."""
    start, end = period_bounds(budget, today)
    days = (end - start).days + 1
    elapsed = (today - start).days + 1
    history = series.filter(pl.col("date") <= today)
    actual = float(history.filter(pl.col("date") >= start)["cost_usd"].sum())
    notes: list[str] = []
    projection = None
    if projector is not None:
        try:
            projection = projector(history, period_start=start, period_end=end, today=today)
        except GenaicostError as err:
            notes.append(f"no forecast: {err}")
    forecast = projection.projected_usd if projection is not None else None
    thresholds = [
        ThresholdStatus(percent=t.percent, of=t.of, severity=t.severity, at_usd=budget.amount_usd * t.percent / 100,
                        crossed=(actual if t.of == "actual" else forecast if forecast is not None else -1.0)
                        >= budget.amount_usd * t.percent / 100)
        for t in budget.thresholds
    ]
    return BudgetStatus(
        name=budget.name, scope=scope, period=budget.period, period_start=start, period_end=end,
        days_in_period=days, days_elapsed=elapsed, amount_usd=budget.amount_usd, actual_usd=actual,
        percent_used=actual / budget.amount_usd * 100, forecast_usd=forecast,
        forecast_lower_80=projection.lower_80 if projection else None,
        forecast_upper_80=projection.upper_80 if projection else None,
        percent_forecast=forecast / budget.amount_usd * 100 if forecast is not None else None,
        burn_rate_usd_per_day=actual / elapsed, even_burn_usd_per_day=budget.amount_usd / days,
        thresholds=thresholds, notes=notes,
    )


def threshold_alerts(budget: Budget, status: BudgetStatus, *, now: datetime) -> list[Alert]:
    """One firing alert per crossed threshold, keyed budget:<name>:threshold:<percent>:<of>."""
    alerts = []
    for t in status.thresholds:
        if not t.crossed:
            continue
        value = status.actual_usd if t.of == "actual" else status.forecast_usd
        assert value is not None
        word = "spent" if t.of == "actual" else "projected for the period"
        alerts.append(Alert(
            key=f"budget:{budget.name}:threshold:{t.percent:g}:{t.of}", rule="threshold", budget=budget.name,
            severity=t.severity, value=value, threshold=t.at_usd, starts_at=now,
            summary=(f"budget {budget.name} ({status.scope}): ${value:,.2f} {word} = "
                     f"{value / budget.amount_usd * 100:.1f}% of ${budget.amount_usd:,.2f} "
                     f"(threshold {t.percent:g}% of {t.of}), period {status.period_start} to {status.period_end}"),
            labels={"owner": budget.name, "scope": status.scope, "of": t.of, "percent": f"{t.percent:g}",
                    "period_start": status.period_start.isoformat()},
        ))
    return alerts
