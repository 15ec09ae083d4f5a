"""Typer options and helpers shared by `genaicost report` and `genaicost inference`.

The options are `Annotated[T, typer.Option(...)]` aliases: a command declares e.g. ``fmt: FormatOption =
FormatChoice.table`` (the default stays in the signature). Each option's names, metavar, panel and env var are
written once (a `_name = partial(typer.Option, ...)` where the two commands word the help differently; then
there is one alias per wording, `Report…Option` and `Inference…Option`). The `--prometheus*` options are in
cli.source_options.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import boto3
import typer

from genaicost.app.output import write_atomic
from genaicost.app.report import HistorySource, parse_list_option
from genaicost.app.spot_prices import SpotPrices
from genaicost.app.window import parse_resolution, parse_window, parse_window_hours
from genaicost.cli.source_options import prometheus_client_from_options
from genaicost.domain.errors import InputError
from genaicost.domain.options import ReportOptions
from genaicost.domain.prices import PriceCatalog
from genaicost.pricing.bundled import load_catalog

SOURCES = "Source (one of)"
COSTS = "Cost model"
OUTPUT = "Output"

# parameter names of the cli.source_options options that only apply with --prometheus URL
PROMETHEUS_ONLY = (
    "prometheus_token_file",
    "prometheus_header",
    "prometheus_basic_auth_file",
    "prometheus_ca_file",
    "prometheus_insecure",
    "prometheus_timeout",
    "resolution",
)


class SplitChoice(StrEnum):
    residual = "residual"
    aws_scad = "aws-scad"
    opencost = "opencost"


class SupportChoice(StrEnum):
    standard = "standard"
    extended = "extended"


class FormatChoice(StrEnum):  # the names of genaicost.render.RENDERERS (a test keeps them equal)
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"
    html = "html"


# --- source ---------------------------------------------------------------------------------------------------

DemoOption = Annotated[
    bool, typer.Option("--demo", help="Use the bundled demo GenAI EKS cluster.", rich_help_panel=SOURCES)
]

_snapshot = partial(typer.Option, "--snapshot", metavar="FILE", rich_help_panel=SOURCES)
ReportSnapshotOption = Annotated[
    list[Path] | None,
    _snapshot(
        help="A saved genaicost snapshot, or `kubectl get … -o json` output; repeat for several kubectl files."
    ),
]
InferenceSnapshotOption = Annotated[
    list[Path] | None,
    _snapshot(help="A saved genaicost snapshot (its model_usage table), or `kubectl get … -o json` output."),
]

_window = partial(typer.Option, "--window", metavar="WINDOW", rich_help_panel=SOURCES)
ReportWindowOption = Annotated[
    str,
    _window(
        help="Run-rate window for instant sources: 30m, 1h, 24h, 7d. With --prometheus also today, yesterday, "
        "week, lastweek, month, lastmonth or START,END (RFC3339)."
    ),
]
InferenceWindowOption = Annotated[
    str,
    _window(help="30m, 24h, 7d; with --prometheus also today, yesterday, week, month, lastmonth or START,END."),
]

# --- cost model -----------------------------------------------------------------------------------------------

_split = partial(typer.Option, "--split", rich_help_panel=COSTS)
ReportSplitOption = Annotated[SplitChoice, _split(help="How a node's price splits into CPU, RAM and GPU rates.")]
InferenceSplitOption = Annotated[SplitChoice, _split(help="How a node's price splits into CPU, RAM and GPU.")]

_share_idle = partial(typer.Option, "--share-idle", rich_help_panel=COSTS)
ReportShareIdleOption = Annotated[
    bool, _share_idle(help="Spread idle cost over the allocations in proportion to their cost.")
]
InferenceShareIdleOption = Annotated[
    bool, _share_idle(help="Add each model's share of idle node cost (in proportion to its pods' cost).")
]

_shared_namespaces = partial(typer.Option, "--shared-namespaces", metavar="NS,NS", rich_help_panel=COSTS)
ReportSharedNamespacesOption = Annotated[
    str, _shared_namespaces(help="Spread these namespaces' cost over the others, e.g. kube-system,monitoring.")
]
InferenceSharedNamespacesOption = Annotated[
    str, _shared_namespaces(help="Spread these namespaces' cost over the others (as in `report`).")
]

_share_overhead = partial(typer.Option, "--share-overhead", rich_help_panel=COSTS)
ReportShareOverheadOption = Annotated[
    bool, _share_overhead(help="Spread the EKS control-plane fee over the allocations.")
]
InferenceShareOverheadOption = Annotated[bool, _share_overhead(help="Spread the EKS control-plane fee.")]

_eks_support = partial(typer.Option, "--eks-support", rich_help_panel=COSTS)
ReportEksSupportOption = Annotated[
    SupportChoice | None,
    _eks_support(help="EKS support tier for the control-plane fee (default: what the source says)."),
]
InferenceEksSupportOption = Annotated[
    SupportChoice | None, _eks_support(help="EKS support tier for the control-plane fee.")
]

ModelLabelOption = Annotated[
    str,
    typer.Option(
        "--model-label",
        metavar="KEY",
        rich_help_panel=COSTS,
        help="Pod label naming the model when the metrics do not (TGI, pods without serving metrics).",
    ),
]
IoCostRatioOption = Annotated[
    float,
    typer.Option(
        "--io-cost-ratio",
        metavar="K",
        rich_help_panel=COSTS,
        help="An output token costs K input tokens, for the input/output split when the engine does not "
        "expose prefill and decode time.",
    ),
]
CatalogDirOption = Annotated[
    Path | None,
    typer.Option(
        "--catalog-dir",
        metavar="DIR",
        envvar="GENAICOST_CATALOG_DIR",
        rich_help_panel=COSTS,
        help="Price catalog written by `genaicost pricing refresh` (default: the bundled one).",
    ),
]

_overrides = partial(typer.Option, "--overrides", metavar="FILE", rich_help_panel=COSTS)
ReportOverridesOption = Annotated[Path | None, _overrides(help="YAML file of your own prices and discounts.")]
InferenceOverridesOption = Annotated[Path | None, _overrides(help="YAML file of your own prices.")]

_spot_prices = partial(typer.Option, "--spot-prices", rich_help_panel=COSTS)
ReportSpotPricesOption = Annotated[
    SpotPrices,
    _spot_prices(
        help="Spot node prices: live from EC2 DescribeSpotPriceHistory (live), the bundled snapshot (bundled), "
        "or live when AWS credentials exist and the source is not the demo (auto)."
    ),
]
InferenceSpotPricesOption = Annotated[SpotPrices, _spot_prices(help="Spot node prices: live, bundled or auto.")]

# --- output ---------------------------------------------------------------------------------------------------

FormatOption = Annotated[FormatChoice, typer.Option("--format", rich_help_panel=OUTPUT, help="Output format.")]

_output = partial(typer.Option, "--output", "-o", metavar="FILE", rich_help_panel=OUTPUT)
ReportOutputOption = Annotated[Path | None, _output(help="Write here (atomically) instead of standard output.")]
InferenceOutputOption = Annotated[Path | None, _output(help="Write here (atomically).")]

_save_snapshot = partial(typer.Option, "--save-snapshot", metavar="FILE", rich_help_panel=OUTPUT)
ReportSaveSnapshotOption = Annotated[
    Path | None, _save_snapshot(help="Also save the collected snapshot (JSON) to replay it later with --snapshot.")
]
InferenceSaveSnapshotOption = Annotated[
    Path | None,
    _save_snapshot(help="Also save the collected snapshot (with its serving metrics) to replay with --snapshot."),
]

# --- the code both commands run -------------------------------------------------------------------------------


def given_options(ctx: typer.Context, names: tuple[str, ...]) -> list[str]:
    """Options the user set on the command line or through the environment, as `--name`.

    Compared by name: typer vendors its own copy of click, whose ParameterSource is another enum.
    """
    given = []
    for name in names:
        source = ctx.get_parameter_source(name)
        if source is not None and source.name not in ("DEFAULT", "DEFAULT_MAP"):
            given.append("--" + name.replace("_", "-"))
    return given


def report_options(
    *,
    split: SplitChoice,
    share_idle: bool,
    shared_namespaces: str,
    share_overhead: bool,
    eks_support: SupportChoice | None,
    aggregate: tuple[str, ...] | None = None,
    include_idle: bool | None = None,
) -> ReportOptions:
    """ReportOptions from the shared cost options; `aggregate` and `include_idle` (report only) when given."""
    fields: dict[str, object] = {
        "split": split.value,
        "share_idle": share_idle,
        "shared_namespaces": parse_list_option(shared_namespaces),
        "share_overhead": share_overhead,
        "eks_support": eks_support.value if eks_support else None,
    }
    if aggregate is not None:
        fields["aggregate"] = aggregate
    if include_idle is not None:
        fields["include_idle"] = include_idle
    return ReportOptions.model_validate(fields)


def load_pricing(catalog_dir: Path | None, overrides: Path | None, spot_prices: SpotPrices) -> tuple[PriceCatalog, Any]:
    """The price catalog (--catalog-dir, --overrides) and the boto3 session for live spot prices (None when
    --spot-prices bundled)."""
    catalog = load_catalog(catalog_dir, overrides)
    return catalog, boto3.Session() if spot_prices is not SpotPrices.bundled else None


@contextmanager
def source_window(
    ctx: typer.Context,
    *,
    now: datetime,
    window: str,
    resolution: str,
    prometheus: str | None,
    token_file: Path | None,
    headers: list[str] | None,
    basic_auth_file: Path | None,
    ca_file: Path | None,
    insecure: bool,
    timeout_s: float,
) -> Iterator[tuple[float | None, HistorySource | None]]:
    """(window_hours, history) for the build functions of app.report / app.inference.

    Without --prometheus: the run-rate hours of --window (None when it was not given, so a saved snapshot keeps
    its own) and no history; the Prometheus-only options are refused. With it: the history window and a
    Prometheus client that is open for the `with` block.
    """
    if prometheus is None:
        stray = given_options(ctx, PROMETHEUS_ONLY)
        if stray:
            raise InputError(f"{', '.join(stray)} only apply with --prometheus URL", field=stray[0])
        yield (parse_window_hours(window) if given_options(ctx, ("window",)) else None), None
        return
    resolution_s = parse_resolution(resolution)
    history_window = parse_window(window, now=now, history=True, resolution_s=resolution_s)
    with prometheus_client_from_options(
        prometheus, token_file=token_file, headers=headers, basic_auth_file=basic_auth_file, ca_file=ca_file,
        insecure=insecure, timeout_s=timeout_s,
    ) as client:
        yield None, HistorySource(client, history_window, resolution_s)


def write_output(text: str, output: Path | None) -> None:
    """The rendered text to standard output, or atomically to --output FILE."""
    if output is None:
        sys.stdout.write(text)
    else:
        write_atomic(output, text)
