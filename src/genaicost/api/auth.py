"""Bearer-token auth on every route but the probes, the dashboard page, its assets and the OpenAPI docs."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

from genaicost.api.errors import error_response

OPEN_PATHS = frozenset({"/healthz", "/readyz", "/", "/docs", "/docs/oauth2-redirect", "/openapi.json"})
OPEN_PREFIXES = ("/static/",)


def is_open(path: str) -> bool:
    return path in OPEN_PATHS or path.startswith(OPEN_PREFIXES)


def install_auth(app: FastAPI, token: str | None) -> None:
    """401 JSON unless `Authorization: Bearer <token>`; nothing is checked when `token` is None (--no-auth)."""
    if token is None:
        return
    expected = f"Bearer {token}".encode()

    @app.middleware("http")
    async def _bearer(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if is_open(request.url.path):
            return await call_next(request)
        given = request.headers.get("authorization")
        if given is None:
            return _unauthorized("missing Authorization header; send `Authorization: Bearer <token>`")
        if not hmac.compare_digest(given.encode(), expected):
            return _unauthorized("wrong bearer token in the Authorization header")
        return await call_next(request)


def _unauthorized(message: str) -> Response:
    response = error_response(401, message)
    response.headers["WWW-Authenticate"] = "Bearer"
    return response
