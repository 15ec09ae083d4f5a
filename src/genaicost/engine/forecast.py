"""Daily cost forecast, month-end and period projections (pure; docs/forecast.md).

The history is one row per UTC day (`date`, `cost_usd`), ascending, no gaps, complete days only. Step i of the
forecast is the day `last history date + i`. A projection over a period = Σ history days in the period (actual)
+ Σ forecast for the period's days after the history, with the interval of that SUM from the fitted model
(engine.forecast_models: analytic or simulated paths), not the sum of daily bounds.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from itertools import pairwise

import numpy as np
import polars as pl

from genaicost.domain.errors import InputError
from genaicost.domain.forecast import Forecast, ForecastPoint, MonthEnd, PeriodProjection
from genaicost.engine.forecast_models import Array, Fitted, fit_model

MAX_HORIZON_DAYS = 366


def validate_history(history: pl.DataFrame) -> tuple[list[date], Array]:
    """The days and costs of a well-formed history, or InputError saying what is wrong."""
    missing = {"date", "cost_usd"} - set(history.columns)
    if missing:
        raise InputError(f"missing column(s) {sorted(missing)}; expected date, cost_usd", field="history")
    frame = history.select(pl.col("date").cast(pl.Date), pl.col("cost_usd").cast(pl.Float64))
    if frame.null_count().sum_horizontal().item() > 0:
        raise InputError("null dates or costs", field="history")
    days: list[date] = frame["date"].to_list()
    costs = frame["cost_usd"].to_numpy().astype(np.float64)
    if not np.all(np.isfinite(costs)) or np.any(costs < 0):
        raise InputError("costs must be finite and ≥ 0", field="history")
    steps = [(b - a).days for a, b in pairwise(days)]
    bad = next((i for i, s in enumerate(steps) if s != 1), None)
    if bad is not None:
        raise InputError(f"days must be consecutive and ascending: {days[bad]} is followed by {days[bad + 1]}",
                         field="history")
    return days, costs


def month_end_of(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def forecast_daily(history: pl.DataFrame, *, horizon_days: int, today: date) -> Forecast:
    if not 1 <= horizon_days <= MAX_HORIZON_DAYS:
        raise InputError(f"{horizon_days}; expected 1..{MAX_HORIZON_DAYS} days", field="horizon")
    days, costs = validate_history(history)
    fitted = fit_model(costs)
    last = days[-1]
    bands = fitted.daily(horizon_days)
    points = [ForecastPoint(date=last + timedelta(days=i + 1), cost_usd=float(bands.point[i]),
                            lower_80=float(bands.lower_80[i]), upper_80=float(bands.upper_80[i]),
                            lower_95=float(bands.lower_95[i]), upper_95=float(bands.upper_95[i]))
              for i in range(horizon_days)]
    start = today.replace(day=1)
    end = month_end_of(today)
    period = _project(fitted, days, costs, start, end)
    month = MonthEnd(date=end, actual_to_date_usd=period.actual_usd, projected_usd=period.projected_usd,
                     lower_80=period.lower_80, upper_80=period.upper_80, lower_95=period.lower_95,
                     upper_95=period.upper_95)
    notes = list(fitted.notes)
    if last < today - timedelta(days=1):
        notes.append(f"the history ends on {last}, {(today - last).days - 1} day(s) before yesterday; "
                     "those days are forecast too")
    if last >= today:
        notes.append(f"the history reaches {last}, on or after today ({today}); those days count as actual")
    return Forecast(forecast=points, month_end=month, model=fitted.name, notes=notes)


def projected_period_total(history: pl.DataFrame, *, period_start: date, period_end: date,
                           today: date) -> PeriodProjection:
    """Σ actual + Σ forecast over [period_start, period_end] (inclusive) with its 80 / 95 % intervals.
    `today` is kept for the contract (the period is explicit); the forecast starts the day after the history."""
    if period_end < period_start:
        raise InputError(f"period ends ({period_end}) before it starts ({period_start})", field="period")
    days, costs = validate_history(history)
    return _project(fit_model(costs), days, costs, period_start, period_end)


def _project(fitted: Fitted, days: list[date], costs: Array, start: date, end: date) -> PeriodProjection:
    last = days[-1]
    inside = np.array([start <= d <= end for d in days], dtype=bool)
    actual = float(costs[inside].sum())
    first_step = max(1, (start - last).days)
    last_step = (end - last).days
    if last_step < first_step:           # the history covers the whole period
        return PeriodProjection(period_start=start, period_end=end, actual_usd=actual, projected_usd=actual,
                                lower_80=actual, upper_80=actual, lower_95=actual, upper_95=actual)
    s = fitted.window_sum(first_step, last_step)
    return PeriodProjection(period_start=start, period_end=end, actual_usd=actual,
                            projected_usd=actual + float(s.point[0]),
                            lower_80=actual + float(s.lower_80[0]), upper_80=actual + float(s.upper_80[0]),
                            lower_95=actual + float(s.lower_95[0]), upper_95=actual + float(s.upper_95[0]))
