"""Run the strategies: validate the settings, run each (or record why it was skipped), count the total."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from genaicost.domain.errors import InputError
from genaicost.domain.options import ReportOptions
from genaicost.domain.prices import PriceCatalog
from genaicost.domain.recommendation import RecommendationSet, Skipped
from genaicost.domain.snapshot import Snapshot
from genaicost.engine.recommend.context import build_context
from genaicost.engine.recommend.registry import STRATEGIES, Skip, StrategySettings
from genaicost.engine.recommend.total import TOTAL_RULE, count_total

SETTINGS_FIELD = "--set"


def choose(names: Sequence[str] | None) -> list[str]:
    """The strategies to run, in registry order; unknown names are an InputError listing the known ones."""
    if not names:
        return list(STRATEGIES)
    unknown = [n for n in names if n not in STRATEGIES]
    if unknown:
        raise InputError(f"unknown strategy {unknown[0]!r}; expected some of {', '.join(STRATEGIES)}",
                         field="--strategies")
    return [n for n in STRATEGIES if n in names]


def parse_settings(overrides: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, StrategySettings]:
    """Every strategy's settings: defaults, overridden by `overrides[strategy][key]` (validated by pydantic)."""
    overrides = overrides or {}
    unknown = [n for n in overrides if n not in STRATEGIES]
    if unknown:
        raise InputError(f"unknown strategy {unknown[0]!r}; expected one of {', '.join(STRATEGIES)}",
                         field=SETTINGS_FIELD)
    out: dict[str, StrategySettings] = {}
    for name, strategy in STRATEGIES.items():
        try:
            out[name] = strategy.settings.model_validate(dict(overrides.get(name, {})))
        except ValidationError as err:
            first = err.errors()[0]
            key = ".".join(str(p) for p in first["loc"])
            allowed = ", ".join(strategy.settings.model_fields)
            raise InputError(f"{name}.{key}: {first['msg']} (settings of {name}: {allowed})",
                             field=SETTINGS_FIELD) from None
    return out


def recommend(
    snapshot: Snapshot,
    catalog: PriceCatalog,
    options: ReportOptions,
    *,
    generated_at: datetime,
    strategies: Sequence[str] | None = None,
    settings: Mapping[str, StrategySettings] | None = None,
) -> RecommendationSet:
    """Run the strategies on the snapshot at the report's prices; sorted by monthly savings, largest first."""
    names = choose(strategies)
    chosen = dict(settings) if settings is not None else parse_settings()
    ctx = build_context(snapshot, catalog, options)
    recs, skipped = [], []
    for name in names:
        try:
            outcome = STRATEGIES[name].run(ctx, chosen[name])
        except Skip as why:
            skipped.append(Skipped(strategy=name, reason=str(why)))
            continue
        empty = [r for r in outcome.recommendations if not r.evidence]
        if empty:
            raise AssertionError(f"strategy {name} returned a recommendation without evidence: {empty[0].target}")
        recs += outcome.recommendations
        skipped += [Skipped(strategy=name, reason=part) for part in outcome.skipped_parts]
    ordered, total = count_total(recs)
    return RecommendationSet(
        generated_at=generated_at, cluster=snapshot.cluster.name, source=snapshot.cluster.source,
        window_hours=snapshot.window.hours, prices_as_of=catalog.as_of, recommendations=ordered,
        total_monthly_savings_usd=total, total_rule=TOTAL_RULE, skipped=skipped,
        settings={n: chosen[n].model_dump(mode="json") for n in names},
        warnings=[*snapshot.warnings, *ctx.priced.warnings], partial=snapshot.partial)
