"""`GET /allocation`: OpenCost-compatible parameters and response shape over the history store."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from genaicost.app.allocation_query import AllocationQuery, parse_aggregate, query_allocation
from genaicost.app.api_params import api_bool, api_step, api_window

router = APIRouter(tags=["allocation"])

WINDOW_HELP = ("7d, 24h, 30m, today, yesterday, week, lastweek, month, lastmonth, START,END in RFC3339, "
               "or a pair of Unix seconds")


@router.get("/allocation", summary="Cost per aggregate over a window, in OpenCost's /allocation shape")
async def allocation(
    request: Request,
    window: Annotated[str, Query(description=WINDOW_HELP)],
    aggregate: Annotated[str | None, Query(description="namespace, node, pod, container, controller, "
                                           "controllerKind, cluster, label:KEY; comma-joined")] = None,
    step: Annotated[str | None, Query(description="Duration of one set (1h, 6h, 1d, 1w); default the window")]
    = None,
    accumulate: Annotated[str | None, Query(description="true: one set summing every step")] = None,
    include_idle: Annotated[str | None, Query(alias="includeIdle", description="Add the __idle__ line(s)")] = None,
    share_idle: Annotated[str | None, Query(alias="shareIdle", description="Spread idle over the lines in "
                                            "proportion to their cost")] = None,
    idle_by_node: Annotated[str | None, Query(alias="idleByNode", description="Idle per node: <node>/__idle__ "
                                              "lines, or shared per node")] = None,
    resolution: Annotated[str | None, Query(description="Accepted for compatibility; the store is hourly")]
    = None,
) -> JSONResponse:
    now = datetime.now(UTC)
    win = api_window(window, now)
    query = AllocationQuery(
        window=win, aggregate=parse_aggregate(aggregate), step_s=api_step(step, win),
        accumulate=api_bool(accumulate, "accumulate", False),
        include_idle=api_bool(include_idle, "includeIdle", False),
        share_idle=api_bool(share_idle, "shareIdle", False),
        idle_by_node=api_bool(idle_by_node, "idleByNode", False),
    )
    data = await run_in_threadpool(query_allocation, request.app.state.store, query)
    return JSONResponse({"code": 200, "data": data})    # plain JSON types: no jsonable_encoder pass
