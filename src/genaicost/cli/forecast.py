"""`genaicost forecast`: daily cost forecast with 80 / 95 % intervals, month-end projection, backtest, anomalies."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from genaicost.app.forecast import (
    AnomalySettings,
    ForecastRequest,
    forecast_from_csv,
    forecast_from_store,
)
from genaicost.app.forecast_render import render_forecast
from genaicost.cli.common_options import write_output
from genaicost.cli.errors import handle_errors
from genaicost.domain.errors import InputError
from genaicost.store import open_store

HELP = """Forecast daily cost with 80 % and 95 % prediction intervals and project the month's total.

History: a CSV `date,cost_usd[,key]` (--history; one forecast per key when it has a key column) or the
`genaicost serve` store (--store URL; complete UTC days before today; --aggregate namespace|model|label:KEY for
one forecast per key). Model: ETS with trend and weekly seasonality from 14 days, a linear trend from 4, the
mean from 2 (docs/forecast.md). --backtest adds a rolling-origin backtest of 7-day-ahead daily costs (MAPE and
interval coverage, in percent); --anomalies lists days whose cost moved more than the threshold from the mean of
the days before.
"""


class ForecastFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


class GapRule(StrEnum):
    error = "error"
    zero = "zero"
    linear = "linear"


@handle_errors
def forecast_command(
    history: Annotated[Path | None, typer.Option("--history", metavar="FILE.csv",
                                                 help="Daily costs: date,cost_usd[,key].")] = None,
    store: Annotated[str | None, typer.Option("--store", metavar="URL", help="History store of serve.")] = None,
    cluster: Annotated[str | None, typer.Option(help="Only this cluster of the store.")] = None,
    aggregate: Annotated[str | None, typer.Option(help="With --store: namespace, model or label:KEY.")] = None,
    horizon: Annotated[int, typer.Option(help="Days to forecast (1..366).")] = 14,
    backtest: Annotated[bool, typer.Option("--backtest", help="Rolling-origin backtest, 7 days ahead.")] = False,
    anomalies: Annotated[bool, typer.Option("--anomalies", help="Spend changes vs a moving baseline.")] = False,
    baseline_days: Annotated[int, typer.Option(help="Days in the anomaly baseline.")] = 7,
    anomaly_threshold_pct: Annotated[float, typer.Option(help="Change from the baseline that is an anomaly, %.")]
    = 50.0,
    anomaly_min_spend: Annotated[float, typer.Option(help="Ignore days where cost and baseline are below this, "
                                                     "USD/day.")] = 10.0,
    fill_gaps: Annotated[GapRule | None, typer.Option(help="Missing days: error (CSV default), zero, linear "
                                                      "(store default).")] = None,
    today: Annotated[str | None, typer.Option(metavar="YYYY-MM-DD", help="Day the month-end is for (default: "
                                              "today, UTC).")] = None,
    fmt: Annotated[ForecastFormat, typer.Option("--format", help="Output format.")] = ForecastFormat.table,
    output: Annotated[Path | None, typer.Option("--output", "-o", metavar="FILE", help="Write here (atomically).")]
    = None,
) -> None:
    if (history is None) == (store is None):
        raise InputError("give exactly one of --history FILE.csv or --store URL", field="--history/--store")
    if history is not None and (aggregate or cluster):
        raise InputError("--aggregate and --cluster apply to --store; a CSV's key column is its aggregate",
                         field="--aggregate")
    request = ForecastRequest(
        horizon_days=horizon, today=_today(today), run_backtest=backtest,
        anomalies=AnomalySettings(baseline_days, anomaly_threshold_pct, anomaly_min_spend) if anomalies else None,
        fill_rule=(fill_gaps.value if fill_gaps else ("error" if history is not None else "linear")))
    if history is not None:
        result = forecast_from_csv(history, request)
    else:
        assert store is not None
        opened = open_store(store)
        try:
            result = forecast_from_store(opened, request, cluster=cluster, aggregate=aggregate)
        finally:
            opened.close()
    write_output(render_forecast(result, fmt.value), output)


def _today(text: str | None) -> date:
    if text is None:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{text!r}; expected YYYY-MM-DD", field="--today") from None


forecast_command.__doc__ = "\n\n".join(" ".join(par.split()) for par in HELP.split("\n\n"))
