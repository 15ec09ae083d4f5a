"""Rolling-origin backtest and spend-change anomalies (pure; docs/forecast.md §5–6).

Backtest: for each origin o (the number of days the model sees), fit on days [0, o) with the same model choice as
the forecast (engine.forecast_models.fit_model) and forecast the next BACKTEST_HORIZON_DAYS (7) daily totals;
compare each with the actual day. The origins are the last `max_origins` values of o in
[min_train_days, n − 7], one day apart. MAPE = mean over (origin, day) pairs with actual > 0 of
|actual − forecast| / actual × 100; coverage_80 / coverage_95 = percent of pairs whose actual lies inside the
interval (bounds inclusive).

Anomalies: baseline = mean of the `baseline_days` days before each day (a moving baseline; the first
`baseline_days` days have none). A day is an anomaly when |cost − baseline| ≥ threshold_pct % of the baseline and
max(cost, baseline) ≥ min_spend_usd (small absolute moves are ignored). A zero baseline with cost ≥ min_spend_usd
is an anomaly with change_pct None.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from genaicost.domain.errors import InputError
from genaicost.domain.forecast import BACKTEST_HORIZON_DAYS, Anomaly, Backtest
from genaicost.engine.forecast import validate_history
from genaicost.engine.forecast_models import MIN_ETS_DAYS, fit_model

DEFAULT_MAX_ORIGINS = 20


def backtest(history: pl.DataFrame, *, min_train_days: int = MIN_ETS_DAYS,
             max_origins: int = DEFAULT_MAX_ORIGINS) -> Backtest:
    _, costs = validate_history(history)
    h = BACKTEST_HORIZON_DAYS
    if min_train_days < 2 or max_origins < 1:
        raise InputError("min_train_days must be ≥ 2 and max_origins ≥ 1", field="backtest")
    n = int(costs.size)
    if n < min_train_days + h:
        raise InputError(f"{n} days of history; a backtest needs at least {min_train_days + h} "
                         f"({min_train_days} to fit + {h} to check)", field="history")
    origins = list(range(max(min_train_days, n - h - max_origins + 1), n - h + 1))
    actual, point, lo80, hi80, lo95, hi95 = ([] for _ in range(6))
    for o in origins:
        bands = fit_model(costs[:o]).daily(h)
        actual.append(costs[o:o + h])
        point.append(bands.point)
        lo80.append(bands.lower_80)
        hi80.append(bands.upper_80)
        lo95.append(bands.lower_95)
        hi95.append(bands.upper_95)
    y, f = np.concatenate(actual), np.concatenate(point)
    positive = y > 0
    mape = float(np.mean(np.abs(y[positive] - f[positive]) / y[positive]) * 100) if positive.any() else None
    inside80 = (y >= np.concatenate(lo80)) & (y <= np.concatenate(hi80))
    inside95 = (y >= np.concatenate(lo95)) & (y <= np.concatenate(hi95))
    return Backtest(mape=mape, coverage_80=float(inside80.mean() * 100), coverage_95=float(inside95.mean() * 100),
                    origins=len(origins))


def detect_anomalies(history: pl.DataFrame, *, baseline_days: int = 7, threshold_pct: float = 50.0,
                     min_spend_usd: float = 10.0) -> list[Anomaly]:
    if baseline_days < 1 or threshold_pct <= 0 or min_spend_usd < 0:
        raise InputError("baseline_days must be ≥ 1, threshold_pct > 0 and min_spend_usd ≥ 0", field="anomalies")
    validate_history(history)
    frame = history.select(pl.col("date").cast(pl.Date), pl.col("cost_usd").cast(pl.Float64)).with_columns(
        pl.col("cost_usd").shift(1).rolling_mean(window_size=baseline_days).alias("baseline_usd"))
    frame = frame.filter(pl.col("baseline_usd").is_not_null()).with_columns(
        (pl.col("cost_usd") - pl.col("baseline_usd")).alias("delta"))
    flagged = frame.filter(
        (pl.max_horizontal("cost_usd", "baseline_usd") >= min_spend_usd)
        & (pl.col("delta") != 0)
        & ((pl.col("baseline_usd") == 0) | (pl.col("delta").abs() >= threshold_pct / 100 * pl.col("baseline_usd"))))
    return [Anomaly(date=r["date"], cost_usd=r["cost_usd"], baseline_usd=r["baseline_usd"],
                    change_pct=None if r["baseline_usd"] == 0 else r["delta"] / r["baseline_usd"] * 100,
                    direction="up" if r["delta"] > 0 else "down")
            for r in flagged.iter_rows(named=True)]
