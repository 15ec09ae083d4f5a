"""`genaicost inference`: each model's cost per 1M tokens, per request, per GPU-hour (docs/inference.md)."""

from __future__ import annotations

import functools
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import boto3
import typer

from genaicost.app.inference import InferenceSettings, build_inference_report
from genaicost.app.output import write_atomic
from genaicost.app.report import HistorySource, parse_list_option
from genaicost.app.spot_prices import SpotPrices
from genaicost.app.window import parse_resolution, parse_window, parse_window_hours
from genaicost.cli.errors import handle_errors
from genaicost.cli.report import FormatChoice, SplitChoice, SupportChoice, _given
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
from genaicost.domain.report import Report
from genaicost.engine.inference import DEFAULT_IO_COST_RATIO, DEFAULT_MODEL_LABEL
from genaicost.pricing.bundled import load_catalog
from genaicost.render import render

PROMETHEUS_ONLY = (
    "prometheus_token_file",
    "prometheus_header",
    "prometheus_basic_auth_file",
    "prometheus_ca_file",
    "prometheus_insecure",
    "prometheus_timeout",
    "resolution",
)
SOURCES = "Source (one of)"
COSTS = "Cost model"
OUTPUT = "Output"

HELP = """Each model's unit economics for a window: cost, tokens in/out, requests, $ per 1M tokens (blended,
input, output), $ per request, GPU-hours, GPU utilization, tokens per GPU-hour, p50/p95 latency.

Serving metrics (vLLM, SGLang, TGI, NIM) come from --prometheus; a model's cost is the cost of its pods over
the window (with their share of idle when --share-idle). --demo and kubectl snapshots have no serving
metrics: the list is empty and a warning says so.
"""


@handle_errors
def inference_command(
    ctx: typer.Context,
    prometheus: PrometheusUrlOption = None,
    demo: Annotated[
        bool, typer.Option("--demo", help="Use the bundled demo GenAI EKS cluster.", rich_help_panel=SOURCES)
    ] = False,
    snapshot: Annotated[
        list[Path] | None,
        typer.Option(
            "--snapshot",
            metavar="FILE",
            rich_help_panel=SOURCES,
            help="A saved genaicost snapshot (its model_usage table), or `kubectl get … -o json` output.",
        ),
    ] = None,
    window: Annotated[
        str,
        typer.Option(
            "--window",
            metavar="WINDOW",
            rich_help_panel=SOURCES,
            help="30m, 24h, 7d; with --prometheus also today, yesterday, week, month, lastmonth or START,END.",
        ),
    ] = "1h",
    prometheus_token_file: PrometheusTokenFileOption = None,
    prometheus_header: PrometheusHeaderOption = None,
    prometheus_basic_auth_file: PrometheusBasicAuthFileOption = None,
    prometheus_ca_file: PrometheusCaFileOption = None,
    prometheus_insecure: PrometheusInsecureOption = False,
    prometheus_timeout: PrometheusTimeoutOption = DEFAULT_TIMEOUT_S,
    resolution: ResolutionOption = DEFAULT_RESOLUTION,
    split: Annotated[
        SplitChoice,
        typer.Option("--split", rich_help_panel=COSTS, help="How a node's price splits into CPU, RAM and GPU."),
    ] = SplitChoice.residual,
    share_idle: Annotated[
        bool,
        typer.Option(
            "--share-idle",
            rich_help_panel=COSTS,
            help="Add each model's share of idle node cost (in proportion to its pods' cost).",
        ),
    ] = False,
    shared_namespaces: Annotated[
        str,
        typer.Option(
            "--shared-namespaces",
            metavar="NS,NS",
            rich_help_panel=COSTS,
            help="Spread these namespaces' cost over the others (as in `report`).",
        ),
    ] = "",
    share_overhead: Annotated[
        bool, typer.Option("--share-overhead", rich_help_panel=COSTS, help="Spread the EKS control-plane fee.")
    ] = False,
    eks_support: Annotated[
        SupportChoice | None,
        typer.Option("--eks-support", rich_help_panel=COSTS, help="EKS support tier for the control-plane fee."),
    ] = None,
    model_label: Annotated[
        str,
        typer.Option(
            "--model-label",
            metavar="KEY",
            rich_help_panel=COSTS,
            help="Pod label naming the model when the metrics do not (TGI, pods without serving metrics).",
        ),
    ] = DEFAULT_MODEL_LABEL,
    io_cost_ratio: Annotated[
        float,
        typer.Option(
            "--io-cost-ratio",
            metavar="K",
            rich_help_panel=COSTS,
            help="An output token costs K input tokens, for the input/output split when the engine does not "
            "expose prefill and decode time.",
        ),
    ] = DEFAULT_IO_COST_RATIO,
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
        typer.Option("--overrides", metavar="FILE", rich_help_panel=COSTS, help="YAML file of your own prices."),
    ] = None,
    spot_prices: Annotated[
        SpotPrices,
        typer.Option("--spot-prices", rich_help_panel=COSTS, help="Spot node prices: live, bundled or auto."),
    ] = SpotPrices.auto,
    fmt: Annotated[
        FormatChoice, typer.Option("--format", rich_help_panel=OUTPUT, help="Output format.")
    ] = FormatChoice.table,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", rich_help_panel=OUTPUT, help="Write here (atomically)."),
    ] = None,
    save_snapshot: Annotated[
        Path | None,
        typer.Option(
            "--save-snapshot",
            metavar="FILE",
            rich_help_panel=OUTPUT,
            help="Also save the collected snapshot (with its serving metrics) to replay with --snapshot.",
        ),
    ] = None,
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    options = ReportOptions.model_validate(
        {
            "split": split.value,
            "share_idle": share_idle,
            "shared_namespaces": parse_list_option(shared_namespaces),
            "share_overhead": share_overhead,
            "eks_support": eks_support.value if eks_support else None,
        }
    )
    settings = InferenceSettings(model_label=model_label, io_cost_ratio=io_cost_ratio)
    build = functools.partial(
        build_inference_report,
        demo=demo,
        snapshot_files=snapshot or [],
        options=options,
        catalog=load_catalog(catalog_dir, overrides),
        now=now,
        settings=settings,
        save_snapshot_to=save_snapshot,
        spot_prices=spot_prices,
        aws_session=boto3.Session() if spot_prices is not SpotPrices.bundled else None,
    )
    report: Report
    if prometheus is None:
        stray = _given(ctx, PROMETHEUS_ONLY)
        if stray:
            raise InputError(f"{', '.join(stray)} only apply with --prometheus URL", field=stray[0])
        window_hours = parse_window_hours(window) if _given(ctx, ("window",)) else None
        report = build(window_hours=window_hours)
    else:
        resolution_s = parse_resolution(resolution)
        history_window = parse_window(window, now=now, history=True, resolution_s=resolution_s)
        with prometheus_client_from_options(
            prometheus,
            token_file=prometheus_token_file,
            headers=prometheus_header,
            basic_auth_file=prometheus_basic_auth_file,
            ca_file=prometheus_ca_file,
            insecure=prometheus_insecure,
            timeout_s=prometheus_timeout,
        ) as client:
            history = HistorySource(client, history_window, resolution_s)
            report = build(window_hours=None, history=history)
    text = render(report, fmt.value, view="inference")
    if output is None:
        sys.stdout.write(text)
    else:
        write_atomic(output, text)


inference_command.__doc__ = HELP
