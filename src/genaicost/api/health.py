"""`/healthz` (the process runs) and `/readyz` (the store answers and one collection succeeded)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="200 while the process runs")
def healthz() -> dict[str, Any]:
    return {"code": 200, "status": "ok"}


@router.get("/readyz", summary="200 when the store answers and a collection succeeded, else 503")
def readyz(request: Request) -> JSONResponse:
    state = request.app.state.serve_state
    if not request.app.state.store.ping():
        return JSONResponse({"code": 503, "message": "the history store does not answer"}, status_code=503)
    if not state.ready:
        why = f"; last error: {state.last_error}" if state.last_error else ""
        return JSONResponse({"code": 503, "message": f"no collection has succeeded yet{why}"}, status_code=503)
    return JSONResponse({"code": 200, "status": "ready",
                         "last_collection": state.last_success_at.isoformat().replace("+00:00", "Z")})
