"""A real Prometheus (Debian's package) scrapes /metrics of a running server with a bearer token from a file."""

from __future__ import annotations

import contextlib
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from test_metrics import G5_ONDEMAND, demo_report

from genaicost.api.app import create_app
from genaicost.app.serve_settings import ServeSettings
from prom.backfill import binary, free_port

TOKEN = "s3cret-scrape-token"


class ThreadedServer:
    """uvicorn serving `app` on a free loopback port in a thread."""

    def __init__(self, app: FastAPI) -> None:
        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                                    ws="none", lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ThreadedServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline and self.thread.is_alive(), "uvicorn did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[ThreadedServer, float]]:
    """The service's app (create_app: bearer auth, every router) whose last collection is the demo report."""
    report = demo_report()
    app = create_app(ServeSettings(store_url=f"sqlite:///{tmp_path / 'history.db'}", api_token=TOKEN))
    app.state.serve_state.record_success(report, report.generated_at)
    node = next(n for n in report.nodes if n.name == G5_ONDEMAND)
    assert node.hourly_usd is not None
    with ThreadedServer(app) as server:
        yield server, node.hourly_usd
    app.state.store.close()


def prometheus_config(tmp_path: Path, port: int) -> Path:
    good, bad = tmp_path / "token", tmp_path / "wrong-token"
    good.write_text(TOKEN + "\n")          # Prometheus trims the trailing newline of credentials_file
    bad.write_text("not-the-token\n")
    jobs = []
    for job, token_file in (("genaicost", good), ("genaicost-wrong-token", bad)):
        jobs.append(f"""  - job_name: {job}
    honor_labels: true
    scrape_interval: 1s
    scrape_timeout: 1s
    metrics_path: /metrics
    authorization:
      type: Bearer
      credentials_file: {token_file}
    static_configs:
      - targets: ["127.0.0.1:{port}"]
""")
    config = tmp_path / "prometheus.yml"
    config.write_text("global:\n  scrape_interval: 1s\nscrape_configs:\n" + "".join(jobs))
    return config


def query(url: str, promql: str) -> list[dict]:
    resp = httpx.get(f"{url}/api/v1/query", params={"query": promql}, timeout=5.0)
    resp.raise_for_status()
    result: list[dict] = resp.json()["data"]["result"]
    return result


@pytest.mark.slow
def test_prometheus_scrapes_node_total_hourly_cost_with_a_bearer_token(served: tuple[ThreadedServer, float],
                                                                        tmp_path: Path) -> None:
    server, hourly_usd = served
    assert httpx.get(f"http://127.0.0.1:{server.port}/metrics").status_code == 401   # the token is required
    prom_port = free_port()
    log = tmp_path / "prometheus.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [binary("prometheus"), f"--config.file={prometheus_config(tmp_path, server.port)}",
             f"--storage.tsdb.path={tmp_path / 'tsdb'}", f"--web.listen-address=127.0.0.1:{prom_port}",
             "--log.level=warn"], stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{prom_port}"
    try:
        deadline = time.monotonic() + 60
        series: list[dict] = []
        while time.monotonic() < deadline and not series:
            assert proc.poll() is None, log.read_text()
            with contextlib.suppress(httpx.HTTPError):
                series = query(url, f'node_total_hourly_cost{{node="{G5_ONDEMAND}"}}')
            time.sleep(0.5)
        assert series, f"no node_total_hourly_cost after 60 s: {log.read_text()[-2000:]}"
        [sample] = series
        assert float(sample["value"][1]) == hourly_usd == 5.672
        assert sample["metric"]["instance"] == G5_ONDEMAND          # honor_labels keeps OpenCost's instance label
        assert sample["metric"]["instance_type"] == "g5.12xlarge"
        up = {s["metric"]["job"]: float(s["value"][1]) for s in query(url, "up")}
        assert up == {"genaicost": 1.0, "genaicost-wrong-token": 0.0}
        targets = httpx.get(f"{url}/api/v1/targets", timeout=5.0).json()["data"]["activeTargets"]
        wrong = next(t for t in targets if t["labels"]["job"] == "genaicost-wrong-token")
        assert "401" in wrong["lastError"]
        total = query(url, 'sum(genaicost_allocation_hourly_usd{job="genaicost"})')
        cluster = query(url, "genaicost_cluster_hourly_usd")
        assert float(total[0]["value"][1]) == pytest.approx(float(cluster[0]["value"][1]), abs=1e-9)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
