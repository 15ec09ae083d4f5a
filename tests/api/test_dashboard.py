"""The dashboard page and its assets, in-process: everything ships in the package, nothing from a CDN."""

from __future__ import annotations

import re
from pathlib import Path

import plotly
from fastapi import FastAPI
from test_metrics import get

from genaicost.api import dashboard


def dashboard_app() -> FastAPI:
    app = FastAPI()
    app.include_router(dashboard.router)
    return app


def test_page_loads_its_assets_from_static_only() -> None:
    resp = get(dashboard_app(), "/")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/html")
    refs = re.findall(r'(?:src|href)="([^"]+)"', resp.text)
    assert {"/static/plotly.min.js", "/static/dashboard.js", "/static/dashboard.css"} <= set(refs)
    assert not [r for r in refs if "//" in r and r != "/docs"]   # no CDN, no absolute URL


def test_plotly_comes_from_the_installed_plotly_package() -> None:
    resp = get(dashboard_app(), "/static/plotly.min.js")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/javascript")
    bundled = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert resp.content == bundled.read_bytes() and len(resp.content) > 1_000_000


def test_own_assets_and_unknown_names() -> None:
    app = dashboard_app()
    js = get(app, "/static/dashboard.js")
    assert js.status_code == 200 and "Authorization" in js.text and "sessionStorage" in js.text
    assert get(app, "/static/dashboard.css").headers["content-type"].startswith("text/css")
    assert get(app, "/static/no-such.js").status_code == 404
    assert get(app, "/static/..%2Fmetrics.py").status_code == 404
