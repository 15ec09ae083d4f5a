"""A small Prometheus HTTP API client: instant and range queries as Polars frames, with retries.

Works with any Prometheus-compatible URL (Prometheus, Amazon Managed Prometheus behind a signing proxy,
Thanos, Mimir, VictoriaMetrics): `base_url` is the prefix in front of `/api/v1/...`.
"""

from __future__ import annotations

import ssl
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlencode

import httpx
import polars as pl

from genaicost.domain.errors import InputError
from genaicost.sources.prometheus.results import instant_frame, range_frame

POST_ABOVE_CHARS = 1500         # a longer urlencoded query is sent as a POST form (URL-length limits)
MAX_POINTS_PER_SERIES = 11_000  # Prometheus rejects range queries with more points per series
BODY_EXCERPT_CHARS = 300
QUERY_EXCERPT_CHARS = 300
RETRY_AFTER_MAX_S = 30.0


class PrometheusError(InputError):
    """Prometheus could not answer a query: names the URL, the query and what happened."""

    def __init__(self, message: str, *, url: str, query: str) -> None:
        self.url = url
        self.query = query
        super().__init__(f"{message}; query: {_excerpt(query, QUERY_EXCERPT_CHARS)}", source=f"Prometheus at {url}")


class _Retryable(Exception):
    """One attempt failed in a way worth retrying; `message` says how, `delay_s` any server-asked wait."""

    def __init__(self, message: str, delay_s: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.delay_s = delay_s


class PrometheusClient:
    """`instant(query, at)` and `range(query, start, end, step_s)` against `<base_url>/api/v1/...`.

    `query_count` counts queries (one per `instant`/`range` call), not HTTP attempts: a query retried
    three times counts once. `request_count` counts HTTP attempts, retries included.
    `warnings` collects the `warnings` Prometheus returned with successful answers (deduplicated, in order).
    """

    def __init__(self, base_url: str, *, bearer_token: str | None = None,
                 basic_auth: tuple[str, str] | None = None, headers: dict[str, str] | None = None,
                 verify: bool | str | Path = True, timeout_s: float = 30.0, retries: int = 3,
                 backoff_s: float = 0.5, transport: httpx.BaseTransport | None = None,
                 concurrency: int = 4) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise InputError(f"Prometheus URL {base_url!r}: expected http://HOST:PORT or https://HOST[/prefix]",
                             field="--prometheus")
        if retries < 0 or backoff_s < 0 or timeout_s <= 0 or concurrency < 1:
            raise ValueError("retries and backoff_s must be >= 0, timeout_s > 0 and concurrency >= 1")
        self.concurrency = concurrency
        self._count_lock = threading.Lock()
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.retries = retries
        self.backoff_s = backoff_s
        self.query_count = 0
        self.request_count = 0
        self.warnings: list[str] = []
        self._http = httpx.Client(
            headers=_headers(bearer_token, headers), auth=basic_auth, verify=_ssl_verify(verify),
            timeout=timeout_s, transport=transport, follow_redirects=True,
        )

    def instant(self, query: str, at: datetime) -> pl.DataFrame:
        """Evaluate `query` at `at`: one row per series, a String column per label, `value` Float64."""
        data = self._query("/api/v1/query", query, {"time": _unix(at, "at")})
        try:
            return instant_frame(data)
        except ValueError as exc:
            raise PrometheusError(str(exc), url=self.base_url, query=query) from None

    def instant_many(self, queries: list[tuple[str, datetime]]) -> list[pl.DataFrame]:
        """`instant` for each (query, at), up to `concurrency` at a time; results in the given order.

        The per-chunk queries of a long window are independent; Prometheus evaluates concurrent queries on
        its own cores (`--query.max-concurrency`, 20 by default), so this divides the wall time."""
        if self.concurrency == 1 or len(queries) < 2:
            return [self.instant(query, at) for query, at in queries]
        with ThreadPoolExecutor(max_workers=min(self.concurrency, len(queries))) as pool:
            return list(pool.map(lambda qa: self.instant(*qa), queries))

    def range(self, query: str, start: datetime, end: datetime, step_s: float) -> pl.DataFrame:
        """Evaluate `query` over [start, end] every `step_s`: labels + `timestamp` (UTC) + `value`, a row per point."""
        _check_range(self.base_url, query, start, end, step_s)
        params = {"start": _unix(start, "start"), "end": _unix(end, "end"), "step": f"{step_s:g}"}
        data = self._query("/api/v1/query_range", query, params)
        try:
            return range_frame(data)
        except ValueError as exc:
            raise PrometheusError(str(exc), url=self.base_url, query=query) from None

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> PrometheusClient:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _query(self, path: str, query: str, params: dict[str, str]) -> dict[str, Any]:
        with self._count_lock:
            self.query_count += 1
        form = {"query": query, **params, "timeout": f"{self.timeout_s:g}s"}
        last, last_delay = "", None
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self._delay_s(attempt, last_delay))
            try:
                body = self._attempt(self.base_url + path, query, form)
            except _Retryable as failure:
                last, last_delay = failure.message, failure.delay_s
                continue
            self._keep_warnings(body)
            data: dict[str, Any] = body["data"]
            return data
        tries = f"{self.retries + 1} attempts" if self.retries else "1 attempt"
        raise PrometheusError(f"{last} (gave up after {tries})", url=self.base_url, query=query)

    def _delay_s(self, attempt: int, asked_s: float | None) -> float:
        """Exponential backoff (backoff_s, 2×, 4×, …), or longer when the server sent Retry-After (capped)."""
        backoff: float = self.backoff_s * 2.0 ** (attempt - 1)
        return max(backoff, min(asked_s, RETRY_AFTER_MAX_S)) if asked_s is not None else backoff

    def _attempt(self, url: str, query: str, form: dict[str, str]) -> dict[str, Any]:
        with self._count_lock:
            self.request_count += 1
        try:
            if len(urlencode(form)) > POST_ABOVE_CHARS:
                response = self._http.post(url, data=form)
            else:
                response = self._http.get(url, params=form)
        except httpx.TimeoutException:
            raise _Retryable(f"no answer within {self.timeout_s:g} s (timeout)") from None
        except httpx.ConnectError as exc:
            if _is_certificate_failure(exc):
                raise PrometheusError(
                    f"TLS certificate not trusted ({exc}); give the CA bundle with --prometheus-ca-file, "
                    "or --prometheus-insecure to skip verification", url=self.base_url, query=query) from None
            raise _Retryable(f"could not connect ({exc}); is Prometheus running at {self.base_url}?") from None
        except httpx.TransportError as exc:
            raise _Retryable(f"connection failed ({type(exc).__name__}: {exc})") from None
        return self._body(response, query)

    def _body(self, response: httpx.Response, query: str) -> dict[str, Any]:
        body = _json_or_none(response)
        status = response.status_code
        if status >= 500 or status == 429:
            raise _Retryable(_http_failure(response, body), _retry_after_s(response))
        if status >= 300 or body is None or body.get("status") != "success":
            raise PrometheusError(_http_failure(response, body), url=self.base_url, query=query)
        if not isinstance(body.get("data"), dict):
            raise PrometheusError("answer has no 'data' object", url=self.base_url, query=query)
        return body

    def _keep_warnings(self, body: dict[str, Any]) -> None:
        with self._count_lock:
            for warning in body.get("warnings") or []:
                if str(warning) not in self.warnings:
                    self.warnings.append(str(warning))


