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

from genaicost.app.report import HistorySource, InferenceSettings, build_report
from genaicost.app.spot_prices import SpotPrices
from genaicost.domain.errors import InputError
from genaicost.domain.options import ReportOptions
from genaicost.domain.prices import PriceCatalog
from genaicost.domain.report import Report
from genaicost.engine.inference import NO_SERVING_METRICS


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
    report = build_report(
        demo=demo,
        snapshot_files=snapshot_files,
        kubeconfig=None,
        context=None,
        window_hours=window_hours,
        options=options,
        catalog=catalog,
        now=now,
        save_snapshot_to=save_snapshot_to,
        spot_prices=spot_prices,
        aws_session=aws_session,
        history=history,
        settings=settings,
    )
    if not report.inference:  # the source had no serving-engine metrics
        report = report.model_copy(update={"warnings": [*report.warnings, NO_SERVING_METRICS]})
    return report
