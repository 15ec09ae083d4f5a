"""engine.forecast: cases whose answer is known (constant, line, weekly pattern), fallbacks, month-end by hand."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest

from genaicost.domain.errors import InputError
from genaicost.engine.forecast import forecast_daily, projected_period_total

NOV1 = date(2026, 11, 1)


def hist(values: list[float] | np.ndarray, start: date = NOV1) -> pl.DataFrame:
    return pl.DataFrame({"date": [start + timedelta(days=i) for i in range(len(values))],
                         "cost_usd": np.asarray(values, dtype=float)})


def test_constant_series_forecasts_the_constant_with_zero_width_intervals() -> None:
    f = forecast_daily(hist([100.0] * 20), horizon_days=5, today=date(2026, 11, 21))
    assert f.model == "constant"
    assert [p.date for p in f.forecast] == [date(2026, 11, 21 + i) for i in range(5)]
    for p in f.forecast:
        assert (p.cost_usd, p.lower_80, p.upper_80, p.lower_95, p.upper_95) == (100.0,) * 5
    m = f.month_end                      # 20 days actual + 10 remaining days of November at $100
    assert (m.date, m.actual_to_date_usd, m.projected_usd) == (date(2026, 11, 30), 2000.0, 3000.0)
    assert (m.lower_80, m.upper_95) == (3000.0, 3000.0)


def test_linear_trend_is_extrapolated_by_ets() -> None:
    y = 50.0 + 3.0 * np.arange(21)                              # 21 days → ETS
    f = forecast_daily(hist(y), horizon_days=7, today=date(2026, 11, 22))
    assert f.model.startswith("ets-")
    expected = 50.0 + 3.0 * np.arange(21, 28)
    assert np.allclose([p.cost_usd for p in f.forecast], expected, rtol=5e-3)


def test_weekly_pattern_is_reproduced() -> None:
    week = [10.0, 10.0, 10.0, 10.0, 10.0, 3.0, 3.0]
    f = forecast_daily(hist(week * 4), horizon_days=7, today=date(2026, 11, 29))
    assert f.model.startswith("ets-") and f.model.endswith("-weekly")
    assert np.allclose([p.cost_usd for p in f.forecast], week, rtol=1e-2)


def test_short_history_uses_the_mean_with_student_t_intervals() -> None:
    f = forecast_daily(hist([10.0, 12.0, 14.0]), horizon_days=2, today=date(2026, 11, 4))
    assert f.model == "mean" and "mean of the days" in f.notes[0]
    p = f.forecast[0]
    # mean 12, s = 2, se = 2·√(1 + 1/3) = 2.309401; t(0.90, 2) = 1.885618, t(0.975, 2) = 4.302653
    assert p.cost_usd == pytest.approx(12.0)
    assert (p.lower_80, p.upper_80) == pytest.approx((12 - 4.354648, 12 + 4.354648), abs=1e-5)
    assert (p.lower_95, p.upper_95) == pytest.approx((12 - 9.936551, 12 + 9.936551), abs=1e-5)
    # month: actual 36; 27 more days × 12 = 324; sum se = 2·√(27 + 27²/3) = 2·√270 = 32.863353
    m = f.month_end
    assert (m.actual_to_date_usd, m.projected_usd) == pytest.approx((36.0, 360.0))
    assert (m.lower_80, m.upper_80) == pytest.approx((360 - 1.885618 * 32.863353, 360 + 1.885618 * 32.863353),
                                                     abs=1e-3)
    assert m.lower_95 == pytest.approx(360 - 4.302653 * 32.863353, abs=1e-3)


def test_under_two_weeks_uses_a_linear_trend_without_seasonality() -> None:
    f = forecast_daily(hist([5.0 + 2.0 * t for t in range(6)]), horizon_days=3, today=date(2026, 11, 7))
    assert f.model == "linear-trend" and "no weekly seasonality" in f.notes[0]
    assert [p.cost_usd for p in f.forecast] == pytest.approx([17.0, 19.0, 21.0])
    assert f.forecast[0].upper_95 == pytest.approx(17.0)          # a perfect line: no residual spread
    # actual Σ(5 + 2t, t = 0..5) = 60; Nov 7..30 = t 6..29: 24·5 + 2·(435 − 15) = 960
    assert (f.month_end.actual_to_date_usd, f.month_end.projected_usd) == pytest.approx((60.0, 1020.0))


def test_linear_trend_intervals_by_hand() -> None:
    y = [10.0, 13.0, 14.0, 17.0, 18.0]                      # fit: a = 10.4, b = 2.0; residuals −.4 .6 −.4 .6 −.4
    f = forecast_daily(hist(y), horizon_days=1, today=date(2026, 11, 6))
    s = math.sqrt(1.2 / 3)                                  # Σ residual² = 1.2, n − 2 = 3 df
    se = s * math.sqrt(1 + 1 / 5 + (5 - 2) ** 2 / 10)       # t̄ = 2, Sxx = 10
    p = f.forecast[0]
    assert p.cost_usd == pytest.approx(20.4)
    assert p.upper_80 - p.cost_usd == pytest.approx(1.637744 * se, abs=1e-5)   # t(0.90, 3)


def test_forecasts_and_bounds_never_go_below_zero() -> None:
    f = forecast_daily(hist([40.0, 30.0, 20.0, 10.0, 5.0]), horizon_days=5, today=date(2026, 11, 6))
    assert all(min(p.cost_usd, p.lower_80, p.lower_95) >= 0.0 for p in f.forecast)
    assert f.forecast[-1].cost_usd == 0.0
    assert f.month_end.lower_95 >= f.month_end.actual_to_date_usd


def test_month_end_sums_the_daily_points_and_its_interval_is_not_the_sum_of_bounds() -> None:
    rng = np.random.default_rng(7)
    t = np.arange(28)
    y = 200 + 1.5 * t + np.tile([5, 5, 5, 5, 5, -12.5, -12.5], 4) + rng.normal(0, 4, 28)   # Nov 1..28
    f = forecast_daily(hist(y), horizon_days=2, today=date(2026, 11, 29))
    m = f.month_end
    assert m.actual_to_date_usd == pytest.approx(float(y.sum()))
    assert m.projected_usd == pytest.approx(float(y.sum()) + f.forecast[0].cost_usd + f.forecast[1].cost_usd)
    summed_bounds = sum(p.upper_80 - p.lower_80 for p in f.forecast)
    assert m.lower_80 < m.projected_usd < m.upper_80
    assert m.upper_80 - m.lower_80 < summed_bounds          # errors partly cancel in a sum
    assert m.lower_95 < m.lower_80 and m.upper_95 > m.upper_80


def test_projected_period_total_for_a_week() -> None:
    p = projected_period_total(hist([100.0] * 10), period_start=date(2026, 11, 9), period_end=date(2026, 11, 15),
                               today=date(2026, 11, 11))
    assert (p.actual_usd, p.projected_usd, p.lower_80, p.upper_95) == (200.0, 700.0, 700.0, 700.0)


def test_projected_period_total_when_the_history_covers_the_period() -> None:
    p = projected_period_total(hist([1.0, 2.0, 3.0, 4.0]), period_start=date(2026, 11, 2),
                               period_end=date(2026, 11, 3), today=date(2026, 11, 5))
    assert (p.actual_usd, p.projected_usd, p.lower_95, p.upper_95) == (5.0, 5.0, 5.0, 5.0)


@pytest.mark.parametrize(("frame", "message"), [
    (hist([1.0]), "at least 2 days"),
    (pl.DataFrame({"date": [NOV1, NOV1 + timedelta(days=2)], "cost_usd": [1.0, 2.0]}), "consecutive"),
    (hist([1.0, -2.0]), "≥ 0"),
    (pl.DataFrame({"day": [NOV1], "cost_usd": [1.0]}), "missing column"),
])
def test_bad_histories_are_input_errors(frame: pl.DataFrame, message: str) -> None:
    with pytest.raises(InputError, match=message):
        forecast_daily(frame, horizon_days=3, today=date(2026, 11, 20))


def test_horizon_must_be_positive() -> None:
    with pytest.raises(InputError, match="horizon"):
        forecast_daily(hist([1.0, 2.0]), horizon_days=0, today=NOV1)
