"""Budgets, notifier references and alert rules, as read from a budgets YAML file (docs/budgets.md).

Every model forbids unknown fields so a typo in the file is an error naming the field. Money is USD.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Severity = Literal["info", "warning", "critical"]
RuleType = Literal["burn-rate", "idle-gpu", "spend-change", "token-price"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Scope(_Model):
    """What a budget or rule covers: the whole cluster, one namespace, one label value or one model."""

    kind: Literal["cluster", "namespace", "label", "model"]
    key: str | None = Field(default=None, min_length=1, description="label key, for kind=label")
    value: str | None = Field(default=None, min_length=1, description="namespace, label value or model name")

    @model_validator(mode="after")
    def _check(self) -> Scope:
        if self.kind == "label" and (self.key is None or self.value is None):
            raise ValueError("key: a label scope needs both key (the label key) and value, "
                             "e.g. {kind: label, key: team, value: search}")
        if self.kind in ("namespace", "model") and self.value is None:
            raise ValueError(f"value: a {self.kind} scope needs value (the {self.kind} name)")
        if self.kind != "label" and self.key is not None:
            raise ValueError("key: only a label scope has a key")
        return self

    def describe(self) -> str:
        if self.kind == "cluster":
            return "cluster" if self.value is None else f"cluster {self.value}"
        if self.kind == "label":
            return f"label {self.key}={self.value}"
        return f"{self.kind} {self.value}"


class Threshold(_Model):
    percent: float = Field(gt=0, description="percent of the budget amount")
    of: Literal["actual", "forecast"] = "actual"
    severity: Severity = "warning"


class ActionSpec(_Model):
    type: str = Field(min_length=1, description="kebab-case name in the actions registry (scale, cap-hpa, ...)")
    settings: dict[str, Any] = Field(default_factory=dict)
    at_percent: float = Field(default=100.0, gt=0)


class Budget(_Model):
    """A spending limit for a scope over a period.

    monthly: the period starts on `reset_day` (1-28, default 1) of each month; weekly: on ISO weekday `reset_day`
    (1 = Monday, the default, .. 7 = Sunday); custom: periods of `period_days` days counted from `starts_on`.
    """

    name: str = Field(min_length=1)
    scope: Scope
    period: Literal["monthly", "weekly", "custom"]
    reset_day: int | None = Field(default=None, ge=1, le=28)
    period_days: int | None = Field(default=None, ge=1, le=366, description="custom periods only")
    starts_on: date | None = Field(default=None, description="custom periods only: the first day of one period")
    amount_usd: float = Field(gt=0)
    thresholds: list[Threshold] = Field(min_length=1)
    notify: list[str] = Field(default_factory=list, description="names of notifiers in the notifiers section")
    actions: list[ActionSpec] = Field(default_factory=list)
    enforce: bool = False

    @model_validator(mode="after")
    def _check(self) -> Budget:
        if self.period == "weekly" and self.reset_day is not None and self.reset_day > 7:
            raise ValueError("reset_day: a weekly budget's reset_day is an ISO weekday: 1 (Monday) to 7 (Sunday)")
        if self.period == "custom":
            if self.period_days is None or self.starts_on is None:
                raise ValueError("period_days: a custom period needs period_days and starts_on "
                                 "(the first day of one period)")
            if self.reset_day is not None:
                raise ValueError("reset_day: reset_day is for monthly and weekly periods; "
                                 "a custom period uses starts_on")
        elif self.period_days is not None or self.starts_on is not None:
            raise ValueError("period_days: period_days and starts_on are only for period: custom")
        return self


class NotifierConfig(_Model):
    type: str = Field(min_length=1, description="webhook | slack | alertmanager | log")
    settings: dict[str, Any] = Field(default_factory=dict)


_RULE_FIELDS: dict[str, tuple[str, ...]] = {
    "burn-rate": ("budget",),
    "idle-gpu": ("max_daily_usd",),
    "spend-change": (),
    "token-price": ("model", "target_usd_per_1m_tokens"),
}


class RuleConfig(_Model):
    """A non-budget alert rule (docs/budgets.md, "Rules").

    burn-rate: spend per day over the last `window_days` days > `factor` × (budget amount ÷ days in its period).
    idle-gpu: idle GPU cost of a day (the latest complete day) > `max_daily_usd`.
    spend-change: a day's spend differs from the mean of the previous `baseline_days` days by more than
    `threshold_pct` percent (and is at least `min_spend_usd`).
    token-price: a model's cost per million tokens over the last `window_days` days > `target_usd_per_1m_tokens`.
    """

    name: str = Field(min_length=1)
    type: RuleType
    severity: Severity = "warning"
    scope: Scope = Field(default_factory=lambda: Scope(kind="cluster"))
    notify: list[str] = Field(default_factory=list)
    budget: str | None = Field(default=None, description="burn-rate: the budget whose amount and period it uses")
    factor: float = Field(default=1.0, gt=0, description="burn-rate: multiple of the even burn rate")
    window_days: int = Field(default=3, ge=1, le=90, description="burn-rate, token-price: days averaged")
    max_daily_usd: float | None = Field(default=None, ge=0, description="idle-gpu: USD per day")
    baseline_days: int = Field(default=7, ge=1, le=90, description="spend-change: moving baseline length")
    threshold_pct: float = Field(default=50.0, gt=0, description="spend-change: percent change that alerts")
    min_spend_usd: float = Field(default=0.0, ge=0, description="spend-change: ignore days below this spend")
    model: str | None = Field(default=None, min_length=1, description="token-price: the model name")
    target_usd_per_1m_tokens: float | None = Field(default=None, gt=0, description="token-price: USD per 1M tokens")

    @model_validator(mode="after")
    def _check(self) -> RuleConfig:
        missing = [f for f in _RULE_FIELDS[self.type] if getattr(self, f) is None]
        if missing:
            raise ValueError(f"{missing[0]}: a {self.type} rule needs {', '.join(missing)}")
        return self


class BudgetsFile(_Model):
    budgets: list[Budget] = Field(default_factory=list)
    notifiers: dict[str, NotifierConfig] = Field(default_factory=dict)
    rules: list[RuleConfig] = Field(default_factory=list)
    renotify_interval_hours: float = Field(default=24.0, gt=0)

    @model_validator(mode="after")
    def _check(self) -> BudgetsFile:
        names = [b.name for b in self.budgets] + [r.name for r in self.rules]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"budget and rule names must be unique; repeated: {', '.join(dup)}")
        budget_names = {b.name for b in self.budgets}
        for r in self.rules:
            if r.budget is not None and r.budget not in budget_names:
                raise ValueError(f"rule {r.name} names budget {r.budget!r}, which is not in budgets")
        for owner, targets in [(b.name, b.notify) for b in self.budgets] + [(r.name, r.notify) for r in self.rules]:
            unknown = [t for t in targets if t not in self.notifiers]
            if unknown:
                raise ValueError(f"{owner} notifies {', '.join(unknown)}, not defined in notifiers "
                                 f"(defined: {', '.join(sorted(self.notifiers)) or 'none'})")
        return self


class ThresholdStatus(_Model):
    percent: float
    of: Literal["actual", "forecast"]
    severity: Severity
    at_usd: float                    # amount_usd × percent / 100
    crossed: bool


class BudgetStatus(_Model):
    """A budget evaluated over its current period (docs/budgets.md). Money in USD over the period."""

    name: str
    scope: str
    period: str
    period_start: date               # inclusive
    period_end: date                 # inclusive
    days_in_period: int
    days_elapsed: int                # days of the period up to and including the last day with data
    amount_usd: float
    actual_usd: float
    percent_used: float              # actual ÷ amount × 100
    forecast_usd: float | None       # projected period total (None when it cannot be projected)
    forecast_lower_80: float | None = None
    forecast_upper_80: float | None = None
    percent_forecast: float | None = None
    burn_rate_usd_per_day: float     # actual ÷ days elapsed
    even_burn_usd_per_day: float     # amount ÷ days in period
    thresholds: list[ThresholdStatus]
    notes: list[str] = Field(default_factory=list)
