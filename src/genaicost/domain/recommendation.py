"""What a recommendation strategy (engine/recommend/) returns: recommendations with evidence, or why it skipped.

Money is float64 USD per month (730 h); renderers round to cents. `resources` names what a recommendation
changes (e.g. "node/ip-1", "volume/pv-1", "workload/ns/Deployment/web"): two recommendations that share one are
mutually exclusive, and only one of them counts in the total (engine.recommend.total).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Confidence = Literal["high", "medium", "low"]
Scalar = str | float | int | bool | None


class Recommendation(BaseModel):
    model_config = ConfigDict(frozen=True)

    strategy: str
    target: str
    action: str
    monthly_savings_usd: float
    confidence: Confidence
    confidence_rule: str
    evidence: dict[str, Scalar]
    assumptions: dict[str, Scalar]
    resources: tuple[str, ...]
    counted_in_total: bool = True


class Skipped(BaseModel):
    model_config = ConfigDict(frozen=True)

    strategy: str
    reason: str


class RecommendationSet(BaseModel):
    """The output of `genaicost recommend` (its JSON form is this model's dump)."""

    generated_at: datetime
    cluster: str
    source: str
    window_hours: float
    prices_as_of: date
    recommendations: list[Recommendation]
    total_monthly_savings_usd: float
    total_rule: str
    skipped: list[Skipped] = Field(default_factory=list)
    settings: dict[str, dict[str, object]] = Field(default_factory=dict)
    warnings: list[str] = Field(default_factory=list)
    partial: bool = False
