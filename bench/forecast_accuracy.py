"""Forecast accuracy on generated daily cost series with a known trend, weekly seasonality and noise.

Each series: level0 × (1 + slope × t) × weekday factor + noise, t in days, with
- level0 = $500/day; slope = +0.3 %/day of level0 (a linear trend);
- weekday factors Mon..Sun = 1.05, 1.08, 1.06, 1.04, 1.00, 0.70, 0.62 (weekend batch stops), normalized to mean 1;
- noise: Gaussian, sd = noise × the day's noiseless cost, for noise levels 2 %, 5 %, 10 %.
The rolling-origin backtest of engine.forecast_backtest (the model choice of `genaicost forecast`) runs on each
series: `--days` days of history, the last `--origins` origins, each forecasting the next 7 daily totals.
Reported per noise level (pooled over the seeds): MAPE (%) and the share of actual days inside the 80 % and
95 % intervals (%), plus the MAPE of the 7-day sum.

Two seed sets: `--seeds dev` (0..2, used while developing) and `--seeds eval` (100..104, the figures recorded in
bench/README.md and docs/forecast.md; nothing was tuned on them).

    .venv/bin/python -m bench.forecast_accuracy --seeds eval
"""

from __future__ import annotations

import argparse
import time
from datetime import date, timedelta

import numpy as np
import polars as pl

from genaicost.domain.forecast import BACKTEST_HORIZON_DAYS
from genaicost.engine.forecast_models import fit_model

WEEKDAY = np.array([1.05, 1.08, 1.06, 1.04, 1.00, 0.70, 0.62])
SEEDS = {"dev": (0, 1, 2), "eval": (100, 101, 102, 103, 104)}
NOISE_LEVELS = (0.02, 0.05, 0.10)
START = date(2026, 1, 5)          # a Monday


def series(seed: int, noise: float, days: int, *, level0: float = 500.0, slope: float = 0.003) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    t = np.arange(days, dtype=float)
    weekly = WEEKDAY / WEEKDAY.mean()
    clean = level0 * (1 + slope * t) * weekly[(t % 7).astype(int)]
    cost = np.maximum(clean + rng.normal(0.0, noise * clean), 0.0)
    return pl.DataFrame({"date": [START + timedelta(days=i) for i in range(days)], "cost_usd": cost})


def evaluate(y: np.ndarray, origins: int) -> dict[str, np.ndarray]:
    """Per (origin, day) pairs: actual, point, bounds; plus per origin the 7-day sums."""
    h = BACKTEST_HORIZON_DAYS
    cols: dict[str, list[np.ndarray]] = {k: [] for k in ("y", "f", "lo80", "hi80", "lo95", "hi95")}
    for o in range(y.size - h - origins + 1, y.size - h + 1):
        b = fit_model(y[:o]).daily(h)
        for k, v in zip(cols, (y[o:o + h], b.point, b.lower_80, b.upper_80, b.lower_95, b.upper_95), strict=True):
            cols[k].append(v)
    return {k: np.stack(v) for k, v in cols.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", choices=sorted(SEEDS), default="eval")
    parser.add_argument("--days", type=int, default=84)
    parser.add_argument("--origins", type=int, default=8)
    parser.add_argument("--noise", type=float, action="append", help="one noise level (repeatable); default all")
    args = parser.parse_args()
    print(f"seeds {args.seeds} {SEEDS[args.seeds]}, {args.days} days, {args.origins} origins × 7 days ahead")
    print("| noise | series | pairs | MAPE daily | 80 % coverage | 95 % coverage | MAPE 7-day sum | time |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for noise in args.noise or NOISE_LEVELS:
        started = time.perf_counter()
        runs = [evaluate(series(seed, noise, args.days)["cost_usd"].to_numpy(), args.origins)
                for seed in SEEDS[args.seeds]]
        r = {k: np.concatenate([run[k] for run in runs]) for k in runs[0]}
        y, f = r["y"], r["f"]
        mape = float(np.mean(np.abs(y - f) / y) * 100)
        cov80 = float(np.mean((y >= r["lo80"]) & (y <= r["hi80"])) * 100)
        cov95 = float(np.mean((y >= r["lo95"]) & (y <= r["hi95"])) * 100)
        week = float(np.mean(np.abs(y.sum(1) - f.sum(1)) / y.sum(1)) * 100)
        print(f"| {noise:.0%} | {len(runs)} | {y.size} | {mape:.2f} % | {cov80:.1f} % | {cov95:.1f} % | "
              f"{week:.2f} % | {time.perf_counter() - started:.0f} s |", flush=True)


if __name__ == "__main__":
    main()
