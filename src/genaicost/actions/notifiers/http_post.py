"""Shared HTTP settings and the JSON POST every HTTP notifier makes (httpx)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from pydantic import AnyHttpUrl, Field, field_validator

from genaicost.actions.notifiers.base import DeliveryError, NotifierSettings

RETRYABLE_STATUS = frozenset({408, 425, 429})


class HttpSettings(NotifierSettings):
    url: AnyHttpUrl = Field(description="http:// or https:// URL the alerts are POSTed to")
    headers: dict[str, str] = Field(default_factory=dict, description="extra request headers")
    bearer_token_file: Path | None = Field(
        default=None, description="file holding a token sent as `Authorization: Bearer …` (read at each send)")
    timeout_s: float = Field(default=10.0, gt=0, le=300)

    @field_validator("bearer_token_file")
    @classmethod
    def _readable(cls, path: Path | None) -> Path | None:
        if path is not None and not path.is_file():
            raise ValueError(f"{path} is not a readable file")
        return path


def request_headers(settings: HttpSettings) -> dict[str, str]:
    headers = {"Content-Type": "application/json", "User-Agent": "genaicost", **settings.headers}
    if settings.bearer_token_file is not None:
        try:
            token = settings.bearer_token_file.read_text(encoding="utf-8").strip()
        except OSError as err:
            raise DeliveryError(f"cannot read bearer_token_file {settings.bearer_token_file}: {err}") from None
        headers["Authorization"] = f"Bearer {token}"
    return headers


def post_json(settings: HttpSettings, url: str, payload: Any) -> None:
    """POST `payload` as JSON; DeliveryError on a transport error or a non-2xx answer (4xx other than
    408/425/429 is permanent: the same request would be refused again)."""
    try:
        response = httpx.post(url, json=payload, headers=request_headers(settings), timeout=settings.timeout_s)
    except httpx.HTTPError as err:
        raise DeliveryError(f"POST {url} failed: {type(err).__name__}: {err}") from None
    if response.is_success:
        return
    permanent = 400 <= response.status_code < 500 and response.status_code not in RETRYABLE_STATUS
    raise DeliveryError(
        f"POST {url} answered {response.status_code} {response.reason_phrase}: {response.text[:300]}",
        permanent=permanent, status_code=response.status_code)
