"""Live API source against recorded API JSON served on 127.0.0.1 (no API server can run here)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from polars.testing import assert_frame_equal

from genaicost.domain.errors import InputError
from genaicost.sources.kube_live import load_live
from genaicost.sources.kubectl_json import snapshot_from_objects

TOKEN = "test-token-0123"
CONTINUE = "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6NDgyMTMsInN0YXJ0IjoicG9kcy1wYWdlLTIifQ"
ROUTES = {
    "/api/v1/nodes": "nodes.json",
    "/api/v1/persistentvolumes": "persistentvolumes.json",
    "/api/v1/persistentvolumeclaims": "persistentvolumeclaims.json",
    "/apis/storage.k8s.io/v1/storageclasses": "storageclasses.json",
    "/api/v1/services": "services.json",
    "/apis/apps/v1/replicasets": "replicasets.json",
    "/apis/batch/v1/jobs": "jobs.json",
}


class FakeApi:
    """Serves recorded list responses; `overrides` maps a path to (status, file) to inject failures."""

    def __init__(self, data: Path) -> None:
        self.data = data
        self.overrides: dict[str, tuple[int, Path]] = {}
        self.requests: list[tuple[str, dict[str, list[str]]]] = []

    def answer(self, path: str, query: dict[str, list[str]], auth: str | None) -> tuple[int, bytes]:
        self.requests.append((path, query))
        if auth != f"Bearer {TOKEN}":
            return 401, b'{"kind":"Status","code":401,"message":"Unauthorized"}'
        if path in self.overrides:
            status, file = self.overrides[path]
            return status, file.read_bytes()
        if path == "/api/v1/pods":
            page = "pods_page2.json" if query.get("continue") == [CONTINUE] else "pods_page1.json"
            return 200, (self.data / "api" / page).read_bytes()
        if path == "/apis/metrics.k8s.io/v1beta1/pods":
            return 200, (self.data / "pod_metrics.json").read_bytes()
        if path in ROUTES:
            return 200, (self.data / "api" / ROUTES[path]).read_bytes()
        return 404, b'{"kind":"Status","code":404,"message":"not found"}'


@pytest.fixture
def fake_api(k8s_data: Path) -> Iterator[tuple[FakeApi, str]]:
    api = FakeApi(k8s_data)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlparse(self.path)
            status, body = api.answer(url.path, parse_qs(url.query), self.headers.get("Authorization"))
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield api, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def kubeconfig(tmp_path: Path, fake_api: tuple[FakeApi, str]) -> str:
    server = fake_api[1]
    doc = {
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": "other",
        "clusters": [
            {"name": "recorded", "cluster": {"server": server}},
            {"name": "elsewhere", "cluster": {"server": "http://127.0.0.1:9"}},
        ],
        "users": [{"name": "reader", "user": {"token": TOKEN}}],
        "contexts": [
            {"name": "recorded", "context": {"cluster": "recorded", "user": "reader"}},
            {"name": "other", "context": {"cluster": "elsewhere", "user": "reader"}},
        ],
    }
    path = tmp_path / "kubeconfig"
    path.write_text(json.dumps(doc))  # JSON is valid YAML
    return str(path)


def test_live_snapshot_equals_the_same_objects(
    kubeconfig: str,
    fake_api: tuple[FakeApi, str],
    now: datetime,
    cluster_items: list[dict[str, Any]],
    metrics_items: list[dict[str, Any]],
) -> None:
    snap = load_live(kubeconfig=kubeconfig, context="recorded", now=now, window_hours=1.0)
    used = [i for i in cluster_items if i["kind"] not in ("ConfigMap", "Secret")]
    expected = snapshot_from_objects(used + metrics_items, source="kubernetes-api", now=now)
    for name, df in expected.tables().items():
        assert_frame_equal(snap.tables()[name], df)
    assert snap.cluster == expected.cluster and snap.cluster.source == "kubernetes-api"
    assert snap.containers.height == 13  # 6 pods on page 1 + 5 on page 2, 13 containers
    pod_requests = [q for p, q in fake_api[0].requests if p == "/api/v1/pods"]
    assert [q.get("continue") for q in pod_requests] == [None, [CONTINUE]]
    assert all(q.get("limit") == ["500"] for q in pod_requests)


def test_forbidden_is_a_clear_error(
    kubeconfig: str, fake_api: tuple[FakeApi, str], now: datetime, k8s_data: Path
) -> None:
    fake_api[0].overrides["/api/v1/pods"] = (403, k8s_data / "api" / "forbidden_pods.json")
    with pytest.raises(InputError) as info:
        load_live(kubeconfig=kubeconfig, context="recorded", now=now)
    message = str(info.value)
    assert "refused to list pods (403 Forbidden" in message
    assert 'cannot list resource "pods"' in message and "grant this identity `get`/`list` on pods" in message
    assert fake_api[1] in message


def test_missing_metrics_api_is_a_note(
    kubeconfig: str, fake_api: tuple[FakeApi, str], now: datetime, k8s_data: Path
) -> None:
    fake_api[0].overrides["/apis/metrics.k8s.io/v1beta1/pods"] = (
        404,
        k8s_data / "api" / "metrics_not_found.json",
    )
    snap = load_live(kubeconfig=kubeconfig, context="recorded", now=now)
    assert snap.containers["cpu_usage_cores"].null_count() == 13
    assert snap.notes[-1].startswith(
        "no instant usage: the metrics API (metrics.k8s.io/v1beta1 pods) did not answer"
    )


def test_unknown_context_is_an_input_error(kubeconfig: str, now: datetime) -> None:
    with pytest.raises(InputError, match="cannot load Kubernetes credentials"):
        load_live(kubeconfig=kubeconfig, context="no-such-context", now=now)
