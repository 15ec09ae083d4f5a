"""Use case `inference`: the Report with per-model unit economics, from one source.

The same pipeline as `report` (engine.report.compute_report fills `Report.inference` when the snapshot has
serving-engine metrics); this use case only adds the model label and the input/output cost ratio
(InferenceSettings, defined in app.report since `build_report` takes them too), and a warning when the source
has no serving metrics (the demo cluster, kubectl files, a saved snapshot without a model_usage table). The
clock and the catalog are arguments; nothing here prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from genaicost.app.report import HistorySource, InferenceSettings, collect_snapshot
from genaicost.app.spot_prices import SpotPrices, with_spot_prices
from genaicost.domain.errors import InputError
from genaicost.domain.options import ReportOptions
from genaicost.domain.prices import PriceCatalog
from genaicost.domain.report import Report
from genaicost.engine.inference import NO_SERVING_METRICS
from genaicost.engine.report import compute_report
from genaicost.sources.snapshot_file import save_snapshot


def build_inference_report(
    *,
    demo: bool,
    snapshot_files: Sequence[Path],
    window_hours: float | None,
    options: ReportOptions,
    catalog: PriceCatalog,
    now: datetime,
    settings: InferenceSettings = InferenceSettings(),  # noqa: B008 - a frozen dataclass (app.report)
    history: HistorySource | None = None,
    save_snapshot_to: Path | None = None,
    spot_prices: SpotPrices = SpotPrices.bundled,
    aws_session: Any = None,
) -> Report:
    """Collect from --prometheus, --demo or --snapshot, then compute the Report with its inference lines."""
    if history is None and not demo and not snapshot_files:
        raise InputError(
            "give a source: --prometheus URL (serving metrics), --snapshot FILE or --demo", field="--prometheus"
        )
    snapshot = collect_snapshot(
        demo=demo,
        snapshot_files=snapshot_files,
        kubeconfig=None,
        context=None,
        window_hours=window_hours,
        now=now,
        history=history,
    )
    if save_snapshot_to is not None:
        save_snapshot(snapshot, save_snapshot_to)
    catalog, snapshot = with_spot_prices(catalog, snapshot, spot_prices, aws_session, now)
    report = compute_report(
        snapshot,
        catalog,
        options,
        generated_at=now,
        model_label=settings.model_label,
        io_cost_ratio=settings.io_cost_ratio,
    )
    if snapshot.model_usage.height == 0:
        report = report.model_copy(update={"warnings": [*report.warnings, NO_SERVING_METRICS]})
    return report
