"""The forecast models and the choice between them (docs/forecast.md §1–3).

`fit_model(y)` picks by the number of days n (and whether the series varies):
- every day equal → `constant` (the value, zero-width intervals);
- n ≥ 14 → ETS with additive errors and additive weekly seasonality (period 7), additive trend damped or not,
  the lower AICc of the two (`ets-aaa-weekly`, `ets-aada-weekly`); statsmodels' ETSModel, maximum likelihood;
- 4 ≤ n < 14 → `linear-trend`: least-squares line over the days, Student-t prediction intervals (n − 2 df);
- 2 ≤ n < 4 → `mean`: the mean of the days, Student-t prediction intervals (n − 1 df);
- n < 2 → InputError.
If the ETS fit fails (an exception or a non-finite result) the linear trend is used and a note says why.

ETS intervals are CALIBRATED on the history (a split-conformal style check, docs/forecast.md §3): the analytic
ETS intervals assume the fitted parameters and initial states are exact, and on 4–12 weeks of data they are
~30–40 % too narrow. So the chosen spec is refitted at up to CAL_ORIGINS earlier origins (n − 7, n − 14, …, each
leaving ≥ 14 days), each forecasts its next 7 days (all inside the history), and the errors are divided by the
model's own 1..7-step standard deviations. c = the root mean square of those standardized errors, at least 1;
every interval half-width (and every simulated path's deviation from the mean) is multiplied by c.

Each fitted model gives daily bands (point, 80 % and 95 % bounds) for steps 1..k after the last day, and bands of
the SUM of steps first..last: analytic for `mean` / `linear-trend` / `constant` (variance of the sum of the future
errors plus the variance of the summed estimate), from SIMULATED PATHS of the fitted state-space model for ETS
(each path clipped at 0 per day, then summed; quantiles of the sums) — never by adding daily bounds.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from genaicost.domain.errors import InputError

Array = npt.NDArray[np.float64]
SEASON_DAYS = 7
MIN_ETS_DAYS = 14
MIN_TREND_DAYS = 4
MIN_DAYS = 2
SIM_PATHS = 2000
SIM_SEED = 20241128          # fixed: the same history gives the same intervals
LEVELS = (0.80, 0.95)
CAL_ORIGINS = 3
Z80 = 1.2815515655446004     # standard normal 0.90 quantile


@dataclass(frozen=True)
class Bands:
    """Point and bounds (arrays of equal length, or length-1 for a sum), already clipped at 0."""
    point: Array
    lower_80: Array
    upper_80: Array
    lower_95: Array
    upper_95: Array


def _bands(point: Array, half_80: Array, half_95: Array) -> Bands:
    z = np.zeros_like(point)
    return Bands(np.maximum(point, z), np.maximum(point - half_80, z), np.maximum(point + half_80, z),
                 np.maximum(point - half_95, z), np.maximum(point + half_95, z))


@dataclass(frozen=True)
class LinearFit:
    """y = a + b·t (b = 0 for `mean` / `constant`), residual sd `s`, `df` degrees of freedom."""
    name: str
    n: int
    a: float
    b: float
    s: float
    df: int
    notes: tuple[str, ...] = ()

    def _t(self) -> Array:
        t = np.arange(self.n, dtype=float)
        return np.asarray(t - t.mean(), dtype=np.float64)

    def _sxx(self) -> float:
        return float(np.sum(self._t() ** 2))

    def _quantiles(self) -> tuple[float, float]:
        if self.s == 0.0:
            return 0.0, 0.0
        from scipy import stats  # imported when used: scipy / statsmodels take ~2 s to import (every CLI call)

        return (float(stats.t.ppf(0.90, self.df)), float(stats.t.ppf(0.975, self.df)))

    def daily(self, steps: int) -> Bands:
        tf = np.arange(self.n, self.n + steps, dtype=float)
        point = self.a + self.b * tf
        tbar = (self.n - 1) / 2.0
        trend_var = (tf - tbar) ** 2 / self._sxx() if self.b_is_fitted else np.zeros(steps)
        se = self.s * np.sqrt(1.0 + 1.0 / self.n + trend_var)
        q80, q95 = self._quantiles()
        return _bands(point, q80 * se, q95 * se)

    @property
    def b_is_fitted(self) -> bool:
        return self.name == "linear-trend"

    def window_sum(self, first: int, last: int) -> Bands:
        """Σ of steps first..last (1-based): Var = k·s² (future errors) + s²·(k²/n + (Σ(t−t̄))²/Sxx)."""
        tf = np.arange(self.n + first - 1, self.n + last, dtype=float)
        k = float(tf.size)
        point = np.array([float(np.sum(self.a + self.b * tf))])
        tbar = (self.n - 1) / 2.0
        trend_var = float(np.sum(tf - tbar)) ** 2 / self._sxx() if self.b_is_fitted else 0.0
        se = self.s * math.sqrt(k + k * k / self.n + trend_var)
        q80, q95 = self._quantiles()
        return _bands(point, np.array([q80 * se]), np.array([q95 * se]))


@dataclass
class EtsFit:
    name: str
    result: object                 # statsmodels ETSResults
    n: int
    notes: tuple[str, ...] = ()
    scale: float = 1.0             # calibration factor c of the interval half-widths
    _paths: Array | None = field(default=None, repr=False)

    def daily(self, steps: int) -> Bands:
        pred = self.result.get_prediction(start=self.n, end=self.n + steps - 1)  # type: ignore[attr-defined]
        point = np.asarray(pred.predicted_mean, dtype=float)
        halves = []
        for level in LEVELS:
            frame = pred.summary_frame(alpha=1.0 - level)
            halves.append((np.asarray(frame["pi_upper"], dtype=float) - np.asarray(frame["pi_lower"], dtype=float))
                          / 2.0 * self.scale)
        return _bands(point, halves[0], halves[1])

    def paths(self, steps: int) -> Array:
        """SIM_PATHS simulated futures (steps × paths), each day clipped at 0; cached for the longest request."""
        if self._paths is None or self._paths.shape[0] < steps:
            sim = self.result.simulate(  # type: ignore[attr-defined]
                nsimulations=steps, anchor="end", repetitions=SIM_PATHS, rng=np.random.default_rng(SIM_SEED))
            raw = np.asarray(sim, dtype=float).reshape(steps, SIM_PATHS)
            mean = raw.mean(axis=1, keepdims=True)
            self._paths = np.maximum(mean + self.scale * (raw - mean), 0.0)
        return self._paths[:steps]

    def window_sum(self, first: int, last: int) -> Bands:
        sums = self.paths(last)[first - 1:last].sum(axis=0)
        point = float(self.daily(last).point[first - 1:last].sum())
        lo80, hi80, lo95, hi95 = np.quantile(sums, [0.10, 0.90, 0.025, 0.975])
        one = np.array
        return Bands(one([point]), one([max(0.0, min(lo80, point))]), one([max(hi80, point)]),
                     one([max(0.0, min(lo95, point))]), one([max(hi95, point)]))


Fitted = LinearFit | EtsFit


def fit_model(y: Array) -> Fitted:
    n = int(y.size)
    if n < MIN_DAYS:
        raise InputError(f"{n} day(s) of history; a forecast needs at least {MIN_DAYS} days", field="history")
    if float(np.ptp(y)) <= 1e-9 * max(1.0, float(np.abs(y).max())):
        return LinearFit("constant", n, float(y[0]), 0.0, 0.0, max(n - 1, 1))
    if n < MIN_TREND_DAYS:
        return LinearFit("mean", n, float(y.mean()), 0.0, float(y.std(ddof=1)), n - 1,
                         (f"{n} days of history (< {MIN_TREND_DAYS}): mean of the days, no trend",))
    if n < MIN_ETS_DAYS:
        return _linear(y, (f"{n} days of history (< {MIN_ETS_DAYS}): linear trend, no weekly seasonality",))
    try:
        return _ets(y)
    except (ValueError, np.linalg.LinAlgError, FloatingPointError) as err:
        return _linear(y, (f"ETS fit failed ({err}); linear trend used",))


def _linear(y: Array, notes: tuple[str, ...]) -> LinearFit:
    n = int(y.size)
    t = np.arange(n, dtype=float)
    b, a = (float(v) for v in np.polyfit(t, y, 1))
    resid = y - (a + b * t)
    s = math.sqrt(float(np.sum(resid**2)) / (n - 2))
    return LinearFit("linear-trend", n, a, b, s, n - 2, notes)


def _fit_spec(y: Array, damped: bool) -> tuple[Any, list[str]]:
    import pandas as pd
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    model = ETSModel(pd.Series(y), error="add", trend="add", damped_trend=damped, seasonal="add",
                     seasonal_periods=SEASON_DAYS)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = model.fit(disp=False)
    return result, [str(c.message) for c in caught]


def _ets(y: Array) -> EtsFit:
    best: tuple[float, str, bool, Any] | None = None
    notes: list[str] = []
    for damped, name in ((False, "ets-aaa-weekly"), (True, "ets-aada-weekly")):
        result, caught = _fit_spec(y, damped)
        aicc = float(result.aicc)
        if not math.isfinite(aicc) or not np.all(np.isfinite(np.asarray(result.fittedvalues, dtype=float))):
            continue
        if best is None or aicc < best[0]:
            best = (aicc, name, damped, result)
            notes = [f"{name}: the optimizer reported: {caught[0]}"] if caught else []
    if best is None:
        raise ValueError("no finite ETS fit")
    scale, pairs = calibration(y, best[2])
    notes.append(f"intervals calibrated on {pairs} past 1–7-day forecasts: × {scale:.2f}" if pairs else
                 f"intervals not calibrated (calibration needs {MIN_ETS_DAYS + SEASON_DAYS} days)")
    return EtsFit(best[1], best[3], int(y.size), tuple(notes), scale)


def calibration(y: Array, damped: bool) -> tuple[float, int]:
    """(c, number of errors): RMS of the standardized 1..7-day errors of refits at earlier origins, ≥ 1."""
    n = int(y.size)
    z: list[Array] = []
    for j in range(1, CAL_ORIGINS + 1):
        o = n - SEASON_DAYS * j
        if o < MIN_ETS_DAYS:
            break
        result, _ = _fit_spec(y[:o], damped)
        pred = result.get_prediction(start=o, end=o + SEASON_DAYS - 1)
        frame = pred.summary_frame(alpha=0.2)
        sd = (np.asarray(frame["pi_upper"], dtype=float) - np.asarray(frame["pi_lower"], dtype=float)) / (2 * Z80)
        err = y[o:o + SEASON_DAYS] - np.asarray(pred.predicted_mean, dtype=float)
        if np.all(sd > 0) and np.all(np.isfinite(err)):
            z.append(err / sd)
    if not z:
        return 1.0, 0
    errors = np.concatenate(z)
    return max(1.0, math.sqrt(float(np.mean(errors**2)))), int(errors.size)
