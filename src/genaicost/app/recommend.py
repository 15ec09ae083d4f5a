"""Use case `recommend`: collect a Snapshot (app.report's collection), add what the strategies need, recommend.

Additions per source: PodDisruptionBudgets / HPAs from the demo cluster or the kubectl files; usage percentiles
and serving load gauges from Prometheus (sources.prometheus.usage_percentiles). Nothing here prints.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from genaicost.app.report import HistorySource, InferenceSettings, prepared_snapshot, report_of
from genaicost.app.spot_prices import SpotPrices
from genaicost.domain.errors import InputError
from genaicost.domain.options import ReportOptions
from genaicost.domain.prices import PriceCatalog
from genaicost.domain.recommendation import RecommendationSet
from genaicost.domain.report import Report
from genaicost.domain.snapshot import Snapshot
from genaicost.engine.recommend import parse_settings, recommend
from genaicost.sources.demo_policies import demo_policy_objects
from genaicost.sources.k8s.policies import with_policies
from genaicost.sources.k8s.policies_live import list_policies
from genaicost.sources.kube_live import make_api_client
from genaicost.sources.kubectl_json import read_json_document
from genaicost.sources.prometheus.usage_percentiles import load_recommend_extras
from genaicost.sources.snapshot_file import is_snapshot_file

SET_HINT = "expected STRATEGY.KEY=VALUE, e.g. rightsizing.headroom=0.3 or savings-plans.discount_rate=0.28"


def parse_set_options(values: Sequence[str]) -> dict[str, dict[str, Any]]:
    """`--set rightsizing.headroom=0.3` → {"rightsizing": {"headroom": 0.3}}; values are JSON when they parse
    as JSON (numbers, true/false, null, lists, objects), a comma-separated list when they contain commas, else
    strings. The strategy's pydantic settings validate them."""
    out: dict[str, dict[str, Any]] = {}
    for text in values:
        key, sep, raw = text.partition("=")
        strategy, dot, name = key.strip().partition(".")
        if not sep or not dot or not strategy or not name:
            raise InputError(f"{text!r}: {SET_HINT}", field="--set")
        out.setdefault(strategy, {})[name.strip()] = _value(raw.strip())
    return out


def _value(raw: str) -> Any:
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return [p.strip() for p in raw.split(",") if p.strip()] if "," in raw else raw


def with_source_extras(snapshot: Snapshot, *, demo: bool, snapshot_files: Sequence[Path], now: datetime,
                       history: HistorySource | None, kubeconfig: str | None = None,
                       context: str | None = None) -> Snapshot:
    """PDBs / HPAs from the demo, kubectl files or the live API; percentiles, serving load and HPAs from
    Prometheus; a saved snapshot has its own."""
    if demo:
        return with_policies(snapshot, demo_policy_objects(now))
    kubectl = [p for p in snapshot_files if not is_snapshot_file(p)]
    if kubectl:
        return with_policies(snapshot, [read_json_document(p) for p in kubectl])
    if history is not None:
        extras = load_recommend_extras(history.client, history.window, step_s=history.resolution_s)
        return replace(snapshot, usage_percentiles=extras.usage_percentiles, serving_load=extras.serving_load,
                       autoscalers=extras.autoscalers, warnings=(*snapshot.warnings, *extras.warnings))
    if snapshot.cluster.source == "kubernetes-api":
        items, notes = list_policies(make_api_client(kubeconfig, context))
        return replace(with_policies(snapshot, items), notes=(*snapshot.notes, *notes))
    return snapshot


def collect_with_extras(
    *,
    demo: bool,
    snapshot_files: Sequence[Path],
    kubeconfig: str | None,
    context: str | None,
    window_hours: float | None,
    catalog: PriceCatalog,
    now: datetime,
    history: HistorySource | None = None,
    save_snapshot_to: Path | None = None,
    spot_prices: SpotPrices = SpotPrices.bundled,
    aws_session: Any = None,
) -> tuple[PriceCatalog, Snapshot]:
    """Collect from one source with what the strategies need (optionally saving the snapshot), then the spot
    prices: the catalog and snapshot both the report and the recommendations are computed from."""
    def extras(snapshot: Snapshot) -> Snapshot:
        return with_source_extras(snapshot, demo=demo, snapshot_files=snapshot_files, now=now, history=history,
                                  kubeconfig=kubeconfig, context=context)
    return prepared_snapshot(demo=demo, snapshot_files=snapshot_files, kubeconfig=kubeconfig, context=context,
                             window_hours=window_hours, catalog=catalog, now=now, history=history,
                             save_snapshot_to=save_snapshot_to, spot_prices=spot_prices, aws_session=aws_session,
                             extras=extras)


def build_recommendations(
    *,
    options: ReportOptions,
    catalog: PriceCatalog,
    now: datetime,
    strategies: Sequence[str] | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    **source: Any,
) -> RecommendationSet:
    """Validate the settings, collect (`collect_with_extras`, whose keyword arguments `source` takes), recommend."""
    settings = parse_settings(overrides)
    catalog, snapshot = collect_with_extras(catalog=catalog, now=now, **source)
    return recommend(snapshot, catalog, options, generated_at=now, strategies=strategies, settings=settings)


def build_report_with_recommendations(
    *,
    options: ReportOptions,
    catalog: PriceCatalog,
    now: datetime,
    settings: InferenceSettings | None = None,
    **source: Any,
) -> Report:
    """`genaicost report --recommendations`: the Report, with `recommendations` from every strategy at its default
    settings, both computed from one collection (so the savings use the report's own prices)."""
    settings = settings or InferenceSettings()
    catalog, snapshot = collect_with_extras(catalog=catalog, now=now, **source)
    report = report_of(snapshot, catalog, options, now=now, settings=settings)
    recs = recommend(snapshot, catalog, options, generated_at=now, settings=parse_settings(None))
    return report.model_copy(update={"recommendations": recs})
