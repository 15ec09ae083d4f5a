"""PodDisruptionBudgets / HPAs from a live API: a loopback HTTP server answering the two list calls."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from genaicost.app.recommend import with_source_extras
from genaicost.domain.snapshot import ClusterInfo
from genaicost.sources.demo import demo_snapshot
from genaicost.sources.demo_policies import demo_policy_objects

NOW = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
PDB_PATH = "/apis/policy/v1/poddisruptionbudgets"
HPA_PATH = "/apis/autoscaling/v2/horizontalpodautoscalers"


def _list(kind: str) -> bytes:
    items = [o for o in demo_policy_objects(NOW) if o["kind"] == kind]
    return json.dumps({"kind": f"{kind}List", "metadata": {}, "items": items}).encode()


@pytest.fixture
def kubeconfig(tmp_path: Path) -> Iterator[tuple[str, dict[str, int]]]:
    status = {PDB_PATH: 200, HPA_PATH: 200}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = urlparse(self.path).path
            code = status.get(path, 404)
            body = (_list("PodDisruptionBudget") if path == PDB_PATH else _list("HorizontalPodAutoscaler")) \
                if code == 200 else b'{"kind":"Status","code":403,"message":"forbidden"}'
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    doc = {"apiVersion": "v1", "kind": "Config", "current-context": "c",
           "clusters": [{"name": "k", "cluster": {"server": f"http://127.0.0.1:{server.server_address[1]}"}}],
           "users": [{"name": "u", "user": {"token": "t"}}],
           "contexts": [{"name": "c", "context": {"cluster": "k", "user": "u"}}]}
    path = tmp_path / "kubeconfig"
    path.write_text(json.dumps(doc))
    try:
        yield str(path), status
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _live_snapshot() -> Any:
    snap = demo_snapshot(NOW)
    return replace(snap, cluster=ClusterInfo(name="live", source="kubernetes-api"))


def test_live_pdbs_and_hpas(kubeconfig: tuple[str, dict[str, int]]) -> None:
    snap = with_source_extras(_live_snapshot(), demo=False, snapshot_files=[], now=NOW, history=None,
                              kubeconfig=kubeconfig[0])
    assert sorted(snap.disruption_budgets["name"]) == ["chat-api", "coredns", "llm-gateway", "vllm-llama-3-1-8b"]
    assert snap.autoscalers.select("target_name", "min_replicas", "max_replicas").rows() == [
        ("chat-api", 2, 10), ("llm-gateway", 3, 12)]
    assert json.loads(snap.disruption_budgets.filter(snap.disruption_budgets["name"] == "chat-api")
                      ["match_labels"][0]) == {"app.kubernetes.io/name": "chat-api"}


def test_a_refused_list_is_a_note(kubeconfig: tuple[str, dict[str, int]]) -> None:
    kubeconfig[1][HPA_PATH] = 403
    snap = with_source_extras(_live_snapshot(), demo=False, snapshot_files=[], now=NOW, history=None,
                              kubeconfig=kubeconfig[0])
    assert snap.disruption_budgets.height == 4 and snap.autoscalers.height == 0
    assert any("horizontalpodautoscalers.autoscaling (403" in n for n in snap.notes)
