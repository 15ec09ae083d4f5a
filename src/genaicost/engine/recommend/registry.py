"""Strategies by kebab-case name; each declares its settings (pydantic, with defaults) and the data it needs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict

from genaicost.domain.recommendation import Recommendation
from genaicost.engine.recommend.context import Context


class StrategySettings(BaseModel):
    """Base of every strategy's settings: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Skip(Exception):
    """Raised by a strategy that cannot run on this snapshot; the message is the stated reason."""


@dataclass
class Outcome:
    recommendations: list[Recommendation] = field(default_factory=list)
    skipped_parts: list[str] = field(default_factory=list)  # "share under-used GPUs: no DCGM utilization"


@dataclass(frozen=True)
class Strategy:
    name: str
    summary: str
    needs: tuple[str, ...]
    settings: type[StrategySettings]
    run: Callable[[Context, Any], Outcome]


STRATEGIES: dict[str, Strategy] = {}


def register(strategy: Strategy) -> Strategy:
    if strategy.name in STRATEGIES:
        raise ValueError(f"strategy {strategy.name!r} registered twice")
    STRATEGIES[strategy.name] = strategy
    return strategy
