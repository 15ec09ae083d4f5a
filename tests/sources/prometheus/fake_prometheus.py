"""A local HTTP server on 127.0.0.1 that answers like the Prometheus HTTP API, for client tests.

Replies are queued (`reply(...)`) and served in order; when the queue is empty, `responder(params)` (if set)
or an empty vector answers. Every request is recorded with its method, path, parameters and headers.
"""

from __future__ import annotations

import json
import ssl
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

EMPTY_VECTOR = {"status": "success", "data": {"resultType": "vector", "result": []}}


@dataclass
class Reply:
    status: int = 200
    body: dict[str, Any] | str = field(default_factory=lambda: EMPTY_VECTOR)
    delay_s: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Recorded:
    method: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]


class FakePrometheus:
    def __init__(self, tls: tuple[Path, Path] | None = None) -> None:
        """`tls=(cert_pem, key_pem)` serves HTTPS."""
        self.replies: deque[Reply] = deque()
        self.requests: list[Recorded] = []
        self.responder: Callable[[dict[str, str]], Reply] | None = None
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._scheme = "http"
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(str(tls[0]), str(tls[1]))
            self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
            self._scheme = "https"
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"{self._scheme}://{host!s}:{port}"

    def reply(self, status: int = 200, body: dict[str, Any] | str | None = None, *, delay_s: float = 0.0,
              headers: dict[str, str] | None = None) -> None:
        self.replies.append(Reply(status, EMPTY_VECTOR if body is None else body, delay_s, headers or {}))

    def start(self) -> FakePrometheus:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def _next(self, recorded: Recorded) -> Reply:
        with self._lock:
            self.requests.append(recorded)
            if self.replies:
                return self.replies.popleft()
        return self.responder(recorded.params) if self.responder else Reply()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                split = urlsplit(self.path)
                self._answer("GET", split.path, split.query)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                self._answer("POST", urlsplit(self.path).path, self.rfile.read(length).decode())

            def _answer(self, method: str, path: str, encoded: str) -> None:
                params = {k: v[-1] for k, v in parse_qs(encoded, keep_blank_values=True).items()}
                reply = fake._next(Recorded(method, path, params, dict(self.headers.items())))
                time.sleep(reply.delay_s)
                payload = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
                try:
                    self.send_response(reply.status)
                    content_type = "text/html" if isinstance(reply.body, str) else "application/json"
                    self.send_header("Content-Type", content_type)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(payload.encode())))
                    self.end_headers()
                    self.wfile.write(payload.encode())
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


def vector(*series: tuple[dict[str, str], float | str], at_s: float = 1717000000.123) -> dict[str, Any]:
    result = [{"metric": metric, "value": [at_s, str(value)]} for metric, value in series]
    return {"status": "success", "data": {"resultType": "vector", "result": result}}


def error(error_type: str, message: str) -> dict[str, Any]:
    return {"status": "error", "errorType": error_type, "error": message}
