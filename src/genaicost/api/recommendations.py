"""`/recommendations`: `genaicost recommend`'s output for the latest collection (its JSON document)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from genaicost.api.report import not_collected_yet

router = APIRouter(tags=["recommendations"])


@router.get("/recommendations", summary="Recommendations with $/month saved, from the latest collection")
def latest_recommendations(request: Request) -> JSONResponse:
    report = request.app.state.latest_report()
    if report is None:
        return not_collected_yet()
    if report.recommendations is None:
        return JSONResponse({"code": 404, "message": "this server collects without recommendations "
                             "(CollectSettings.recommendations is off)"}, status_code=404)
    return JSONResponse(report.recommendations.model_dump(mode="json"))
