"""Use cases of `genaicost compare`: self-hosting vs managed APIs, and the what-if re-pricing of a cluster.

Loads the catalogs (bundled, or --catalog-dir / --overrides / --api-prices) and calls the pure engine. Shared by
the CLI and (later) the API; nothing here prints.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from genaicost.app.report import HistorySource, InferenceSettings, build_report, collect_snapshot
from genaicost.domain.compare import Assumptions, CompareResult, Demand
from genaicost.domain.options import ReportOptions
from genaicost.domain.prices import PriceCatalog
from genaicost.engine.compare import compare, validate_assumptions
from genaicost.engine.compare_measured import MEASURED_AGGREGATE, ClusterServing, pod_output_tokens
from genaicost.engine.compare_model import parse_precisions, resolve_model
from genaicost.engine.compare_whatif import WhatIfResult, what_if
from genaicost.engine.report import compute_report
from genaicost.pricing.llm_files import load_llm_catalog


def measured_cluster(*, demo: bool, snapshot_files: Sequence[Path], window_hours: float | None,
                     catalog: PriceCatalog, now: datetime, history: HistorySource | None = None,
                     settings: InferenceSettings = InferenceSettings()) -> ClusterServing:  # noqa: B008 - frozen
    """The source's Report by pod and node (the same collection, prices and pipeline as `genaicost report` /
    `inference`) with the pods' serving counters: what `compare` measures throughput from (docs/compare.md §3b).
    Collected once (`build_report` would not return the snapshot's per-pod serving counters); only GPU-hours,
    utilization, nodes and tokens are used, not prices."""
    snapshot = collect_snapshot(demo=demo, snapshot_files=snapshot_files, kubeconfig=None, context=None,
                                window_hours=window_hours, now=now, history=history)
    report = compute_report(snapshot, catalog, ReportOptions(aggregate=MEASURED_AGGREGATE), generated_at=now,
                            model_label=settings.model_label, io_cost_ratio=settings.io_cost_ratio)
    return ClusterServing(report=report, pod_tokens=pod_output_tokens(snapshot, settings.model_label))


def run_compare(*, model: str, precisions: list[str], demand: Demand, assumptions: Assumptions,
                catalog: PriceCatalog, api_prices_file: Path | None = None,
                api_filters: list[str] | None = None,
                cluster: Callable[[], ClusterServing] | None = None) -> CompareResult:
    """Price every self-hosted and API option for the demand (docs/compare.md); with `cluster` (e.g. a partial of
    measured_cluster, called once the model, precisions and settings are valid) the model's throughput measured
    there sizes the instance types it runs on."""
    llm = load_llm_catalog(api_prices_file)
    measured = None
    if cluster is not None:
        validate_assumptions(assumptions)
        resolve_model(model, llm.throughput)
        parse_precisions(precisions)
        measured = cluster()
    result = compare(model=model, precisions=precisions, demand=demand, assumptions=assumptions, catalog=catalog,
                     llm=llm, api_filters=api_filters, cluster=measured)
    if api_prices_file is not None:
        result.warnings.append(f"API prices from {api_prices_file} replace/extend the bundled ones "
                               f"(as of {llm.as_of.isoformat()})")
    return result


def run_what_if(*, demo: bool, snapshot_files: Sequence[Path], window_hours: float | None, catalog: PriceCatalog,
                now: datetime, instance_family: str, purchase_option: str, assumptions: Assumptions,
                history: HistorySource | None = None) -> WhatIfResult:
    """The measured cluster's GPU nodes re-priced on another family / purchase option (same prices as `report`)."""
    validate_assumptions(assumptions)
    report = build_report(demo=demo, snapshot_files=snapshot_files, kubeconfig=None, context=None,
                          window_hours=window_hours, options=ReportOptions(), catalog=catalog, now=now,
                          history=history)
    return what_if(report, catalog, instance_family=instance_family, purchase_option=purchase_option,
                   assumptions=assumptions)
