"""The web dashboard: `GET /` (the page) and `GET /static/<file>` (its assets), all shipped in the package.

The page holds no data: its script calls the API (`/report`, `/allocation`, `/inference`) with the bearer
token the user gives (URL fragment `#token=…` or the form; kept in sessionStorage). Charts use plotly.js
from the installed `plotly` Python package (package_data/plotly.min.js), so nothing comes from a CDN.
See docs/dashboard.md.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import plotly
from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, HTMLResponse

router = APIRouter(tags=["dashboard"])

STATIC_PACKAGE = "genaicost.api"
MEDIA_TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml",
               ".png": "image/png"}
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
# The page changes with the package version; the 4.6 MB plotly bundle with the plotly package.
CACHE_CONTROL = "no-cache"


def static_dir() -> Path:
    return Path(str(resources.files(STATIC_PACKAGE).joinpath("static")))


def static_files() -> dict[str, Path]:
    """Name → file of every asset served under /static/ (a fixed set: nothing outside it is reachable)."""
    files = {p.name: p for p in static_dir().iterdir() if p.is_file() and p.suffix in MEDIA_TYPES}
    files["plotly.min.js"] = PLOTLY_JS
    return files


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def index() -> HTMLResponse:
    html = (static_dir() / "index.html").read_text(encoding="utf-8")
    return HTMLResponse(html, headers={"Cache-Control": CACHE_CONTROL})


@router.get("/static/{name}", include_in_schema=False)
def asset(name: str) -> FileResponse:
    path = static_files().get(name)
    if path is None or not path.is_file():
        raise HTTPException(status_code=404, detail=f"no dashboard asset {name!r}")
    return FileResponse(path, media_type=MEDIA_TYPES[path.suffix], headers={"Cache-Control": CACHE_CONTROL})
