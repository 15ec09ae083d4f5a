"""`genaicost report`: what the cluster costs, per namespace / label / model, in five formats."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from genaicost.app.recommend import build_report_with_recommendations
from genaicost.app.report import InferenceSettings, build_report, load_report, parse_aggregate_option
from genaicost.app.spot_prices import SpotPrices
from genaicost.cli.common_options import (
    COSTS,
    OUTPUT,
    PROMETHEUS_ONLY,
    SOURCES,
    CatalogDirOption,
    DemoOption,
    FormatChoice,
    FormatOption,
    IoCostRatioOption,
    ModelLabelOption,
    ReportEksSupportOption,
    ReportOutputOption,
    ReportOverridesOption,
    ReportSaveSnapshotOption,
    ReportSharedNamespacesOption,
    ReportShareIdleOption,
    ReportShareOverheadOption,
    ReportSnapshotOption,
    ReportSplitOption,
    ReportSpotPricesOption,
    ReportWindowOption,
    SplitChoice,
    given_options,
    load_pricing,
    report_options,
    source_window,
    write_output,
)
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
)
from genaicost.domain.errors import InputError
from genaicost.engine.inference import DEFAULT_IO_COST_RATIO, DEFAULT_MODEL_LABEL
from genaicost.render import render

SOURCE_PARAMS = ("demo", "snapshot", "kubeconfig", "context", "window", "save_snapshot", "prometheus", *PROMETHEUS_ONLY)
COST_PARAMS = (
    "recommendations",
    "aggregate",
    "split",
    "include_idle",
    "share_idle",
    "shared_namespaces",
    "share_overhead",
    "eks_support",
    "model_label",
    "io_cost_ratio",
    "catalog_dir",
    "overrides",
    "spot_prices",
)

HELP = """What the cluster costs for a window, per namespace, controller, label (e.g. label:model) or pod.

The source is the live cluster from your kubeconfig unless you give --demo, --snapshot or --prometheus
(history: everything that ran in the window, each pod and node for the hours it existed).
Money is in US dollars at the bundled (or --catalog-dir) AWS prices; every format shows the prices'
as-of date. Σ allocations + __idle__ + __overhead__ = the total, to the cent.
"""


@handle_errors
def report_command(
    ctx: typer.Context,
    demo: DemoOption = False,
    snapshot: ReportSnapshotOption = None,
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
    window: ReportWindowOption = "1h",
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
    split: ReportSplitOption = SplitChoice.residual,
    include_idle: Annotated[
        bool,
        typer.Option(
            "--include-idle/--no-include-idle",
            rich_help_panel=COSTS,
            help="Show unallocated node capacity as the __idle__ line.",
        ),
    ] = True,
    share_idle: ReportShareIdleOption = False,
    shared_namespaces: ReportSharedNamespacesOption = "",
    share_overhead: ReportShareOverheadOption = False,
    eks_support: ReportEksSupportOption = None,
    model_label: ModelLabelOption = DEFAULT_MODEL_LABEL,
    io_cost_ratio: IoCostRatioOption = DEFAULT_IO_COST_RATIO,
    catalog_dir: CatalogDirOption = None,
    overrides: ReportOverridesOption = None,
    spot_prices: ReportSpotPricesOption = SpotPrices.auto,
    fmt: FormatOption = FormatChoice.table,
    output: ReportOutputOption = None,
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
    save_snapshot: ReportSaveSnapshotOption = None,
    recommendations: Annotated[
        bool,
        typer.Option(
            "--recommendations",
            rich_help_panel=OUTPUT,
            help="Add the recommendations of every `genaicost recommend` strategy (default settings), priced "
                 "from the same collection.",
        ),
    ] = False,
) -> None:
    """What the cluster costs, per namespace / label / model, for a window."""
    if from_report is not None:
        clashing = given_options(ctx, SOURCE_PARAMS + COST_PARAMS)
        if clashing:
            raise InputError(
                f"--from re-renders a saved report as it is; drop {', '.join(clashing)}", field="--from"
            )
        report = load_report(from_report)
    else:
        now = datetime.now(UTC).replace(microsecond=0)
        options = report_options(
            aggregate=parse_aggregate_option(aggregate), split=split, include_idle=include_idle,
            share_idle=share_idle, shared_namespaces=shared_namespaces, share_overhead=share_overhead,
            eks_support=eks_support,
        )
        settings = InferenceSettings(model_label=model_label, io_cost_ratio=io_cost_ratio)
        catalog, session = load_pricing(catalog_dir, overrides, spot_prices)
        with source_window(
            ctx, now=now, window=window, resolution=resolution, prometheus=prometheus,
            token_file=prometheus_token_file, headers=prometheus_header,
            basic_auth_file=prometheus_basic_auth_file, ca_file=prometheus_ca_file,
            insecure=prometheus_insecure, timeout_s=prometheus_timeout,
        ) as (window_hours, history):
            build = build_report_with_recommendations if recommendations else build_report
            report = build(
                demo=demo, snapshot_files=snapshot or [], kubeconfig=kubeconfig, context=context,
                window_hours=window_hours, options=options, catalog=catalog, now=now,
                save_snapshot_to=save_snapshot, spot_prices=spot_prices, aws_session=session,
                history=history, settings=settings,
            )
    write_output(render(report, fmt.value), output)


report_command.__doc__ = HELP
