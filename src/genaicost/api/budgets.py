"""`/budgets` and `/alerts`: the budgets of `genaicost serve --budgets FILE` and the alerts (docs/budgets.md).

`app.state.budgets` is the BudgetsMonitor (None when serve runs without --budgets: both routes answer 404).
/budgets is the last evaluation (after the latest collection); /alerts the firing alerts of the alert state in
the store and the latest notification deliveries.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from genaicost.api.errors import error_response
from genaicost.app.budgets_monitor import BudgetsMonitor
from genaicost.store.alerts import load_alert_state, recent_deliveries

router = APIRouter(tags=["budgets"])
NOT_CONFIGURED = "no budgets: start genaicost serve with --budgets FILE (docs/budgets.md)"


def _monitor(request: Request) -> BudgetsMonitor | None:
    monitor = getattr(request.app.state, "budgets", None)
    return monitor if isinstance(monitor, BudgetsMonitor) else None


@router.get("/budgets", summary="Each budget's status over its current period (after the latest collection)")
def budgets(request: Request) -> JSONResponse:
    monitor = _monitor(request)
    if monitor is None:
        return error_response(404, NOT_CONFIGURED)
    result, at, error = monitor.snapshot()
    body: dict[str, Any] = {"file": monitor.loaded.source, "evaluated_at": at.isoformat() if at else None,
                            "error": error}
    if result is None:
        body.update({"as_of": None, "budgets": [], "alerts": [], "warnings": [], "notes": [
            "not evaluated yet: the budgets are evaluated after each successful collection"]})
    else:
        full = result.to_json()
        body.update({k: full[k] for k in ("as_of", "budgets", "alerts", "warnings", "notes")})
    return JSONResponse(body)


@router.get("/alerts", summary="Firing alerts (alert state in the store) and the latest notification deliveries")
def alerts(request: Request, deliveries: int = Query(20, ge=0, le=1000,
                                                     description="how many delivery records")) -> JSONResponse:
    monitor = _monitor(request)
    if monitor is None:
        return error_response(404, NOT_CONFIGURED)
    store = request.app.state.store
    state = load_alert_state(store)
    firing = sorted((e for e in state.entries.values()), key=lambda e: (e.alert.starts_at, e.alert.key))
    return JSONResponse({
        "alerts": [{**e.alert.model_dump(mode="json"),
                    "last_notified_at": e.last_notified_at.isoformat() if e.last_notified_at else None}
                   for e in firing],
        "deliveries": recent_deliveries(store, deliveries),
    })
