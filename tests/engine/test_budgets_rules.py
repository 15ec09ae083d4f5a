"""Burn rate, idle GPU, spend change and $/1M tokens rules — hand-computed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import polars as pl
import pytest

from genaicost.domain.budget import Budget, RuleConfig
from genaicost.engine.budgets_rules import burn_rate_alert, idle_gpu_alert, spend_change_alert, token_price_alert
from genaicost.engine.forecast_backtest import detect_anomalies

NOW = datetime(2026, 11, 18, 12, tzinfo=UTC)
THROUGH = date(2026, 11, 17)


def series(values: list[float], end: date = THROUGH) -> pl.DataFrame:
    start = end - timedelta(days=len(values) - 1)
    return pl.DataFrame({"date": pl.date_range(start, end, "1d", eager=True), "cost_usd": values})


BUDGET = Budget.model_validate({"name": "llm", "scope": {"kind": "namespace", "value": "llm"}, "period": "monthly",
                                "amount_usd": 900, "thresholds": [{"percent": 80}]})


def test_burn_rate() -> None:
    rule = RuleConfig.model_validate({"name": "llm-burn", "type": "burn-rate", "budget": "llm", "factor": 1.5,
                                      "window_days": 3})
    # November: 900 / 30 = $30/day even; limit 1.5 × 30 = $45/day. Last 3 days 40 + 50 + 60 = 150 → $50/day
    a = burn_rate_alert(rule, BUDGET, series([1000.0, 40, 50, 60]), through=THROUGH, scope="namespace llm", now=NOW)
    assert a is not None and a.key == "rule:llm-burn:burn-rate" and a.budget == "llm"
    assert a.value == pytest.approx(50.0) and a.threshold == pytest.approx(45.0)
    assert "1.67× the even burn" in a.summary
    # 40 + 45 + 50 = 135 → $45/day: not above the limit
    assert burn_rate_alert(rule, BUDGET, series([40, 45, 50]), through=THROUGH, scope="x", now=NOW) is None


def test_idle_gpu() -> None:
    rule = RuleConfig.model_validate({"name": "idle", "type": "idle-gpu", "max_daily_usd": 100, "severity": "info"})
    idle = pl.DataFrame({"date": [date(2026, 11, 16), THROUGH], "idle_gpu_usd": [500.0, 100.5]})
    a = idle_gpu_alert(rule, idle, through=THROUGH, now=NOW)
    assert a is not None and (a.key, a.value, a.threshold, a.severity) == ("rule:idle:idle-gpu", 100.5, 100, "info")
    assert idle_gpu_alert(rule, idle.with_columns(pl.lit(100.0).alias("idle_gpu_usd")), through=THROUGH,
                          now=NOW) is None
    assert idle_gpu_alert(rule, idle.head(1), through=THROUGH, now=NOW) is None      # no data that day


def test_spend_change_on_the_last_day() -> None:
    rule = RuleConfig.model_validate({"name": "jump", "type": "spend-change", "baseline_days": 2,
                                      "threshold_pct": 25, "min_spend_usd": 10})
    # baseline of Nov 17 = mean(100, 100) = $100; $150 is +50 % ≥ 25 % → fires. The day after `through` ($999)
    # is not looked at.
    a = spend_change_alert(rule, series([100, 100, 150, 999], end=THROUGH + timedelta(days=1)), through=THROUGH,
                           scope="cluster", now=NOW, detect=detect_anomalies)
    assert a is not None and (a.key, a.value, a.threshold) == ("rule:jump:spend-change", 150, 100)
    assert "+50.0% vs the 2-day mean $100.00" in a.summary
    # +20 % (mean(100, 100) → 120) is below the threshold; the anomaly of Nov 15 (50 → 100) does not fire today
    assert spend_change_alert(rule, series([50, 50, 100, 100, 120]), through=THROUGH, scope="cluster", now=NOW,
                              detect=detect_anomalies) is None
    # below min_spend_usd on both sides: no alert
    assert spend_change_alert(rule, series([1, 1, 5]), through=THROUGH, scope="cluster", now=NOW,
                              detect=detect_anomalies) is None


def test_token_price() -> None:
    rule = RuleConfig.model_validate({"name": "tok", "type": "token-price", "model": "llama", "window_days": 2,
                                      "target_usd_per_1m_tokens": 0.5})
    usage = pl.DataFrame({
        "date": [date(2026, 11, 15), date(2026, 11, 16), THROUGH, THROUGH],
        "model": ["llama", "llama", "llama", "mistral"],
        "cost_usd": [999.0, 30.0, 42.0, 5.0],
        "tokens": [1.0, 60e6, 60e6, 1.0],
    })
    # last 2 days: (30 + 42) / 120e6 × 1e6 = $0.60 per 1M tokens > $0.50
    a = token_price_alert(rule, usage, through=THROUGH, now=NOW)
    assert a is not None and a.key == "rule:tok:token-price:llama" and a.value == pytest.approx(0.6)
    cheap = rule.model_copy(update={"target_usd_per_1m_tokens": 0.6})
    assert token_price_alert(cheap, usage, through=THROUGH, now=NOW) is None
    assert token_price_alert(rule.model_copy(update={"model": "absent"}), usage, through=THROUGH, now=NOW) is None
