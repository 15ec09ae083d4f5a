"""`genaicost recommend`: what to change, with $/month saved, evidence, assumptions and confidence."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from genaicost.app.recommend import build_recommendations, parse_set_options
from genaicost.app.report import parse_list_option
from genaicost.app.spot_prices import SpotPrices
from genaicost.cli.common_options import (
    SOURCES,
    CatalogDirOption,
    DemoOption,
    FormatChoice,
    FormatOption,
    ReportEksSupportOption,
    ReportOutputOption,
    ReportOverridesOption,
    ReportSaveSnapshotOption,
    ReportSnapshotOption,
    ReportSplitOption,
    ReportSpotPricesOption,
    ReportWindowOption,
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
from genaicost.engine.recommend import STRATEGIES
from genaicost.render.recommend import render_recommendations

RECOMMEND = "Recommendations"
HELP = f"""What to change to spend less, each with $/month saved, the evidence, assumptions and a confidence.

Strategies: {", ".join(STRATEGIES)} (docs/recommend.md). Savings are at the report's own prices; the total
counts alternatives on the same node, volume or workload once (the larger). Strategies whose data the source
lacks are listed as skipped, with the reason. Tune them with --set STRATEGY.KEY=VALUE.
"""


@handle_errors
def recommend_command(
    ctx: typer.Context,
    demo: DemoOption = False,
    snapshot: ReportSnapshotOption = None,
    kubeconfig: Annotated[str | None, typer.Option("--kubeconfig", metavar="PATH", rich_help_panel=SOURCES,
                                                   help="Kubeconfig of the live cluster.")] = None,
    context: Annotated[str | None, typer.Option("--context", metavar="NAME", rich_help_panel=SOURCES,
                                                help="Kubeconfig context.")] = None,
    window: ReportWindowOption = "1h",
    strategies: Annotated[str, typer.Option(
        "--strategies", metavar="NAME,NAME", rich_help_panel=RECOMMEND,
        help="Run only these strategies (default: all).")] = "",
    settings: Annotated[list[str] | None, typer.Option(
        "--set", metavar="STRATEGY.KEY=VALUE", rich_help_panel=RECOMMEND,
        help="Override a strategy setting, e.g. rightsizing.headroom=0.3, savings-plans.discount_rate=0.28; "
        "repeat for several.")] = None,
    split: ReportSplitOption = SplitChoice.residual,
    eks_support: ReportEksSupportOption = None,
    catalog_dir: CatalogDirOption = None,
    overrides: ReportOverridesOption = None,
    spot_prices: ReportSpotPricesOption = SpotPrices.auto,
    fmt: FormatOption = FormatChoice.table,
    output: ReportOutputOption = None,
    prometheus: PrometheusUrlOption = None,
    prometheus_token_file: PrometheusTokenFileOption = None,
    prometheus_header: PrometheusHeaderOption = None,
    prometheus_basic_auth_file: PrometheusBasicAuthFileOption = None,
    prometheus_ca_file: PrometheusCaFileOption = None,
    prometheus_insecure: PrometheusInsecureOption = False,
    prometheus_timeout: PrometheusTimeoutOption = DEFAULT_TIMEOUT_S,
    resolution: ResolutionOption = DEFAULT_RESOLUTION,
    save_snapshot: ReportSaveSnapshotOption = None,
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    overrides_by_strategy = parse_set_options(settings or [])
    options = report_options(split=split, share_idle=False, shared_namespaces="", share_overhead=False,
                             eks_support=eks_support)
    catalog, session = load_pricing(catalog_dir, overrides, spot_prices)
    with source_window(
        ctx, now=now, window=window, resolution=resolution, prometheus=prometheus, token_file=prometheus_token_file,
        headers=prometheus_header, basic_auth_file=prometheus_basic_auth_file, ca_file=prometheus_ca_file,
        insecure=prometheus_insecure, timeout_s=prometheus_timeout,
    ) as (window_hours, history):
        result = build_recommendations(
            demo=demo, snapshot_files=snapshot or [], kubeconfig=kubeconfig, context=context,
            window_hours=window_hours, options=options, catalog=catalog, now=now,
            strategies=parse_list_option(strategies) or None, overrides=overrides_by_strategy, history=history,
            save_snapshot_to=save_snapshot, spot_prices=spot_prices, aws_session=session,
        )
    write_output(render_recommendations(result, fmt.value), output)


recommend_command.__doc__ = HELP
