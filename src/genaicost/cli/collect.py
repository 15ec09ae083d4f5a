"""`genaicost collect`: one collection into the history store (e.g. from a CronJob); exit 0, or 2 on bad input."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from genaicost.app.collect import Collector
from genaicost.app.serve_settings import DEFAULT_LOOKBACK_HOURS, DEFAULT_RETENTION_DAYS
from genaicost.app.spot_prices import SpotPrices
from genaicost.cli.common_options import (
    SOURCES,
    CatalogDirOption,
    DemoOption,
    IoCostRatioOption,
    ModelLabelOption,
    ReportEksSupportOption,
    ReportOverridesOption,
    ReportSnapshotOption,
    ReportSplitOption,
    ReportSpotPricesOption,
    SplitChoice,
)
from genaicost.cli.errors import handle_errors
from genaicost.cli.serve_options import (
    DemoDaysOption,
    LabelKeysOption,
    LookbackOption,
    RetentionOption,
    StoreOption,
    collect_settings,
    prometheus_opener,
    store_url,
)
from genaicost.cli.source_options import (
    DEFAULT_RESOLUTION,
    DEFAULT_TIMEOUT_S,
    PrometheusBasicAuthFileOption,
    PrometheusCaFileOption,
    PrometheusHeaderOption,
    PrometheusInsecureOption,
    PrometheusTimeoutOption,
    PrometheusTokenFileOption,
    PrometheusUrlOption,
    ResolutionOption,
)
from genaicost.engine.inference import DEFAULT_IO_COST_RATIO, DEFAULT_MODEL_LABEL
from genaicost.store import open_store

KubeconfigOption = Annotated[str | None, typer.Option("--kubeconfig", metavar="PATH", rich_help_panel=SOURCES,
                                                      help="Kubeconfig of the live cluster (in a pod: in-cluster).")]
ContextOption = Annotated[str | None, typer.Option("--context", metavar="NAME", rich_help_panel=SOURCES,
                                                   help="Kubeconfig context.")]


@handle_errors
def collect_command(
    demo: DemoOption = False,
    snapshot: ReportSnapshotOption = None,
    kubeconfig: KubeconfigOption = None,
    context: ContextOption = None,
    prometheus: PrometheusUrlOption = None,
    prometheus_token_file: PrometheusTokenFileOption = None,
    prometheus_header: PrometheusHeaderOption = None,
    prometheus_basic_auth_file: PrometheusBasicAuthFileOption = None,
    prometheus_ca_file: PrometheusCaFileOption = None,
    prometheus_insecure: PrometheusInsecureOption = False,
    prometheus_timeout: PrometheusTimeoutOption = DEFAULT_TIMEOUT_S,
    resolution: ResolutionOption = DEFAULT_RESOLUTION,
    store: StoreOption = None,
    retention_days: RetentionOption = DEFAULT_RETENTION_DAYS,
    label_keys: LabelKeysOption = "",
    lookback_hours: LookbackOption = DEFAULT_LOOKBACK_HOURS,
    demo_history_days: DemoDaysOption = 14,
    split: ReportSplitOption = SplitChoice.residual,
    eks_support: ReportEksSupportOption = None,
    model_label: ModelLabelOption = DEFAULT_MODEL_LABEL,
    io_cost_ratio: IoCostRatioOption = DEFAULT_IO_COST_RATIO,
    catalog_dir: CatalogDirOption = None,
    overrides: ReportOverridesOption = None,
    spot_prices: ReportSpotPricesOption = SpotPrices.auto,
) -> None:
    """Collect once into the history store: the hours Prometheus has that the store lacks, or the current hour's
    run-rate (live cluster, --snapshot, --demo with its generated history)."""
    settings = collect_settings(
        demo=demo, snapshot=snapshot, kubeconfig=kubeconfig, context=context, prometheus=prometheus,
        prom=prom_kwargs(prometheus_token_file, prometheus_header, prometheus_basic_auth_file, prometheus_ca_file,
                         prometheus_insecure, prometheus_timeout),
        resolution=resolution, split=split, eks_support=eks_support, model_label=model_label,
        io_cost_ratio=io_cost_ratio, catalog_dir=catalog_dir, overrides=overrides, spot_prices=spot_prices,
        label_keys=label_keys, lookback_hours=lookback_hours, demo_history_days=demo_history_days,
    )
    history = open_store(store_url(store))
    try:
        collector = Collector(settings, history, retention_days=retention_days,
                              open_prometheus=prometheus_opener(settings))
        result = collector.collect(datetime.now(UTC))
    finally:
        history.close()
    sys.stderr.write(f"collected {len(result.hours_written)} hour(s); deleted {result.hours_deleted} old hour(s)\n")


def prom_kwargs(token_file: Path | None, headers: list[str] | None, basic_auth_file: Path | None,
                ca_file: Path | None, insecure: bool, timeout_s: float) -> dict[str, object]:
    return {"token_file": token_file, "headers": tuple(headers or ()), "basic_auth_file": basic_auth_file,
            "ca_file": ca_file, "insecure": insecure, "timeout_s": timeout_s}
