"""`genaicost report`: what the cluster costs, per namespace / label / model, in five formats."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import boto3
import typer

from genaicost.app.output import write_atomic
from genaicost.app.report import (
    HistorySource,
    build_report,
    load_report,
    parse_aggregate_option,
    parse_list_option,
)
from genaicost.app.spot_prices import SpotPrices
from genaicost.app.window import parse_resolution, parse_window, parse_window_hours
from genaicost.cli.errors import handle_errors
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
    prometheus_client_from_options,
)
from genaicost.domain.errors import InputError
from genaicost.domain.options import ReportOptions
from genaicost.pricing.bundled import load_catalog
from genaicost.render import render


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


SOURCE_PARAMS = ("demo", "snapshot", "kubeconfig", "context", "window", "save_snapshot", "prometheus",
                 "prometheus_token_file", "prometheus_header", "prometheus_basic_auth_file", "prometheus_ca_file",
                 "prometheus_insecure", "prometheus_timeout", "resolution")
PROMETHEUS_ONLY = ("prometheus_token_file", "prometheus_header", "prometheus_basic_auth_file", "prometheus_ca_file",
                   "prometheus_insecure", "prometheus_timeout", "resolution")
COST_PARAMS = (
    "aggregate",
    "split",
    "include_idle",
    "share_idle",
    "shared_namespaces",
    "share_overhead",
    "eks_support",
    "catalog_dir",
    "overrides",
    "spot_prices",
)
SOURCES = "Source (one of)"
COSTS = "Cost model"
OUTPUT = "Output"

HELP = """What the cluster costs for a window, per namespace, controller, label (e.g. label:model) or pod.

