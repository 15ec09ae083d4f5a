"""`genaicost serve`: the HTTP API (FastAPI + uvicorn) over the history store, collecting every --interval."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Annotated

import typer

from genaicost.app.budgets_monitor import BudgetsMonitor, collector_thread
from genaicost.app.collect import Collector
from genaicost.app.serve_settings import DEFAULT_LOOKBACK_HOURS, DEFAULT_RETENTION_DAYS, ServeSettings
from genaicost.app.serve_state import ServeState
from genaicost.app.spot_prices import SpotPrices
from genaicost.app.window import parse_resolution
from genaicost.cli.collect import ContextOption, KubeconfigOption, prom_kwargs
from genaicost.cli.common_options import (
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
from genaicost.domain.errors import InputError
from genaicost.engine.inference import DEFAULT_IO_COST_RATIO, DEFAULT_MODEL_LABEL
from genaicost.store import open_store

SERVER = "Server"


def read_token(token_file: Path | None) -> str | None:
    if token_file is not None:
        try:
            token = token_file.read_text(encoding="utf-8").strip()
        except OSError as err:
            raise InputError(f"cannot read the token file ({err.strerror})", source=str(token_file),
                             field="--token-file") from None
        if not token:
            raise InputError("the token file is empty", source=str(token_file), field="--token-file")
        return token
    return os.environ.get("GENAICOST_API_TOKEN") or None


@handle_errors
def serve_command(
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
    host: Annotated[str, typer.Option("--host", rich_help_panel=SERVER, help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", rich_help_panel=SERVER, help="Port to listen on.")] = 8080,
    interval: Annotated[str, typer.Option("--interval", rich_help_panel=SERVER,
                                          help="Time between collections (e.g. 1m, 5m, 1h).")] = "5m",
    token_file: Annotated[Path | None, typer.Option("--token-file", metavar="FILE", rich_help_panel=SERVER,
                                                    help="API bearer token (else $GENAICOST_API_TOKEN).")] = None,
    no_auth: Annotated[bool, typer.Option("--no-auth", rich_help_panel=SERVER,
                                          help="Serve without authentication (explicitly).")] = False,
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
    budgets: Annotated[Path | None, typer.Option("--budgets", metavar="FILE", rich_help_panel=SERVER, help=(
        "Budgets YAML (docs/budgets.md): validated at start-up, evaluated after each collection."))] = None,
) -> None:
    """Serve the cost API (OpenCost-compatible /allocation, /assets, /inference, /report, /metrics, dashboard)
    and collect into the history store every --interval."""
    import uvicorn

    from genaicost.api.app import create_app

    token = None if no_auth else read_token(token_file)
    collect = collect_settings(
        demo=demo, snapshot=snapshot, kubeconfig=kubeconfig, context=context, prometheus=prometheus,
        prom=prom_kwargs(prometheus_token_file, prometheus_header, prometheus_basic_auth_file, prometheus_ca_file,
                         prometheus_insecure, prometheus_timeout),
        resolution=resolution, split=split, eks_support=eks_support, model_label=model_label,
        io_cost_ratio=io_cost_ratio, catalog_dir=catalog_dir, overrides=overrides, spot_prices=spot_prices,
        label_keys=label_keys, lookback_hours=lookback_hours, demo_history_days=demo_history_days,
    )
    try:
        interval_s = parse_resolution(interval)
    except InputError:
        raise InputError(f"{interval!r}: expected a duration like 1m, 5m or 1h", field="--interval") from None
    settings = ServeSettings(store_url=store_url(store), api_token=token, auth_disabled=no_auth,
                             interval_s=interval_s, retention_days=retention_days, collect=collect)
    history = open_store(settings.store_url)
    monitor = BudgetsMonitor(budgets, history) if budgets is not None else None
    state = ServeState()
    collector = Collector(collect, history, retention_days=retention_days, open_prometheus=prometheus_opener(collect))
    app = create_app(settings, store=history, state=state)
    app.state.budgets = monitor
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    thread = collector_thread(collector, state, interval_s, monitor)
    thread.start()
    try:
        uvicorn.run(app, host=host, port=port, log_level="info")
    finally:
        thread.stop()
        history.close()
