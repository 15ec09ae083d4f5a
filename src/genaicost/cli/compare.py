"""`genaicost compare`: self-host a model or call a managed API? And --what-if for the cluster's GPU nodes."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Annotated

import typer

from genaicost.app.compare import measured_cluster, run_compare, run_what_if
from genaicost.cli.common_options import (
    CatalogDirOption,
    DemoOption,
    FormatChoice,
    FormatOption,
    InferenceSnapshotOption,
    InferenceWindowOption,
    given_options,
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
from genaicost.domain.compare import Assumptions
from genaicost.domain.errors import InputError
from genaicost.engine.compare import make_demand
from genaicost.pricing.bundled import load_catalog
from genaicost.render.compare import render_compare

MODEL = "Model and demand"
ASSUME = "Assumptions"
WHAT_IF = "What-if (re-price the cluster)"
OUT = "Output"
_DEFAULTS = Assumptions()

_o = partial(typer.Option, rich_help_panel=MODEL)
_a = partial(typer.Option, rich_help_panel=ASSUME)
_w = partial(typer.Option, rich_help_panel=WHAT_IF)

ModelOpt = Annotated[str | None, _o("--model", metavar="NAME|70b",
                                    help="A model of the benchmark table (e.g. Llama-3.1-70B) or a parameter count.")]
PrecisionOpt = Annotated[list[str] | None, _o("--precision", metavar="bf16|fp8|int4",
                                              help="Weights precision; repeat or comma-separate (default: all).")]
InTokOpt = Annotated[float | None, _o("--input-tokens-per-month", metavar="N", help="Input (prompt) tokens a month.")]
OutTokOpt = Annotated[float | None, _o("--output-tokens-per-month", metavar="N", help="Output tokens a month.")]
ReqOpt = Annotated[float | None, _o("--requests-per-month", metavar="N", help="Requests a month (with the lengths).")]
InLenOpt = Annotated[float | None, _o("--input-tokens-per-request", metavar="N", help="Input tokens per request.")]
OutLenOpt = Annotated[float | None, _o("--output-tokens-per-request", metavar="N", help="Output tokens per request.")]
ApiOpt = Annotated[list[str] | None, _o("--api", metavar="TEXT",
                                        help="Only APIs whose provider/model contains TEXT (repeatable).")]
ApiPricesOpt = Annotated[Path | None, _o("--api-prices", metavar="FILE",
                                         help="CSV of API prices in the bundled llm_api_prices.csv format: its rows "
                                              "replace/extend the bundled ones.")]
RegionOpt = Annotated[str, _a("--region", help="AWS region of the instance prices.")]
UtilOpt = Annotated[float, _a("--target-utilization", metavar="F",
                              help="Run each replica at this fraction of its measured throughput.")]
HeadroomOpt = Annotated[float, _a("--kv-cache-headroom", metavar="F",
                                  help="GPU memory beyond the weights (KV cache, activations), × weights.")]
HoursOpt = Annotated[float, _a("--hours-per-month", metavar="H", help="Hours in a month.")]
Sp1Opt = Annotated[float | None, _a("--savings-plan-1y-discount", metavar="F",
                                    help="Your 1-year Savings Plan discount off on-demand (unpriced without it).")]
Sp3Opt = Annotated[float | None, _a("--savings-plan-3y-discount", metavar="F",
                                    help="Your 3-year Savings Plan discount off on-demand (unpriced without it).")]
TtftOpt = Annotated[float | None, _a("--max-ttft-ms", metavar="MS",
                                     help="Latency target: only benchmark rows with a measured TTFT ≤ MS.")]
ItlOpt = Annotated[float | None, _a("--max-itl-ms", metavar="MS",
                                    help="Latency target: only benchmark rows with a measured inter-token "
                                         "latency ≤ MS.")]
MeasuredOpt = Annotated[str, _a("--measured-throughput", metavar="auto|off",
                                help="With a source (--demo, --snapshot, --prometheus): size the instance types the "
                                     "model runs on from its throughput measured there (auto), or not (off).")]
FloorOpt = Annotated[float, _a("--measured-utilization-floor", metavar="F",
                               help="Measured capacity = served rate ÷ GPU utilization when the utilization is "
                                    "known and at least F; else the served rate.")]
MeasuredPrecisionOpt = Annotated[str, _a("--measured-precision", metavar="bf16|fp8|int4",
                                         help="The precision the cluster serves the model at (not in the "
                                              "serving metrics).")]
OverridesOpt = Annotated[Path | None, _a("--overrides", metavar="FILE", help="YAML file of your own prices.")]
WhatIfOpt = Annotated[bool, _w("--what-if", help="Re-price the source's GPU nodes on --instance-family / "
                                                 "--purchase-option instead of comparing a model.")]
FamilyOpt = Annotated[str | None, _w("--instance-family", metavar="FAMILY", help="Target family, e.g. g6e.")]
PurchaseOpt = Annotated[str, _w("--purchase-option", metavar="OPTION",
                                help="on-demand, spot, savings-plan-1y or savings-plan-3y.")]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", metavar="FILE", rich_help_panel=OUT,
                                                help="Write here (atomically).")]

MEASURED = ("measured_throughput", "measured_utilization_floor", "measured_precision")
COMPARE_ONLY = ("model", "precision", "input_tokens_per_month", "output_tokens_per_month", "requests_per_month",
                "input_tokens_per_request", "output_tokens_per_request", "api", "api_prices", "max_ttft_ms",
                "max_itl_ms", "kv_cache_headroom", *MEASURED)
WHAT_IF_ONLY = ("instance_family", "purchase_option")

HELP = """Cheapest way to serve a model for your traffic: self-hosted GPU instances vs managed APIs.

