"""Write a scenario as OpenMetrics, backfill it with promtool and serve it with a real Prometheus.

Used by the pytest fixture (tests/prom/conftest.py) and by bench/prom_history.py.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from .engines import dcgm_blocks, serving_blocks
from .ksm import cadvisor_blocks, ksm_blocks
from .model import Scenario
from .promgen import Block, HistBlock, WriteStats, group_by_family, write_openmetrics

INSTALL_HINT = "run scripts/install-services.sh (installs Debian's prometheus package, with promtool)"
MAX_BLOCK_DURATION = "8760h"  # one block per 162 h range (the largest compatible size), fewer passes


def scenario_blocks(scn: Scenario) -> Iterator[Block | HistBlock]:
    sources = {"ksm": ksm_blocks, "cadvisor": cadvisor_blocks, "dcgm": dcgm_blocks, "serving": serving_blocks}
    blocks = (b for name, make in sources.items() if name in scn.exporters for b in make(scn))
    return iter(group_by_family(blocks))


def write_scenario(scn: Scenario, path: Path) -> WriteStats:
    return write_openmetrics(path, scn.timeline.timestamps_s(), scenario_blocks(scn))


def binary(name: str) -> str:
    found = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None)
    if not found:
        raise FileNotFoundError(f"{name} is not installed: {INSTALL_HINT}")
    return found


def backfill(openmetrics: Path, data_dir: Path) -> float:
    """`promtool tsdb create-blocks-from openmetrics`; returns the seconds it took."""
    t0 = time.perf_counter()
    proc = subprocess.run(
        [binary("promtool"), "tsdb", "create-blocks-from", "openmetrics", "--quiet",
         f"--max-block-duration={MAX_BLOCK_DURATION}", str(openmetrics), str(data_dir)],
        capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"promtool backfill of {openmetrics} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return time.perf_counter() - t0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PrometheusServer:
    """A running `prometheus` serving a backfilled TSDB on loopback, with no scrape targets."""

    data_dir: Path
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    @classmethod
    def start(cls, data_dir: Path, *, timeout_s: float = 60.0) -> PrometheusServer:
        port = free_port()
        config = data_dir.parent / f"{data_dir.name}-prometheus.yml"
        config.write_text("global:\n  scrape_interval: 1m\nscrape_configs: []\n")
        log_path = data_dir.parent / f"{data_dir.name}-prometheus.log"
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                [binary("prometheus"), f"--config.file={config}", f"--storage.tsdb.path={data_dir}",
                 "--storage.tsdb.retention.time=100y", f"--web.listen-address=127.0.0.1:{port}",
                 "--web.enable-admin-api", "--log.level=warn"],
                stdout=log, stderr=subprocess.STDOUT)
        server = cls(data_dir, f"http://127.0.0.1:{port}", proc, log_path)
        try:
            server.wait_ready(timeout_s)
        except BaseException:
            server.stop()
            raise
        return server

    def wait_ready(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"prometheus exited ({self.process.returncode}): {self.log_tail()}")
            try:
                if httpx.get(f"{self.url}/-/ready", timeout=2.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"prometheus at {self.url} not ready after {timeout_s}s: {self.log_tail()}")

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-2000:] if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def wait_queryable(url: str, scn: Scenario, *, timeout_s: float = 30.0) -> None:
    """Wait until the backfilled history answers a query at the window's last sample."""
    wait_for_data(url, scn.timeline.timestamps_s()[-1], timeout_s=timeout_s)


def wait_for_data(url: str, at_s: float, *, timeout_s: float = 30.0) -> None:
    """Wait until Prometheus has loaded the backfilled block that holds the sample at `at_s`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        resp = httpx.get(f"{url}/api/v1/query", params={"query": 'count({__name__!=""})', "time": str(at_s)},
                         timeout=10.0)
        if resp.status_code == 200 and resp.json()["data"]["result"]:
            return
        time.sleep(0.2)
    raise RuntimeError(f"prometheus at {url} has no data at {at_s} after {timeout_s}s")


def serve_openmetrics(root: Path, write: Callable[[Path], object], last_sample_s: float) -> Iterator[str]:
    """Write OpenMetrics with `write(path)`, backfill it, serve it on loopback; yields the URL, then stops."""
    om, data = root / "data.om", root / "tsdb"
    write(om)
    backfill(om, data)
    server = PrometheusServer.start(data)
    try:
        wait_for_data(server.url, last_sample_s)
        yield server.url
    finally:
        server.stop()


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
