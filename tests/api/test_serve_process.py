"""`genaicost serve` as a process on a free loopback port: demo history, auth, /allocation, probes, shutdown."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

CLI = str(Path(sys.executable).parent / "genaicost")
TOKEN = "process-token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_refuses_to_start_without_a_token(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    out = subprocess.run([CLI, "serve", "--demo", "--store", f"sqlite:///{tmp_path / 'h.db'}"], env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and "--no-auth" in out.stderr and "GENAICOST_API_TOKEN" in out.stderr


@pytest.mark.slow
def test_running_server(tmp_path: Path) -> None:
    port = free_port()
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen([CLI, "serve", "--demo", "--demo-history-days", "1", "--host", "127.0.0.1",
                             "--port", str(port), "--store", f"sqlite:///{tmp_path / 'h.db'}",
                             "--token-file", str(token_file), "--interval", "1m"],
                            cwd=tmp_path, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    auth = {"Authorization": f"Bearer {TOKEN}"}
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "not ready in 120 s: " + (tmp_path / "serve.log").read_text()
            time.sleep(0.5)
        assert httpx.get(f"{base}/healthz").json() == {"code": 200, "status": "ok"}
        assert httpx.get(f"{base}/allocation?window=24h").status_code == 401
        # ready once the current hour is stored; the generated history follows in the background
        params = {"window": "24h", "aggregate": "namespace", "includeIdle": "true"}
        while True:
            resp = httpx.get(f"{base}/allocation", params=params, headers=auth, timeout=30)
            assert resp.status_code == 200
            (data,) = resp.json()["data"]
            if data.get("llm-serving", {}).get("minutes") == 24 * 60 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert {"llm-serving", "kube-system", "__idle__", "__overhead__"} <= set(data)
        assert data["llm-serving"]["minutes"] == 24 * 60      # the 23 generated hours before + the current one
        report = httpx.get(f"{base}/report", headers=auth, timeout=30).json()
        assert report["cluster"] == "genai-prod"
        assert httpx.get(f"{base}/inference?window=24h", headers=auth).json()["code"] == 200
        assert httpx.get(f"{base}/allocation?window=nope", headers=auth).json()["code"] == 400
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        log.close()
    # uvicorn shuts down gracefully, then re-raises SIGTERM (so the exit status says what stopped it)
    assert proc.returncode in (0, -signal.SIGTERM)
    assert "Finished server process" in (tmp_path / "serve.log").read_text()


@pytest.mark.parametrize(("args", "message"), [
    (["--demo", "--prometheus", "http://127.0.0.1:9"], "2 sources"),
    (["--snapshot", "/nonexistent/snap.json"], "no such file"),
    (["--demo", "--store", "sqlite:////nonexistent-dir/h.db"], "does not exist"),
    (["--demo", "--store", "mysql://u@h/db"], "unsupported database"),
])
def test_bad_options_exit_2_before_serving(tmp_path: Path, args: list[str], message: str) -> None:
    out = subprocess.run([CLI, "serve", "--no-auth", "--port", str(free_port()), *args], cwd=tmp_path,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and message in out.stderr