The source is the live cluster from your kubeconfig unless you give --demo, --snapshot or --prometheus
(history: everything that ran in the window, each pod and node for the hours it existed).
Money is in US dollars at the bundled (or --catalog-dir) AWS prices; every format shows the prices'
as-of date. Σ allocations + __idle__ + __overhead__ = the total, to the cent.
"""


def _given(ctx: typer.Context, names: tuple[str, ...]) -> list[str]:
    """Options the user set on the command line or through the environment.

    Compared by name: typer vendors its own copy of click, whose ParameterSource is another enum.
    """
    given = []
    for name in names:
        source = ctx.get_parameter_source(name)
        if source is not None and source.name not in ("DEFAULT", "DEFAULT_MAP"):
            given.append("--" + name.replace("_", "-"))
    return given


@handle_errors
def report_command(
    ctx: typer.Context,
    demo: Annotated[
        bool, typer.Option("--demo", help="Use the bundled demo GenAI EKS cluster.", rich_help_panel=SOURCES)
    ] = False,
    snapshot: Annotated[
        list[Path] | None,
        typer.Option(
            "--snapshot",
            metavar="FILE",
            rich_help_panel=SOURCES,
            help="A saved genaicost snapshot, or `kubectl get … -o json` output; repeat for several kubectl "
            "files.",
        ),
    ] = None,
    kubeconfig: Annotated[
        str | None,
        typer.Option(
            "--kubeconfig",
            metavar="PATH",
            rich_help_panel=SOURCES,
            help="Kubeconfig of the live cluster (default: $KUBECONFIG or ~/.kube/config).",
        ),
    ] = None,
    context: Annotated[
        str | None,
        typer.Option(
            "--context",
            metavar="NAME",
            rich_help_panel=SOURCES,
            help="Kubeconfig context (default: the current one).",
        ),
    ] = None,
    window: Annotated[
        str,
        typer.Option(
            "--window",
            metavar="WINDOW",
            rich_help_panel=SOURCES,
            help="Run-rate window for instant sources: 30m, 1h, 24h, 7d. With --prometheus also today, "
            "yesterday, week, lastweek, month, lastmonth or START,END (RFC3339).",
        ),
    ] = "1h",
    aggregate: Annotated[
        str,
        typer.Option(
            "--aggregate",
            metavar="KEYS",
            rich_help_panel=COSTS,
            help="Group by cluster, node, namespace, controller, controllerKind, pod, container, "
            "label:KEY or annotation:KEY; several joined with commas.",
        ),
    ] = "namespace",
    split: Annotated[
        SplitChoice,
        typer.Option(
            "--split", rich_help_panel=COSTS, help="How a node's price splits into CPU, RAM and GPU rates."
        ),
    ] = SplitChoice.residual,
    include_idle: Annotated[
        bool,
        typer.Option(
            "--include-idle/--no-include-idle",
            rich_help_panel=COSTS,
            help="Show unallocated node capacity as the __idle__ line.",
        ),
    ] = True,
    share_idle: Annotated[
        bool,
        typer.Option(
            "--share-idle",
            rich_help_panel=COSTS,
            help="Spread idle cost over the allocations in proportion to their cost.",
        ),
    ] = False,
    shared_namespaces: Annotated[
        str,
        typer.Option(
            "--shared-namespaces",
            metavar="NS,NS",
            rich_help_panel=COSTS,
            help="Spread these namespaces' cost over the others, e.g. kube-system,monitoring.",
        ),
    ] = "",
    share_overhead: Annotated[
        bool,
        typer.Option(
            "--share-overhead",
            rich_help_panel=COSTS,
            help="Spread the EKS control-plane fee over the allocations.",
        ),
    ] = False,
    eks_support: Annotated[
        SupportChoice | None,
        typer.Option(
            "--eks-support",
            rich_help_panel=COSTS,
            help="EKS support tier for the control-plane fee (default: what the source says).",
        ),
    ] = None,
    catalog_dir: Annotated[
        Path | None,
        typer.Option(
            "--catalog-dir",
            metavar="DIR",
            envvar="GENAICOST_CATALOG_DIR",
            rich_help_panel=COSTS,
            help="Price catalog written by `genaicost pricing refresh` (default: the bundled one).",
        ),
    ] = None,
    overrides: Annotated[
        Path | None,
        typer.Option(
            "--overrides",
            metavar="FILE",
            rich_help_panel=COSTS,
            help="YAML file of your own prices and discounts.",
        ),
    ] = None,
    spot_prices: Annotated[
        SpotPrices,
        typer.Option(
            "--spot-prices",
            rich_help_panel=COSTS,
            help="Spot node prices: live from EC2 DescribeSpotPriceHistory (live), the bundled snapshot "
            "(bundled), or live when AWS credentials exist and the source is not the demo (auto).",
        ),
    ] = SpotPrices.auto,
    fmt: Annotated[
        FormatChoice, typer.Option("--format", rich_help_panel=OUTPUT, help="Output format.")
    ] = FormatChoice.table,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            rich_help_panel=OUTPUT,
            help="Write here (atomically) instead of standard output.",
        ),
    ] = None,
    from_report: Annotated[
        Path | None,
        typer.Option(
            "--from",
            metavar="REPORT.json",
            rich_help_panel=OUTPUT,
            help="Re-render a report saved with --format json; collects nothing.",
        ),
    ] = None,
    prometheus: PrometheusUrlOption = None,
    prometheus_token_file: PrometheusTokenFileOption = None,
    prometheus_header: PrometheusHeaderOption = None,
    prometheus_basic_auth_file: PrometheusBasicAuthFileOption = None,
    prometheus_ca_file: PrometheusCaFileOption = None,
    prometheus_insecure: PrometheusInsecureOption = False,
    prometheus_timeout: PrometheusTimeoutOption = DEFAULT_TIMEOUT_S,
    resolution: ResolutionOption = DEFAULT_RESOLUTION,
    save_snapshot: Annotated[
        Path | None,
        typer.Option(
            "--save-snapshot",
            metavar="FILE",
            rich_help_panel=OUTPUT,
            help="Also save the collected snapshot (JSON) to replay it later with --snapshot.",
        ),
    ] = None,
) -> None:
    """What the cluster costs, per namespace / label / model, for a window."""
    if from_report is not None:
        clashing = _given(ctx, SOURCE_PARAMS + COST_PARAMS)
        if clashing:
            raise InputError(
                f"--from re-renders a saved report as it is; drop {', '.join(clashing)}", field="--from"
            )
        report = load_report(from_report)
    else:
        now = datetime.now(UTC).replace(microsecond=0)
        options = ReportOptions.model_validate(
            {
                "aggregate": parse_aggregate_option(aggregate),
                "split": split.value,
                "include_idle": include_idle,
                "share_idle": share_idle,
                "shared_namespaces": parse_list_option(shared_namespaces),
                "share_overhead": share_overhead,
                "eks_support": eks_support.value if eks_support else None,
            }
        )
        catalog = load_catalog(catalog_dir, overrides)
        session = boto3.Session() if spot_prices is not SpotPrices.bundled else None
        if prometheus is None:
            stray = _given(ctx, PROMETHEUS_ONLY)
            if stray:
                raise InputError(f"{', '.join(stray)} only apply with --prometheus URL", field=stray[0])
            window_hours = parse_window_hours(window) if _given(ctx, ("window",)) else None
            report = build_report(
                demo=demo, snapshot_files=snapshot or [], kubeconfig=kubeconfig, context=context,
                window_hours=window_hours, options=options, catalog=catalog, now=now,
                save_snapshot_to=save_snapshot, spot_prices=spot_prices, aws_session=session,
            )
        else:
            resolution_s = parse_resolution(resolution)
            history_window = parse_window(window, now=now, history=True, resolution_s=resolution_s)
            with prometheus_client_from_options(
                prometheus, token_file=prometheus_token_file, headers=prometheus_header,
                basic_auth_file=prometheus_basic_auth_file, ca_file=prometheus_ca_file,
                insecure=prometheus_insecure, timeout_s=prometheus_timeout,
            ) as client:
                report = build_report(
                    demo=demo, snapshot_files=snapshot or [], kubeconfig=kubeconfig, context=context,
                    window_hours=None, options=options, catalog=catalog, now=now,
                    save_snapshot_to=save_snapshot, spot_prices=spot_prices, aws_session=session,
                    history=HistorySource(client, history_window, resolution_s),
                )
    text = render(report, fmt.value)
    if output is None:
        sys.stdout.write(text)
    else:
        write_atomic(output, text)


report_command.__doc__ = HELP
