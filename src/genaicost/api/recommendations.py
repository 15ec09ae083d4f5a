"""`/recommendations`: `genaicost recommend`'s output for the latest collection (its JSON document)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(tags=["recommendations"])


@router.get("/recommendations", summary="Recommendations with $/month saved, from the latest collection")
def latest_recommendations(request: Request) -> JSONResponse:
    report = request.app.state.latest_report()
    if report is None:
        return JSONResponse({"code": 503, "message": "no collection has succeeded yet; retry after the first "
                             "collection (see /readyz)"}, status_code=503)
    if report.recommendations is None:
        return JSONResponse({"code": 404, "message": "this server collects without recommendations "
                             "(CollectSettings.recommendations is off)"}, status_code=404)
    return JSONResponse(report.recommendations.model_dump(mode="json"))