Self-hosted: every instance type with a measured benchmark for the model and precision and enough GPU memory
(weights × (1 + KV-cache headroom)), × on-demand / spot / savings plans; replicas = ceil(demand output tok/s ÷
(measured tok/s × target utilization)); with a source (--demo, --snapshot, --prometheus) where the model is
served, the instance types it runs on are sized from its throughput measured there. APIs: tokens × their price
per 1M. Break-even volumes for the cheapest self-hosted option. With --what-if and a source: the cluster's GPU
nodes re-priced on --instance-family / --purchase-option. Formulas: docs/compare.md.
"""


@handle_errors
def compare_command(
    ctx: typer.Context,
    model: ModelOpt = None,
    precision: PrecisionOpt = None,
    input_tokens_per_month: InTokOpt = None,
    output_tokens_per_month: OutTokOpt = None,
    requests_per_month: ReqOpt = None,
    input_tokens_per_request: InLenOpt = None,
    output_tokens_per_request: OutLenOpt = None,
    api: ApiOpt = None,
    api_prices: ApiPricesOpt = None,
    region: RegionOpt = _DEFAULTS.region,
    target_utilization: UtilOpt = _DEFAULTS.target_utilization,
    kv_cache_headroom: HeadroomOpt = _DEFAULTS.kv_cache_headroom,
    hours_per_month: HoursOpt = _DEFAULTS.hours_per_month,
    savings_plan_1y_discount: Sp1Opt = None,
    savings_plan_3y_discount: Sp3Opt = None,
    max_ttft_ms: TtftOpt = None,
    max_itl_ms: ItlOpt = None,
    measured_throughput: MeasuredOpt = _DEFAULTS.measured_throughput,
    measured_utilization_floor: FloorOpt = _DEFAULTS.measured_utilization_floor,
    measured_precision: MeasuredPrecisionOpt = _DEFAULTS.measured_precision,
    catalog_dir: CatalogDirOption = None,
    overrides: OverridesOpt = None,
    what_if: WhatIfOpt = False,
    demo: DemoOption = False,
    snapshot: InferenceSnapshotOption = None,
    prometheus: PrometheusUrlOption = None,
    window: InferenceWindowOption = "1h",
    prometheus_token_file: PrometheusTokenFileOption = None,
    prometheus_header: PrometheusHeaderOption = None,
    prometheus_basic_auth_file: PrometheusBasicAuthFileOption = None,
    prometheus_ca_file: PrometheusCaFileOption = None,
    prometheus_insecure: PrometheusInsecureOption = False,
    prometheus_timeout: PrometheusTimeoutOption = DEFAULT_TIMEOUT_S,
    resolution: ResolutionOption = DEFAULT_RESOLUTION,
    instance_family: FamilyOpt = None,
    purchase_option: PurchaseOpt = "on-demand",
    fmt: FormatOption = FormatChoice.table,
    output: OutputOpt = None,
) -> None:
    assumptions = Assumptions(
        region=region, target_utilization=target_utilization, kv_cache_headroom=kv_cache_headroom,
        hours_per_month=hours_per_month, savings_plan_1y_discount=savings_plan_1y_discount,
        savings_plan_3y_discount=savings_plan_3y_discount, max_ttft_ms=max_ttft_ms, max_itl_ms=max_itl_ms,
        measured_throughput=measured_throughput.strip().lower(), measured_utilization_floor=measured_utilization_floor,
        measured_precision=measured_precision.strip().lower())
    stray = given_options(ctx, COMPARE_ONLY if what_if else WHAT_IF_ONLY)
    if stray:
        raise InputError(f"{', '.join(stray)} " + ("do not apply with --what-if" if what_if else
                                                   "only apply with --what-if"), field=stray[0])
    catalog = load_catalog(catalog_dir, overrides)
    if what_if and instance_family is None:
        raise InputError("--what-if needs the target family, e.g. --instance-family g6e", field="--instance-family")
    if not what_if:
        if model is None:
            raise InputError("missing; give a model name (e.g. Llama-3.1-70B) or a parameter count (e.g. 70b)",
                             field="--model")
        demand = make_demand(input_tokens_per_month=input_tokens_per_month,
                             output_tokens_per_month=output_tokens_per_month, requests_per_month=requests_per_month,
                             input_tokens_per_request=input_tokens_per_request,
                             output_tokens_per_request=output_tokens_per_request)
    now = datetime.now(UTC).replace(microsecond=0)
    with source_window(
        ctx, now=now, window=window, resolution=resolution, prometheus=prometheus,
        token_file=prometheus_token_file, headers=prometheus_header, basic_auth_file=prometheus_basic_auth_file,
        ca_file=prometheus_ca_file, insecure=prometheus_insecure, timeout_s=prometheus_timeout,
    ) as (window_hours, history):
        has_source = history is not None or demo or bool(snapshot)
        if what_if:
            if not has_source:
                raise InputError("--what-if needs a source: --demo, --snapshot FILE or --prometheus URL",
                                 field="--what-if")
            assert instance_family is not None
            result = run_what_if(demo=demo, snapshot_files=snapshot or [], window_hours=window_hours,
                                 catalog=catalog, now=now, instance_family=instance_family,
                                 purchase_option=purchase_option, assumptions=assumptions, history=history)
            write_output(render_compare(result, fmt.value), output)
            return
        stray = [] if has_source else given_options(ctx, (*MEASURED, "window"))
        if stray:
            raise InputError(f"{', '.join(stray)} only apply with a source: --demo, --snapshot FILE or "
                             "--prometheus URL", field=stray[0])
        cluster = None
        if has_source:
            cluster = partial(measured_cluster, demo=demo, snapshot_files=snapshot or [], window_hours=window_hours,
                              catalog=catalog, now=now, history=history)
        assert model is not None
        compared = run_compare(model=model, precisions=precision or ["bf16", "fp8", "int4"], demand=demand,
                               assumptions=assumptions, catalog=catalog, api_prices_file=api_prices,
                               api_filters=api, cluster=cluster)
    write_output(render_compare(compared, fmt.value), output)


compare_command.__doc__ = HELP
