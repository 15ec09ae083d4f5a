"""Options shared by `genaicost serve` and `genaicost collect`, and the CollectSettings they build."""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import Annotated, Any

import typer

from genaicost.app.report import InferenceSettings, parse_list_option
from genaicost.app.serve_settings import DEFAULT_LABEL_KEYS, CollectSettings, PrometheusSource, default_store_url
from genaicost.app.spot_prices import SpotPrices
from genaicost.app.window import parse_resolution
from genaicost.cli.common_options import SplitChoice, SupportChoice, report_options
from genaicost.cli.source_options import prometheus_client_from_options
from genaicost.domain.errors import InputError

STORE = "Store"

StoreOption = Annotated[
    str | None,
    typer.Option("--store", metavar="URL", envvar="GENAICOST_STORE_URL", rich_help_panel=STORE,
                 help="sqlite:////abs/path.db (WAL) or postgresql+psycopg://user:pw@host:5432/db; default "
                 "genaicost-history.db in $GENAICOST_DATA_DIR or the working directory."),
]
RetentionOption = Annotated[
    int, typer.Option("--retention-days", rich_help_panel=STORE, help="Delete hours older than this.")
]
LabelKeysOption = Annotated[
    str, typer.Option("--label-keys", metavar="K,K", rich_help_panel=STORE,
                      help="Pod labels kept in the store for aggregate=label:KEY.")
]
LookbackOption = Annotated[
    int, typer.Option("--lookback-hours", rich_help_panel=STORE,
                      help="With --prometheus: complete hours looked back for hours not yet stored.")
]
DemoDaysOption = Annotated[
    int, typer.Option("--demo-history-days", rich_help_panel=STORE, help="With --demo: days of generated history.")
]


def store_url(value: str | None) -> str:
    return value or default_store_url()


def collect_settings(*, demo: bool, snapshot: list[Path] | None, kubeconfig: str | None, context: str | None,
                     prometheus: str | None, prom: dict[str, Any], resolution: str, split: SplitChoice,
                     eks_support: SupportChoice | None, model_label: str, io_cost_ratio: float,
                     catalog_dir: Path | None, overrides: Path | None, spot_prices: SpotPrices, label_keys: str,
                     lookback_hours: int, demo_history_days: int) -> CollectSettings:
    given = [name for name, on in (("--demo", demo), ("--snapshot", bool(snapshot)),
                                   ("--kubeconfig/--context", bool(kubeconfig or context)),
                                   ("--prometheus", prometheus is not None)) if on]
    if len(given) > 1:
        raise InputError(f"{' and '.join(given)} are {len(given)} sources; give one", field=given[0])
    for path in snapshot or ():
        if not path.is_file():
            raise InputError("no such file", source=str(path), field="--snapshot")
    source = None
    if prometheus is not None:
        source = PrometheusSource(url=prometheus, resolution_s=parse_resolution(resolution), **prom)
    keys = parse_list_option(label_keys) or DEFAULT_LABEL_KEYS
    if model_label not in keys:
        keys = (*keys, model_label)
    return CollectSettings(
        demo=demo, snapshot_files=tuple(snapshot or ()), kubeconfig=kubeconfig, context=context, prometheus=source,
        options=report_options(split=split, share_idle=False, shared_namespaces="", share_overhead=False,
                               eks_support=eks_support),
        inference=InferenceSettings(model_label=model_label, io_cost_ratio=io_cost_ratio),
        catalog_dir=catalog_dir, overrides=overrides, spot_prices=spot_prices, label_keys=keys,
        lookback_hours=lookback_hours, demo_history_days=demo_history_days,
    )


def prometheus_opener(settings: CollectSettings) -> Any:
    """A function opening a Prometheus client for one collection (None without --prometheus)."""
    prom = settings.prometheus
    if prom is None:
        return None

    def _open() -> AbstractContextManager[Any]:
        return prometheus_client_from_options(
            prom.url, token_file=prom.token_file, headers=list(prom.headers), basic_auth_file=prom.basic_auth_file,
            ca_file=prom.ca_file, insecure=prom.insecure, timeout_s=prom.timeout_s)

    return _open
