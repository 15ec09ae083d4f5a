"""`GET /inference` (per-model unit economics over a window) and `GET /assets` (nodes, OpenCost assets shape)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from genaicost.app.api_params import api_window, window_json
from genaicost.app.assets_query import query_assets
from genaicost.app.inference_query import query_inference

router = APIRouter(tags=["inference"])


@router.get("/inference", summary="Per-model cost, tokens, $/1M tokens (blended, input, output) and requests")
async def inference(request: Request, window: Annotated[str, Query(description="as /allocation")] = "7d"
                    ) -> dict[str, Any]:
    win = api_window(window, datetime.now(UTC))
    models = await run_in_threadpool(query_inference, request.app.state.store, win)
    span = window_json(int(win.start.timestamp()), int(win.end.timestamp()))
    return {"code": 200, "window": span, "data": models}


@router.get("/assets", tags=["assets"], summary="Nodes over a window, in OpenCost's /assets shape")
async def assets(request: Request, window: Annotated[str, Query(description="as /allocation")]) -> dict[str, Any]:
    win = api_window(window, datetime.now(UTC))
    data = await run_in_threadpool(query_assets, request.app.state.store, win)
    return {"code": 200, "data": data}
