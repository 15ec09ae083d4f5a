"""engine.forecast_backtest: the backtest's arithmetic on known series, coverage on generated data, anomalies."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest

from genaicost.domain.errors import InputError
from genaicost.engine.forecast_backtest import backtest, detect_anomalies
from genaicost.engine.forecast_models import EtsFit, calibration, fit_model

NOV1 = date(2026, 11, 1)


def hist(values: list[float] | np.ndarray) -> pl.DataFrame:
    return pl.DataFrame({"date": [NOV1 + timedelta(days=i) for i in range(len(values))],
                         "cost_usd": np.asarray(values, dtype=float)})


def test_backtest_of_a_constant_series_is_exact() -> None:
    b = backtest(hist([50.0] * 30), min_train_days=14, max_origins=20)
    # origins o = 14..23 (o + 7 ≤ 30): 10 of them
    assert (b.origins, b.mape, b.coverage_80, b.coverage_95) == (10, 0.0, 100.0, 100.0)


def test_backtest_of_a_line_with_the_linear_fallback_is_exact() -> None:
    b = backtest(hist([10.0 + 2.0 * t for t in range(13)]), min_train_days=4, max_origins=3)
    assert b.origins == 3 and b.mape == pytest.approx(0.0, abs=1e-9) and b.coverage_80 == 100.0


def test_backtest_mape_by_hand_with_the_mean_model() -> None:
    # min_train_days = 2, n = 9, one origin o = 2: fit on [10, 10] (constant 10), check days 2..8
    y = [10.0, 10.0, 20.0, 5.0, 10.0, 10.0, 10.0, 10.0, 10.0]
    b = backtest(hist(y), min_train_days=2, max_origins=1)
    assert b.origins == 1
    assert b.mape == pytest.approx((50.0 + 100.0) / 7)      # |20−10|/20 = 50 %, |5−10|/5 = 100 %, others 0
    assert b.coverage_80 == pytest.approx(5 / 7 * 100)       # zero-width interval: the 5 days at 10 are inside


def test_backtest_needs_enough_days() -> None:
    with pytest.raises(InputError, match="at least 21"):
        backtest(hist([1.0] * 20))


def generated(seed: int, noise: float, days: int) -> np.ndarray:
    """Known trend (+0.3 %/day) × weekly factors (weekend −30 / −38 %) + Gaussian noise of `noise` × the cost."""
    t = np.arange(days)
    weekly = np.array([1.05, 1.08, 1.06, 1.04, 1.0, 0.7, 0.62])
    clean = 400 * (1 + 0.003 * t) * weekly[t % 7] / weekly.mean()
    return np.asarray(clean + np.random.default_rng(seed).normal(0, noise * clean), dtype=float)


@pytest.mark.slow
def test_interval_coverage_on_generated_series_is_near_nominal() -> None:
    """Pooled over 3 series (the development seeds) and 3 non-overlapping 7-day windows each: 63 days."""
    inside80, inside95, ape = [], [], []
    for seed in (0, 1, 2):
        y = generated(seed, 0.05, 70)
        for o in (49, 56, 63):
            b = fit_model(y[:o]).daily(7)
            actual = y[o:o + 7]
            inside80.append((actual >= b.lower_80) & (actual <= b.upper_80))
            inside95.append((actual >= b.lower_95) & (actual <= b.upper_95))
            ape.append(np.abs(actual - b.point) / actual)
    assert float(np.mean(ape)) * 100 < 10.0
    assert 55.0 <= float(np.mean(inside80)) * 100 <= 95.0
    assert float(np.mean(inside95)) * 100 >= 80.0


def test_ets_intervals_are_calibrated_wider_on_noisy_data() -> None:
    y = generated(5, 0.05, 42)
    scale, pairs = calibration(y, damped=False)
    assert pairs == 21 and scale >= 1.0
    fitted = fit_model(y)
    assert isinstance(fitted, EtsFit) and fitted.scale == pytest.approx(calibration(y, "aada" in fitted.name)[0])
    assert any("intervals calibrated on 21 past" in n for n in fitted.notes)


def test_anomalies_against_the_moving_baseline_by_hand() -> None:
    y = [10.0, 10.0, 10.0, 30.0, 10.0, 10.0, 0.5, 4.0]
    found = detect_anomalies(hist(y), baseline_days=3, threshold_pct=50, min_spend_usd=5)
    # day 3: baseline 10 → 30 is +200 %; day 4: baseline 50/3, 10 is −40 % (below 50 %);
    # day 6: baseline 50/3 → 0.5 is −97 %; day 7: baseline (10 + 10 + 0.5)/3 = 6.83 → 4 is −41.5 % (below)
    assert [(a.date, a.direction) for a in found] == [(date(2026, 11, 4), "up"), (date(2026, 11, 7), "down")]
    assert found[0].change_pct == pytest.approx(200.0) and found[0].baseline_usd == pytest.approx(10.0)
    assert found[1].change_pct == pytest.approx((0.5 - 50 / 3) / (50 / 3) * 100)


def test_anomalies_ignore_small_spend_and_flag_a_start_from_zero() -> None:
    small = detect_anomalies(hist([1.0, 1.0, 4.0]), baseline_days=2, threshold_pct=50, min_spend_usd=5)
    assert small == []
    start = detect_anomalies(hist([0.0, 0.0, 40.0]), baseline_days=2, threshold_pct=50, min_spend_usd=5)
    assert [(a.date, a.change_pct, a.direction) for a in start] == [(date(2026, 11, 3), None, "up")]


def test_anomaly_settings_are_checked() -> None:
    with pytest.raises(InputError, match="baseline_days"):
        detect_anomalies(hist([1.0, 2.0]), baseline_days=0)
