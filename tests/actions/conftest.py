"""Fixtures of the action tests: a recording receiver and a real Alertmanager from Debian's prometheus-alertmanager
(scripts/install-services.sh), both on free loopback ports."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from action_servers import INSTALL_HINT, AlertmanagerServer, Recorder, serve, wait_ready

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
