"""Daily cost forecasts: the points, the month-end / period projections, the backtest and spend-change anomalies.

Money is float64 USD per UTC day (a projection: USD over the period); every interval is a prediction interval of
the actual future value, clipped at 0 (a cost is never negative). The models and the arithmetic: docs/forecast.md.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

import polars as pl
from pydantic import BaseModel, ConfigDict

# One row per UTC day, no gaps, ascending: what engine.forecast takes.
HISTORY_SCHEMA: dict[str, Any] = {"date": pl.Date, "cost_usd": pl.Float64}
# What app.cost_history returns: one row per (date, key); key null for a single total series.
KEYED_HISTORY_SCHEMA: dict[str, Any] = {"date": pl.Date, "key": pl.String, "cost_usd": pl.Float64}

BACKTEST_HORIZON_DAYS = 7


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ForecastPoint(_Frozen):
    date: date
    cost_usd: float        # point forecast of the day's cost (the model's mean, clipped at 0)
    lower_80: float
    upper_80: float
    lower_95: float
    upper_95: float


class MonthEnd(_Frozen):
    date: date                   # last day of the month of `today`
    actual_to_date_usd: float    # Σ history days of that month
    projected_usd: float         # actual + Σ forecast for the month's remaining days
    lower_80: float
    upper_80: float
    lower_95: float
    upper_95: float


class PeriodProjection(_Frozen):
    period_start: date           # inclusive
    period_end: date             # inclusive
    actual_usd: float            # Σ history days in the period
    projected_usd: float         # actual + Σ forecast for the period's days after the history
    lower_80: float
    upper_80: float
    lower_95: float
    upper_95: float


class Forecast(_Frozen):
    forecast: list[ForecastPoint]
    month_end: MonthEnd
    model: str                   # ets-aaa-weekly | ets-aada-weekly | linear-trend | mean | constant
    notes: list[str] = []


class Backtest(_Frozen):
    mape: float | None           # percent; mean |actual − forecast| / actual over (origin, day) pairs, actual > 0
    coverage_80: float           # percent of actual days inside their 80 % interval
    coverage_95: float
    origins: int                 # forecast origins (each forecasts the next BACKTEST_HORIZON_DAYS days)


class Anomaly(_Frozen):
    date: date
    cost_usd: float
    baseline_usd: float          # mean of the `baseline_days` days before
    change_pct: float | None     # (cost − baseline) / baseline × 100; None when the baseline is 0
    direction: Literal["up", "down"]
