"""Settings of `genaicost serve` / `genaicost collect` (the API reads them from `app.state.settings`)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from genaicost.app.report import InferenceSettings
from genaicost.app.spot_prices import SpotPrices
from genaicost.domain.errors import InputError
from genaicost.domain.options import ReportOptions

DEFAULT_STORE_FILE = "genaicost-history.db"
DEFAULT_INTERVAL_S = 300.0
DEFAULT_RETENTION_DAYS = 400
DEFAULT_LOOKBACK_HOURS = 3
DEFAULT_LABEL_KEYS = ("team", "app", "app.kubernetes.io/name")


def default_store_url() -> str:
    """`sqlite:///<abs path>` of `genaicost-history.db` in $GENAICOST_DATA_DIR, else the working directory."""
    base = Path(os.environ.get("GENAICOST_DATA_DIR") or Path.cwd())
    return f"sqlite:///{(base / DEFAULT_STORE_FILE).resolve()}"


@dataclass(frozen=True)
class PrometheusSource:
    """How to reach Prometheus (the client is opened per collection)."""

    url: str
    token_file: Path | None = None
    headers: tuple[str, ...] = ()
    basic_auth_file: Path | None = None
    ca_file: Path | None = None
    insecure: bool = False
    timeout_s: float = 30.0
    resolution_s: float = 300.0


@dataclass(frozen=True)
class CollectSettings:
    """One source (demo, snapshot files, live kubeconfig / in-cluster, or Prometheus history) and the cost model."""

    demo: bool = False
    snapshot_files: tuple[Path, ...] = ()
    kubeconfig: str | None = None
    context: str | None = None
    prometheus: PrometheusSource | None = None
    options: ReportOptions = field(default_factory=ReportOptions)
    inference: InferenceSettings = field(default_factory=InferenceSettings)
    catalog_dir: Path | None = None
    overrides: Path | None = None
    spot_prices: SpotPrices = SpotPrices.auto
    label_keys: tuple[str, ...] = DEFAULT_LABEL_KEYS
    lookback_hours: int = DEFAULT_LOOKBACK_HOURS
    demo_history_days: int = 14
    recommendations: bool = True        # the latest report carries `genaicost recommend`'s output (/recommendations)

    def __post_init__(self) -> None:
        if self.lookback_hours < 1:
            raise InputError(f"{self.lookback_hours}: expected at least 1 hour", field="--lookback-hours")


@dataclass(frozen=True)
class ServeSettings:
    store_url: str
    api_token: str | None = None        # None only with auth disabled
    auth_disabled: bool = False
    interval_s: float = DEFAULT_INTERVAL_S
    retention_days: int = DEFAULT_RETENTION_DAYS
    collect: CollectSettings = field(default_factory=CollectSettings)

    def __post_init__(self) -> None:
        if not self.auth_disabled and not self.api_token:
            raise InputError(
                "no API token: give --token-file FILE or set GENAICOST_API_TOKEN, or turn auth off explicitly "
                "with --no-auth",
                field="--token-file",
            )
        if self.interval_s < 10:
            raise InputError(f"{self.interval_s:g} s: the collection interval must be at least 10s",
                             field="--interval")
        if self.retention_days < 1:
            raise InputError(f"{self.retention_days}: keep at least 1 day", field="--retention-days")
