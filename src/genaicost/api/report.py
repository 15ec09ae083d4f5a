"""`/report`: the latest collection's Report as JSON (as `genaicost report --format json`)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from genaicost.render import render

router = APIRouter(tags=["report"])


def not_collected_yet() -> JSONResponse:
    """503 JSON before the first successful collection (shared with /recommendations)."""
    return JSONResponse({"code": 503, "message": "no collection has succeeded yet; retry after the first "
                         "collection (see /readyz)"}, status_code=503)


@router.get("/report", summary="The Report of the latest collection (run-rate, 1 h window)")
def latest_report(request: Request) -> Response:
    report = request.app.state.latest_report()
    if report is None:
        return not_collected_yet()
    return Response(json.dumps(json.loads(render(report, "json"))), media_type="application/json")
