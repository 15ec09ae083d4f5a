"""The container arguments the chart renders are real `genaicost serve` options, and the pod's command serves the
probes and the token-protected /metrics (run as a process on loopback, paths moved into a temporary directory)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import typer
from chart_objects import container, env, render
from test_helm_chart import VARIANTS

from genaicost.cli.main import app
from prom.backfill import free_port

TOKEN = "chart-e2e-token-0123456789"


def serve_command() -> Any:
    """The click command behind `genaicost serve` (Typer ships its own copy of click: duck-typed here)."""
    return typer.main.get_command(app).commands["serve"]  # type: ignore[attr-defined]


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_rendered_args_parse_with_the_real_serve_command(variant: str) -> None:
    args = container(render(VARIANTS[variant]))["args"]
    assert args[0] == "serve"
    ctx = serve_command().make_context("serve", list(args[1:]))
    assert ctx.params["host"] == "0.0.0.0" and ctx.params["port"] == 8080
    assert ctx.params["no_auth"] is (variant == "no-auth-emptydir")


def test_a_wrong_argument_would_be_caught() -> None:
    with pytest.raises(Exception, match="No such option: --retention") as err:
        serve_command().make_context("serve", ["--interval", "5m", "--retention", "400"])
    assert type(err.value).__name__ == "NoSuchOption"


@pytest.mark.slow
def test_the_pod_command_serves_probes_and_metrics(tmp_path: Path) -> None:
    objects = render({"collector": {"demo": True, "extraArgs": ["--demo-history-days", "1"]}})
    data, home, token_file = tmp_path / "data", tmp_path / "tmp", tmp_path / "token"
    data.mkdir()
    home.mkdir()
    token_file.write_text(TOKEN + "\n")
    port = free_port()
    # the pod's paths and listen address, moved to this machine: /data, /tmp, the token file, loopback
    moved = {"0.0.0.0": "127.0.0.1", "8080": str(port), "sqlite:////data/genaicost.db": f"sqlite:///{data}/genaicost.db",
             "/var/run/genaicost/token": str(token_file)}
    args = [moved.get(a, a) for a in container(objects)["args"]]
    pod_env = {k: v for k, v in env(objects).items() if isinstance(v, str)}
    assert pod_env == {"GENAICOST_DATA_DIR": "/data", "HOME": "/tmp"}
    run_env = {**os.environ, "GENAICOST_DATA_DIR": str(data), "HOME": str(home)}
    run_env.pop("GENAICOST_API_TOKEN", None)
    run_env.pop("GENAICOST_STORE_URL", None)
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-c", "from genaicost.cli.main import app; app()", *args],
                                stdout=out, stderr=subprocess.STDOUT, env=run_env, cwd=tmp_path)
    base = f"http://127.0.0.1:{port}"
    try:
        liveness = container(objects)["livenessProbe"]["httpGet"]["path"]
        readiness = container(objects)["readinessProbe"]["httpGet"]["path"]
        assert wait_status(base + liveness, 200, proc, log, timeout_s=60)
        assert wait_status(base + readiness, 200, proc, log, timeout_s=180)
        assert httpx.get(base + "/metrics", timeout=10).status_code == 401
        metrics = httpx.get(base + "/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
        assert metrics.status_code == 200
        assert "node_total_hourly_cost{" in metrics.text and "genaicost_up 1.0" in metrics.text
        assert (data / "genaicost.db").is_file()          # the store is on the /data volume
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def wait_status(url: str, status: int, proc: subprocess.Popen[bytes], log: Path, *, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"serve exited ({proc.returncode}): {log.read_text()[-3000:]}"
        try:
            last = httpx.get(url, timeout=5).status_code
            if last == status:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} answered {last}, not {status}, after {timeout_s} s: {log.read_text()[-3000:]}")
