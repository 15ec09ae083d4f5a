"""`create_app(settings) -> FastAPI`: the HTTP API of `genaicost serve` (docs/serve.md).

`app.state.settings` (ServeSettings), `app.state.store` (HistoryStore), `app.state.serve_state` (ServeState)
and `app.state.latest_report` (`() -> Report | None`, the last successful collection's run-rate report).
Handlers are thin over app/ use cases; every error is `{"code": <status>, "message": "..."}`.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from fastapi import FastAPI

from genaicost.api import (
    allocation,
    budgets,
    dashboard,
    forecast,
    health,
    inference,
    metrics,
    recommendations,
    report,
)
from genaicost.api.auth import install_auth
from genaicost.api.errors import install_error_handlers
from genaicost.app.serve_settings import ServeSettings
from genaicost.app.serve_state import ServeState
from genaicost.store import HistoryStore, open_store

DESCRIPTION = """Cost of generative-AI workloads on Kubernetes from genaicost's hourly history store.

`/allocation` takes OpenCost's parameters and answers in OpenCost's shape. Every route but `/healthz`, `/readyz`,
`/`, `/static/*` and these docs needs `Authorization: Bearer <token>` unless the server runs with `--no-auth`.
"""


def _version() -> str:
    try:
        return version("genaicost")
    except PackageNotFoundError:
        return "0+unknown"


def create_app(settings: ServeSettings, *, store: HistoryStore | None = None,
               state: ServeState | None = None) -> FastAPI:
    """The FastAPI app over `store` (opened from settings.store_url when not given) and `state`."""
    app = FastAPI(title="genaicost", version=_version(), description=DESCRIPTION)
    app.state.settings = settings
    app.state.store = store if store is not None else open_store(settings.store_url)
    app.state.serve_state = state if state is not None else ServeState()
    app.state.latest_report = app.state.serve_state.latest_report
    install_error_handlers(app)
    install_auth(app, None if settings.auth_disabled else settings.api_token)
    app.include_router(health.router)
    app.include_router(allocation.router)
    app.include_router(inference.router)
    app.include_router(report.router)
    app.include_router(recommendations.router)
    app.include_router(metrics.router)
    app.include_router(dashboard.router)
    app.include_router(budgets.router)
    app.include_router(forecast.router)
    return app
