"""Budget periods, actual spend, thresholds on actual and forecast — hand-computed."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pytest

from genaicost.domain.budget import Budget
from genaicost.engine.budgets import evaluate_budget, period_bounds, scope_series, threshold_alerts
from genaicost.engine.forecast import projected_period_total

NOW = datetime(2026, 11, 18, 12, tzinfo=UTC)


def budget(**kw: object) -> Budget:
    base: dict[str, object] = {"name": "llm", "scope": {"kind": "namespace", "value": "llm"}, "period": "monthly",
                               "amount_usd": 1000, "thresholds": [{"percent": 50}, {"percent": 80},
                                                                  {"percent": 100, "of": "forecast",
                                                                   "severity": "critical"}]}
    base.update(kw)
    return Budget.model_validate(base)


@pytest.mark.parametrize(("kw", "day", "bounds"), [
    ({}, date(2026, 11, 18), (date(2026, 11, 1), date(2026, 11, 30))),
    ({}, date(2026, 12, 31), (date(2026, 12, 1), date(2026, 12, 31))),
    ({"reset_day": 15}, date(2026, 11, 18), (date(2026, 11, 15), date(2026, 12, 14))),
    ({"reset_day": 15}, date(2026, 11, 14), (date(2026, 10, 15), date(2026, 11, 14))),
    ({"reset_day": 15}, date(2026, 1, 3), (date(2025, 12, 15), date(2026, 1, 14))),
    ({"period": "weekly"}, date(2026, 11, 18), (date(2026, 11, 16), date(2026, 11, 22))),   # Wed → Mon..Sun
    ({"period": "weekly"}, date(2026, 11, 16), (date(2026, 11, 16), date(2026, 11, 22))),
    ({"period": "weekly", "reset_day": 5}, date(2026, 11, 18), (date(2026, 11, 13), date(2026, 11, 19))),  # Fri
    ({"period": "custom", "period_days": 10, "starts_on": "2026-11-01"}, date(2026, 11, 18),
     (date(2026, 11, 11), date(2026, 11, 20))),
    ({"period": "custom", "period_days": 10, "starts_on": "2026-11-01"}, date(2026, 10, 31),
     (date(2026, 10, 22), date(2026, 10, 31))),
])
def test_period_bounds(kw: dict[str, object], day: date, bounds: tuple[date, date]) -> None:
    assert period_bounds(budget(**kw), day) == bounds


def frame() -> pl.DataFrame:
    # llm: $40/day from Oct 25 to Nov 18 (25 days); search: $7/day; another key must not count
    days = pl.date_range(date(2026, 10, 25), date(2026, 11, 18), "1d", eager=True).to_list()
    return pl.DataFrame({"date": days * 2, "key": ["llm"] * len(days) + ["search"] * len(days),
                         "cost_usd": [40.0] * len(days) + [7.0] * len(days)})


def test_scope_series_fills_gaps_and_filters_keys() -> None:
    f = frame().filter(pl.col("date") != date(2026, 11, 3))
    s = scope_series(f, {"llm"}, start=date(2026, 11, 1), end=date(2026, 11, 5))
    assert s["cost_usd"].to_list() == [40.0, 40.0, 0.0, 40.0, 40.0]
    assert scope_series(f, None, start=date(2026, 11, 1), end=date(2026, 11, 1))["cost_usd"].to_list() == [47.0]


def test_monthly_status_and_thresholds() -> None:
    s = scope_series(frame(), {"llm"}, start=date(2026, 10, 25), end=date(2026, 11, 18))
    st = evaluate_budget(budget(), s, today=date(2026, 11, 18), scope="namespace llm",
                         projector=projected_period_total)
    # 18 days × $40 = $720 of $1000 → 72 %; 30 days in November; burn 720/18 = 40/day, even 1000/30
    assert (st.period_start, st.period_end, st.days_in_period, st.days_elapsed) == (
        date(2026, 11, 1), date(2026, 11, 30), 30, 18)
    assert st.actual_usd == pytest.approx(720.0)
    assert st.percent_used == pytest.approx(72.0)
    assert st.burn_rate_usd_per_day == pytest.approx(40.0)
    assert st.even_burn_usd_per_day == pytest.approx(1000 / 30)
    # constant $40/day: the forecast model is `constant`, so the period projects to 720 + 12 × 40 = $1,200 exactly
    assert st.forecast_usd == pytest.approx(1200.0) and st.percent_forecast == pytest.approx(120.0)
    assert st.forecast_lower_80 == pytest.approx(1200.0) and st.forecast_upper_80 == pytest.approx(1200.0)
    assert [(t.percent, t.of, t.at_usd, t.crossed) for t in st.thresholds] == [
        (50, "actual", 500.0, True), (80, "actual", 800.0, False), (100, "forecast", 1000.0, True)]
    alerts = threshold_alerts(budget(), st, now=NOW)
    assert [(a.key, a.severity, a.value, a.threshold) for a in alerts] == [
        ("budget:llm:threshold:50:actual", "warning", pytest.approx(720.0), 500.0),
        ("budget:llm:threshold:100:forecast", "critical", pytest.approx(1200.0), 1000.0)]
    assert "$720.00 spent = 72.0% of $1,000.00" in alerts[0].summary


def test_actual_threshold_crossed_at_exactly_the_amount_and_no_forecast() -> None:
    s = scope_series(frame(), {"llm"}, start=date(2026, 10, 25), end=date(2026, 11, 18))
    b = budget(period="weekly", amount_usd=120, thresholds=[{"percent": 100}, {"percent": 50, "of": "forecast"}])
    st = evaluate_budget(b, s, today=date(2026, 11, 18), scope="namespace llm", projector=None)
    # Mon 16 .. Wed 18: 3 × $40 = $120 = 100 % → crossed; no projector → forecast thresholds never cross
    assert st.actual_usd == pytest.approx(120.0) and st.forecast_usd is None
    assert [t.crossed for t in st.thresholds] == [True, False]


def test_too_short_a_history_is_a_note_not_a_forecast() -> None:
    s = scope_series(frame(), {"llm"}, start=date(2026, 11, 18), end=date(2026, 11, 18))   # one day
    st = evaluate_budget(budget(), s, today=date(2026, 11, 18), scope="x", projector=projected_period_total)
    assert st.forecast_usd is None and len(st.notes) == 1 and st.notes[0].startswith("no forecast: ")
    assert [t.crossed for t in st.thresholds] == [False, False, False]       # $40 < $500; no forecast


def test_a_growing_spend_projects_above_the_actual_run_rate() -> None:
    days = pl.date_range(date(2026, 10, 1), date(2026, 11, 18), "1d", eager=True)
    s = pl.DataFrame({"date": days, "cost_usd": [10.0 + i for i in range(len(days))]})   # +$1/day
    st = evaluate_budget(budget(), s, today=date(2026, 11, 18), scope="x", projector=projected_period_total)
    actual = sum(10.0 + i for i in range(31, 49))          # Nov 1 = day 31 → $41 .. Nov 18 = $58
    assert st.actual_usd == pytest.approx(actual)
    # Nov 1..18 = $891; the remaining 12 days continue the line ($59 .. $70 = $774): $1,665 within $15
    assert st.forecast_usd == pytest.approx(actual + sum(range(59, 71)), abs=15)
    assert st.forecast_lower_80 is not None and st.forecast_lower_80 < st.forecast_usd < (st.forecast_upper_80 or 0)
