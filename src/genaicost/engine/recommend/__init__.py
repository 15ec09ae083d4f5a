"""Recommendations with dollars saved: a registry of strategies over the report's own priced tables.

`recommend(snapshot, catalog, options, ...)` runs the chosen strategies (all by default) and returns a
RecommendationSet sorted by monthly savings, with the skipped strategies and why, and a total that does not
double count alternatives (engine.recommend.total). docs/recommend.md has each strategy's rule and formula.
"""

from __future__ import annotations

from genaicost.engine.recommend import (  # noqa: F401  (importing registers the strategies)
    batching,
    consolidation,
    gpu_family,
    idle_gpus,
    quantization,
    rightsizing,
    savings_plans,
    spot,
    storage,
)
from genaicost.engine.recommend.registry import STRATEGIES
from genaicost.engine.recommend.run import parse_settings, recommend

__all__ = ["STRATEGIES", "parse_settings", "recommend"]