def _headers(bearer_token: str | None, extra: dict[str, str] | None) -> dict[str, str]:
    headers = {"Accept": "application/json", "User-Agent": "genaicost"}
    if bearer_token:
        headers["Authorization"] = f"Bearer {bearer_token.strip()}"
    headers.update(extra or {})
    return headers


def _ssl_verify(verify: bool | str | Path) -> bool | ssl.SSLContext:
    if isinstance(verify, bool):
        return verify
    path = Path(verify)
    if not path.is_file():
        raise InputError(f"CA file {str(path)!r} does not exist; give a PEM bundle", field="--prometheus-ca-file")
    try:
        return ssl.create_default_context(cafile=str(path))
    except ssl.SSLError as exc:
        raise InputError(f"CA file {str(path)!r} is not a PEM certificate bundle ({exc})",
                         field="--prometheus-ca-file") from None


def _unix(moment: datetime, name: str) -> str:
    if moment.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware (UTC), got {moment.isoformat()}")
    return f"{moment.timestamp():.3f}"


def _check_range(url: str, query: str, start: datetime, end: datetime, step_s: float) -> None:
    if step_s <= 0:
        raise PrometheusError(f"range step must be positive, got {step_s:g} s", url=url, query=query)
    span_s = (end - start).total_seconds()
    if span_s < 0:
        raise PrometheusError(f"range end {end.isoformat()} is before start {start.isoformat()}", url=url, query=query)
    if span_s / step_s + 1 > MAX_POINTS_PER_SERIES:
        raise PrometheusError(
            f"range of {span_s:g} s at a {step_s:g} s step is more than Prometheus' {MAX_POINTS_PER_SERIES} points "
            "per series; use a coarser --resolution, a shorter window, or chunked instant queries",
            url=url, query=query,
        )


def _is_certificate_failure(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _json_or_none(response: httpx.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _http_failure(response: httpx.Response, body: dict[str, Any] | None) -> str:
    status = response.status_code
    if body is not None and (body.get("errorType") or body.get("error")):
        return f"HTTP {status}, Prometheus {body.get('errorType', 'error')}: {body.get('error', '')}"
    text = _excerpt(response.text.strip(), BODY_EXCERPT_CHARS) or "(empty body)"
    hint = {401: "; check the token or basic-auth credentials", 403: "; check the token or basic-auth credentials",
            404: "; is the URL the Prometheus base (without /api/v1)?"}.get(status, "")
    if 200 <= status < 300:
        return f"HTTP {status} but not a Prometheus API answer (is the URL a Prometheus server?): {text}"
    return f"HTTP {status}{hint}: {text}"


def _retry_after_s(response: httpx.Response) -> float | None:
    try:
        return float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None


def _excerpt(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
