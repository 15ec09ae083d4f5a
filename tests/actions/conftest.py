"""Fixtures of the action tests: a recording receiver and a real Alertmanager from Debian's prometheus-alertmanager
(scripts/install-services.sh), both on free loopback ports."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from action_servers import INSTALL_HINT, AlertmanagerServer, RecordedKubeApi, Recorder, serve, wait_ready

from prom.backfill import free_port


@pytest.fixture
def receiver() -> Iterator[Recorder]:
    yield from serve(Recorder())


@pytest.fixture
def alertmanager(tmp_path: Path, receiver: Recorder) -> Iterator[AlertmanagerServer]:
    """Alertmanager 0.25 on a free loopback port, clustering off; its one receiver is a webhook to `receiver`
    (send_resolved) with 100 ms group_wait and 1 s group_interval, so notifications come back quickly."""
    binary = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
    if binary is None:
        raise FileNotFoundError(f"prometheus-alertmanager is not installed: {INSTALL_HINT}")
    config = tmp_path / "alertmanager.yml"
    config.write_text(json.dumps({
        "route": {"receiver": "genaicost-test", "group_by": ["alert_key"], "group_wait": "100ms",
                  "group_interval": "1s", "repeat_interval": "1h"},
        "receivers": [{"name": "genaicost-test", "webhook_configs": [
            {"url": f"{receiver.url}/alertmanager-webhook", "send_resolved": True}]}],
    }))
    port = free_port()
    log_path = tmp_path / "alertmanager.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [binary, f"--config.file={config}", f"--storage.path={tmp_path / 'data'}", "--cluster.listen-address=",
             f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"], stdout=log, stderr=subprocess.STDOUT)
    server = AlertmanagerServer(f"http://127.0.0.1:{port}", process, log_path)
    try:
        wait_ready(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


K8S_ACTIONS_DATA = Path(__file__).resolve().parents[1] / "data" / "k8s" / "actions"


@pytest.fixture
def kube(tmp_path: Path) -> Iterator[tuple[RecordedKubeApi, Recorder, Any]]:
    """(recorded API, its request recorder, an official-client ApiClient whose host is the loopback server)."""
    from kubernetes import client

    api = RecordedKubeApi(K8S_ACTIONS_DATA)
    api.add("/apis/apps/v1/namespaces/llm/deployments/vllm-70b", "deployment_vllm-70b.json")
    api.add("/apis/apps/v1/namespaces/llm/deployments/vllm-70b/scale", "deployment_vllm-70b_scale.json")
    api.add("/apis/apps/v1/namespaces/batch-inference/statefulsets/sglang-8b/scale",
            "statefulset_sglang-8b_scale.json")
    api.add("/apis/autoscaling/v2/namespaces/llm/horizontalpodautoscalers/vllm-70b", "hpa_vllm-70b.json")
    api.add("/api/v1/namespaces/llm", "namespace_llm.json")
    for recorder in serve(Recorder(handler=api.answer)):
        configuration = client.Configuration(host=recorder.url)
        configuration.api_key = {"BearerToken": api.token}
        configuration.api_key_prefix = {"BearerToken": "Bearer"}
        with client.ApiClient(configuration) as api_client:
            yield api, recorder, api_client
