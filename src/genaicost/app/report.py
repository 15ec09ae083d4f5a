"""Use case `report`: collect a Snapshot from one source, compute the Report; or load a saved Report.

Shared by the CLI and (later) the API. The clock and the catalog are arguments; nothing here prints.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from genaicost.app.spot_prices import SpotPrices, with_spot_prices
from genaicost.domain.errors import InputError
from genaicost.domain.options import AGGREGATE_KEYS, ReportOptions
from genaicost.domain.prices import PriceCatalog
from genaicost.domain.report import REPORT_SCHEMA_VERSION, Report
from genaicost.domain.snapshot import Snapshot
from genaicost.domain.window import Window
from genaicost.engine.inference import DEFAULT_IO_COST_RATIO, DEFAULT_MODEL_LABEL
from genaicost.engine.report import compute_report
from genaicost.sources.demo import demo_snapshot
from genaicost.sources.kube_live import load_live
from genaicost.sources.kubectl_json import load_kubectl_json
from genaicost.sources.prometheus.client import PrometheusClient
from genaicost.sources.prometheus.history import load_history
from genaicost.sources.snapshot_file import is_snapshot_file, load_snapshot, save_snapshot

DEFAULT_WINDOW_HOURS = 1.0


def parse_aggregate_option(text: str) -> tuple[str, ...]:
    """`"namespace,label:model"` → ("namespace", "label:model"); unknown keys name `--aggregate`."""
    keys = tuple(k.strip() for k in text.split(",") if k.strip())
    allowed = f"{', '.join(AGGREGATE_KEYS)}, label:KEY or annotation:KEY (several joined with commas)"
    if not keys:
        raise InputError(f"no aggregate key given; expected {allowed}", field="--aggregate")
    for key in keys:
        prefix, _, rest = key.partition(":")
        if key not in AGGREGATE_KEYS and not (prefix in ("label", "annotation") and rest):
            raise InputError(f"unknown aggregate key {key!r}; expected {allowed}", field="--aggregate")
    return keys


def parse_list_option(text: str) -> tuple[str, ...]:
    """Comma-separated names (e.g. --shared-namespaces) → a tuple without blanks or duplicates."""
    return tuple(dict.fromkeys(k.strip() for k in text.split(",") if k.strip()))


@dataclass(frozen=True)
class InferenceSettings:
    """How `Report.inference` names models and splits their cost between input and output tokens
    (--model-label, --io-cost-ratio); used by `build_report` and app.inference."""

    model_label: str = DEFAULT_MODEL_LABEL
    io_cost_ratio: float = DEFAULT_IO_COST_RATIO

    def __post_init__(self) -> None:
        if not self.model_label.strip():
            raise InputError("the model label must not be empty", field="--model-label")
        if not self.io_cost_ratio > 0:
            raise InputError(
                f"{self.io_cost_ratio:g}: an output token must cost more than zero input tokens",
                field="--io-cost-ratio",
            )


@dataclass(frozen=True)
class HistorySource:
    """Prometheus history: the client, the window (from `parse_window(..., history=True)`) and the step."""

    client: PrometheusClient
    window: Window
    resolution_s: float = 300.0


def collect_snapshot(
    *,
    demo: bool,
    snapshot_files: Sequence[Path],
    kubeconfig: str | None,
    context: str | None,
    window_hours: float | None,
    now: datetime,
    history: HistorySource | None = None,
) -> Snapshot:
    """Exactly one source: the demo cluster, snapshot files, Prometheus history, or the live cluster."""
    if history is not None:
        others = [f for f, on in (("--demo", demo), ("--snapshot", bool(snapshot_files)),
                                  ("--kubeconfig/--context", bool(kubeconfig or context))) if on]
        if others:
            raise InputError(f"--prometheus and {others[0]} are two sources; give one", field="--prometheus")
        return load_history(history.client, history.window, resolution_s=history.resolution_s, now=now)
    if demo and snapshot_files:
        raise InputError("--demo and --snapshot are two sources; give one", field="--demo/--snapshot")
    if (demo or snapshot_files) and (kubeconfig or context):
        given = "--demo" if demo else "--snapshot"
        raise InputError(f"{given} and --kubeconfig/--context are two sources; give one", field=given)
    hours = DEFAULT_WINDOW_HOURS if window_hours is None else window_hours
    if demo:
        return demo_snapshot(now, window_hours=hours)
    if snapshot_files:
        return _from_files(list(snapshot_files), window_hours, now)
    return load_live(kubeconfig=kubeconfig, context=context, now=now, window_hours=hours)


def _from_files(paths: list[Path], window_hours: float | None, now: datetime) -> Snapshot:
    for path in paths:
        if not path.is_file():
            raise InputError("no such file", source=str(path), field="--snapshot")
    saved = [p for p in paths if is_snapshot_file(p)]
    if not saved:
        return load_kubectl_json(paths, now=now, window_hours=window_hours or DEFAULT_WINDOW_HOURS)
    if len(paths) > 1:
        raise InputError(
            f"{saved[0]} is a saved genaicost snapshot; give it alone, or give only "
            "`kubectl get … -o json` files (any number)",
            field="--snapshot",
        )
    snapshot = load_snapshot(saved[0])
    if window_hours is not None and abs(window_hours - snapshot.window.hours) > 1e-9:
        raise InputError(
            f"the saved snapshot covers its own window ({snapshot.window.hours:g} h); "
            "drop --window when reading a saved snapshot",
            field="--window",
        )
    return snapshot


def build_report(
    *,
    demo: bool,
    snapshot_files: Sequence[Path],
    kubeconfig: str | None,
    context: str | None,
    window_hours: float | None,
    options: ReportOptions,
    catalog: PriceCatalog,
    now: datetime,
    save_snapshot_to: Path | None = None,
    spot_prices: SpotPrices = SpotPrices.bundled,
    aws_session: Any = None,
    history: HistorySource | None = None,
    settings: InferenceSettings = InferenceSettings(),
) -> Report:
    """Collect from the chosen source (optionally saving the snapshot), then compute the Report.

    Spot nodes are priced live from DescribeSpotPriceHistory when `spot_prices` allows and `aws_session`
    has credentials (see app.spot_prices). `settings` apply to `Report.inference` (filled when the source has
    serving-engine metrics, i.e. Prometheus history or a snapshot saved from it)."""
    catalog, snapshot = prepared_snapshot(
        demo=demo, snapshot_files=snapshot_files, kubeconfig=kubeconfig, context=context, window_hours=window_hours,
        catalog=catalog, now=now, history=history, save_snapshot_to=save_snapshot_to, spot_prices=spot_prices,
        aws_session=aws_session,
    )
    return report_of(snapshot, catalog, options, now=now, settings=settings)


def prepared_snapshot(
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
    extras: Callable[[Snapshot], Snapshot] | None = None,
) -> tuple[PriceCatalog, Snapshot]:
    """Collect from one source, add `extras` (e.g. what the recommend strategies need), save the snapshot when
    asked, then price the spot nodes: the catalog and snapshot a Report is computed from."""
    snapshot = collect_snapshot(demo=demo, snapshot_files=snapshot_files, kubeconfig=kubeconfig, context=context,
                                window_hours=window_hours, now=now, history=history)
    if extras is not None:
        snapshot = extras(snapshot)
    if save_snapshot_to is not None:
        save_snapshot(snapshot, save_snapshot_to)
    return with_spot_prices(catalog, snapshot, spot_prices, aws_session, now)


def report_of(snapshot: Snapshot, catalog: PriceCatalog, options: ReportOptions, *, now: datetime,
              settings: InferenceSettings) -> Report:
    """The Report of a prepared snapshot, with `settings` for its inference lines."""
    return compute_report(snapshot, catalog, options, generated_at=now, model_label=settings.model_label,
                          io_cost_ratio=settings.io_cost_ratio)


def load_report(path: Path) -> Report:
    """A Report saved with `--format json` (for `--from`); anything else is an InputError."""
    source = str(path)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as err:
        raise InputError(f"cannot read the file ({err.strerror})", source=source, field="--from") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InputError(
            f"not JSON ({err}); --from takes a report saved with --format json", source=source, field="--from"
        ) from None
    if not isinstance(data, dict) or "schema_version" not in data or "totals" not in data:
        raise InputError(
            "not a genaicost report (no schema_version / totals); --from takes a report saved "
            "with --format json",
            source=source,
            field="--from",
        )
    if str(data["schema_version"]).split(".")[0] != REPORT_SCHEMA_VERSION.split(".")[0]:
        raise InputError(
            f"report schema_version {data['schema_version']!r} is not readable by this version "
            f"(reads {REPORT_SCHEMA_VERSION})",
            source=source,
            field="schema_version",
        )
    try:
        return Report.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(
            f"not a valid genaicost report: {where}: {first['msg']} ({err.error_count()} problem(s))",
            source=source,
            field="--from",
        ) from None
