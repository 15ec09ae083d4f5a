"""`GET /forecast`: daily cost forecast from the history store (the use case of `genaicost forecast --store`).

Parameters: horizon (days, default 14), aggregate (namespace, model, label:KEY; none = the cluster total),
cluster, backtest (true/false), anomalies (true/false) with baselineDays, thresholdPct, minSpendUsd, fill
(error, zero, linear; default linear). The answer is the JSON of `genaicost forecast --format json` (money
rounded half-even to cents); a store without a complete day answers 400 with the reason.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from genaicost.app.api_params import api_bool
from genaicost.app.forecast import AnomalySettings, ForecastRequest, forecast_from_store
from genaicost.app.forecast_render import render_forecast

router = APIRouter(tags=["forecast"])


@router.get("/forecast", summary="Daily cost forecast with 80 / 95 % intervals and the month-end projection")
async def forecast(
    request: Request,
    horizon: Annotated[int, Query(ge=1, le=366, description="Days to forecast")] = 14,
    aggregate: Annotated[str | None, Query(description="namespace, model or label:KEY; none: the total")] = None,
    cluster: Annotated[str | None, Query(description="Only this cluster")] = None,
    backtest: Annotated[str | None, Query(description="true: add the 7-day-ahead rolling-origin backtest")] = None,
    anomalies: Annotated[str | None, Query(description="true: add spend-change anomalies")] = None,
    baseline_days: Annotated[int, Query(alias="baselineDays", ge=1)] = 7,
    threshold_pct: Annotated[float, Query(alias="thresholdPct", gt=0)] = 50.0,
    min_spend_usd: Annotated[float, Query(alias="minSpendUsd", ge=0)] = 10.0,
    fill: Annotated[str, Query(description="Missing days: error, zero or linear")] = "linear",
) -> dict[str, Any]:
    req = ForecastRequest(
        horizon_days=horizon, today=datetime.now(UTC).date(), run_backtest=api_bool(backtest, "backtest", False),
        anomalies=AnomalySettings(baseline_days, threshold_pct, min_spend_usd)
        if api_bool(anomalies, "anomalies", False) else None, fill_rule=fill)
    result = await run_in_threadpool(forecast_from_store, request.app.state.store, req, cluster=cluster,
                                     aggregate=aggregate)
    rounded: dict[str, Any] = json.loads(render_forecast(result, "json"))
    return rounded
