"""`genaicost inference`: each model's cost per 1M tokens, per request, per GPU-hour (docs/inference.md)."""

from __future__ import annotations

from datetime import UTC, datetime

import typer

from genaicost.app.inference import build_inference_report
from genaicost.app.report import InferenceSettings
from genaicost.app.spot_prices import SpotPrices
from genaicost.cli.common_options import (
    CatalogDirOption,
    DemoOption,
    FormatChoice,
    FormatOption,
    InferenceEksSupportOption,
    InferenceOutputOption,
    InferenceOverridesOption,
    InferenceSaveSnapshotOption,
    InferenceSharedNamespacesOption,
    InferenceShareIdleOption,
    InferenceShareOverheadOption,
    InferenceSnapshotOption,
    InferenceSplitOption,
    InferenceSpotPricesOption,
    InferenceWindowOption,
    IoCostRatioOption,
    ModelLabelOption,
    SplitChoice,
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
from genaicost.engine.inference import DEFAULT_IO_COST_RATIO, DEFAULT_MODEL_LABEL
from genaicost.render import render

HELP = """Each model's unit economics for a window: $ per 1M tokens, $ per request, GPU use, latency.

Per model: cost, tokens in/out, requests, $ per 1M tokens (blended, input, output), $ per request,
GPU-hours, GPU utilization, tokens per GPU-hour, p50/p95 time to first token and end-to-end latency.

Serving metrics (vLLM, SGLang, TGI, NIM) come from --prometheus; a model's cost is the cost of its pods over
the window (with their share of idle when --share-idle). --demo and kubectl snapshots have no serving
metrics: the list is empty and a warning says so.
"""


@handle_errors
def inference_command(
    ctx: typer.Context,
    prometheus: PrometheusUrlOption = None,
    demo: DemoOption = False,
    snapshot: InferenceSnapshotOption = None,
    window: InferenceWindowOption = "1h",
    prometheus_token_file: PrometheusTokenFileOption = None,
    prometheus_header: PrometheusHeaderOption = None,
    prometheus_basic_auth_file: PrometheusBasicAuthFileOption = None,
    prometheus_ca_file: PrometheusCaFileOption = None,
    prometheus_insecure: PrometheusInsecureOption = False,
    prometheus_timeout: PrometheusTimeoutOption = DEFAULT_TIMEOUT_S,
    resolution: ResolutionOption = DEFAULT_RESOLUTION,
    split: InferenceSplitOption = SplitChoice.residual,
    share_idle: InferenceShareIdleOption = False,
    shared_namespaces: InferenceSharedNamespacesOption = "",
    share_overhead: InferenceShareOverheadOption = False,
    eks_support: InferenceEksSupportOption = None,
    model_label: ModelLabelOption = DEFAULT_MODEL_LABEL,
    io_cost_ratio: IoCostRatioOption = DEFAULT_IO_COST_RATIO,
    catalog_dir: CatalogDirOption = None,
    overrides: InferenceOverridesOption = None,
    spot_prices: InferenceSpotPricesOption = SpotPrices.auto,
    fmt: FormatOption = FormatChoice.table,
    output: InferenceOutputOption = None,
    save_snapshot: InferenceSaveSnapshotOption = None,
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    options = report_options(
        split=split, share_idle=share_idle, shared_namespaces=shared_namespaces, share_overhead=share_overhead,
        eks_support=eks_support,
    )
    settings = InferenceSettings(model_label=model_label, io_cost_ratio=io_cost_ratio)
    catalog, session = load_pricing(catalog_dir, overrides, spot_prices)
    with source_window(
        ctx, now=now, window=window, resolution=resolution, prometheus=prometheus,
        token_file=prometheus_token_file, headers=prometheus_header, basic_auth_file=prometheus_basic_auth_file,
        ca_file=prometheus_ca_file, insecure=prometheus_insecure, timeout_s=prometheus_timeout,
    ) as (window_hours, history):
        report = build_inference_report(
            demo=demo, snapshot_files=snapshot or [], window_hours=window_hours, options=options,
            catalog=catalog, now=now, settings=settings, history=history, save_snapshot_to=save_snapshot,
            spot_prices=spot_prices, aws_session=session,
        )
    write_output(render(report, fmt.value, view="inference"), output)


inference_command.__doc__ = HELP
