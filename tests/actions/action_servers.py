"""Helpers of the action tests: a recording HTTP server on loopback (webhook / Slack / Alertmanager webhooks and
the recorded Kubernetes API), an alert factory and the Alertmanager process handle."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from genaicost.domain.alert import Alert

INSTALL_HINT = "run scripts/install-services.sh (apt-get install prometheus-alertmanager)"


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Recorder:
    """Records every request; `handler(request) -> (status, body)` decides the answer (default 200 {})."""

    url: str = ""
    requests: list[Request] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)  # answered in order, then 200
    handler: Callable[[Request], tuple[int, bytes]] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, request: Request) -> tuple[int, bytes]:
        with self.lock:
            self.requests.append(request)
            if self.handler is not None:
                return self.handler(request)
            status = self.statuses.pop(0) if self.statuses else 200
        return status, b'{"error":"try again"}' if status >= 400 else b"{}"


def serve(recorder: Recorder) -> Iterator[Recorder]:
    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            request = Request(self.command, self.path, {k.lower(): v for k, v in self.headers.items()},
                              self.rfile.read(length))
            status, body = recorder.answer(request)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _handle

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    recorder.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield recorder
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def make_alert(n: int = 1, **changes: Any) -> Alert:
    base: dict[str, Any] = {
        "key": f"budget:llm-monthly:threshold:{80 + n}:actual", "rule": "threshold", "budget": "llm-monthly",
        "severity": "warning", "summary": f"llm-monthly at {80 + n}% of $1,000.00 (actual)", "value": 800.0 + n,
        "threshold": 80.0 + n, "labels": {"namespace": "llm", "team-name": "search"},
        "starts_at": datetime(2026, 11, 28, 9, 30, tzinfo=UTC),
    }
    return Alert.model_validate({**base, **changes})


@dataclass
class AlertmanagerServer:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path


def wait_ready(server: AlertmanagerServer, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"alertmanager exited: {server.log_path.read_text()}")
        try:
            if httpx.get(f"{server.url}/-/ready", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"alertmanager not ready after {timeout_s} s: {server.log_path.read_text()}")


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch, as the API server applies `application/merge-patch+json`."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


@dataclass
class RecordedKubeApi:
    """Serves recorded objects by API path (GET) and applies merge patches to them (PATCH), recording requests;
    `failures` maps (method, path) to (status, recorded Status file)."""

    data: Path
    objects: dict[str, Any] = field(default_factory=dict)
    failures: dict[tuple[str, str], tuple[int, str]] = field(default_factory=dict)
    token: str = "actions-token-0123"

    def add(self, path: str, file: str) -> None:
        self.objects[path] = json.loads((self.data / file).read_text())

    def answer(self, request: Request) -> tuple[int, bytes]:
        path = request.path.split("?")[0]
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return 401, b'{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Unauthorized","code":401}'
        if (request.method, path) in self.failures:
            status, file = self.failures[(request.method, path)]
            return status, (self.data / file).read_bytes()
        if path not in self.objects:
            return 404, json.dumps({"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound",
                                    "message": f"{path} not found", "code": 404}).encode()
        if request.method == "PATCH":
            if request.headers.get("content-type") != "application/merge-patch+json":
                return 415, b'{"kind":"Status","code":415,"message":"unsupported patch type"}'
            self.objects[path] = merge_patch(self.objects[path], request.json())
        elif request.method != "GET":
            return 405, b'{"kind":"Status","code":405,"message":"method not allowed"}'
        return 200, json.dumps(self.objects[path]).encode()

    def writes(self, recorder: Recorder) -> list[Request]:
        return [r for r in recorder.requests if r.method != "GET"]
