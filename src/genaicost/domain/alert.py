"""Alerts raised by budgets and rules, and the de-duplication state kept between evaluations."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from genaicost.domain.budget import Severity


class Alert(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(description='stable de-duplication key, e.g. "budget:llm-monthly:threshold:80:actual"')
    rule: str = Field(description="threshold | burn-rate | idle-gpu | spend-change | token-price")
    budget: str | None
    severity: Severity
    summary: str
    value: float
    threshold: float
    labels: dict[str, str] = Field(default_factory=dict)
    starts_at: datetime
    status: Literal["firing", "resolved"] = "firing"
    ends_at: datetime | None = None


class AlertStateEntry(BaseModel):
    """What we remember about one alert key: the alert as last seen and when it was last notified."""

    model_config = ConfigDict(extra="forbid")

    alert: Alert
    last_notified_at: datetime | None = None


class AlertState(BaseModel):
    """Firing alerts by key (resolved alerts are notified once and dropped)."""

    model_config = ConfigDict(extra="forbid")

    entries: dict[str, AlertStateEntry] = Field(default_factory=dict)
