"""Use cases of `genaicost compare`: self-hosting vs managed APIs, and the what-if re-pricing of a cluster.

Loads the catalogs (bundled, or --catalog-dir / --overrides / --api-prices) and calls the pure engine. Shared by
the CLI and (later) the API; nothing here prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from genaicost.app.report import HistorySource, build_report
from genaicost.domain.compare import Assumptions, CompareResult, Demand
from genaicost.domain.options import ReportOptions
from genaicost.domain.prices import PriceCatalog
from genaicost.engine.compare import compare, validate_assumptions
from genaicost.engine.compare_whatif import WhatIfResult, what_if
from genaicost.pricing.llm_files import load_llm_catalog


def run_compare(*, model: str, precisions: list[str], demand: Demand, assumptions: Assumptions,
                catalog: PriceCatalog, api_prices_file: Path | None = None,
                api_filters: list[str] | None = None) -> CompareResult:
    """Price every self-hosted and API option for the demand (docs/compare.md)."""
    llm = load_llm_catalog(api_prices_file)
    result = compare(model=model, precisions=precisions, demand=demand, assumptions=assumptions, catalog=catalog,
                     llm=llm, api_filters=api_filters)
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
