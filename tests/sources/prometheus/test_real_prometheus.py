"""The client and chunked queries against a real Prometheus (Debian's package) with an empty TSDB.

Constant expressions (`vector(1)`, `timestamp(...)`) need no stored data, so these check the wire format,
the error bodies and — most important — that the chunks of `chunked_instant` sample each step of the window
exactly once on the Prometheus version installed here.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from genaicost.domain.window import Window
from genaicost.sources.prometheus import PrometheusClient, PrometheusError
from genaicost.sources.prometheus.chunks import chunked_instant

PROMETHEUS = shutil.which("prometheus")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(PROMETHEUS is None, reason="Debian's prometheus is not installed (scripts/test.sh)")]
END = datetime(2026, 11, 8, tzinfo=UTC)
WEEK = Window(END - timedelta(days=7), END)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"prometheus exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/-/ready", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"prometheus not ready within 30 s: {log.read_text()[-2000:]}")


@pytest.fixture(scope="module")
def prometheus_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    work = tmp_path_factory.mktemp("prometheus")
    (work / "prometheus.yml").write_text("global:\n  scrape_interval: 1h\nscrape_configs: []\n")
    url = f"http://127.0.0.1:{_free_port()}"
    log = work / "prometheus.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(PROMETHEUS), f"--config.file={work / 'prometheus.yml'}", f"--storage.tsdb.path={work / 'data'}",
             f"--web.listen-address={url.removeprefix('http://')}"], stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_ready(url, process, log)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_instant_and_range_against_real_prometheus(prometheus_url: str) -> None:
    with PrometheusClient(prometheus_url) as client:
        instant = client.instant('label_replace(vector(2.5), "pod", "a", "", "")', END)
        ranged = client.range("vector(1)", END - timedelta(minutes=10), END, 300.0)
        scalar = client.instant("scalar(vector(7))", END)
        assert client.query_count == 3
    assert instant.rows() == [("a", 2.5)] and instant.columns == ["pod", "value"]
    assert ranged["timestamp"].to_list() == [END - timedelta(minutes=10), END - timedelta(minutes=5), END]
    assert ranged["value"].to_list() == [1.0, 1.0, 1.0]
    assert scalar.rows() == [(7.0,)]


def test_real_bad_data_error_names_the_query(prometheus_url: str) -> None:
    with PrometheusClient(prometheus_url) as client, pytest.raises(PrometheusError) as info:
        client.instant("sum(", END)
    message = str(info.value)
    assert "HTTP 400, Prometheus bad_data" in message and "unclosed left parenthesis" in message
    assert prometheus_url in message and "query: sum(" in message
    assert client.request_count == 1


@pytest.mark.parametrize(("step_s", "chunk_hours"), [(300.0, 24.0), (60.0, 24.0), (300.0, 5.0), (3600.0, 24.0)])
def test_chunks_sample_every_step_of_the_window_once(prometheus_url: str, step_s: float, chunk_hours: float) -> None:
    steps = WEEK.hours * 3600 / step_s
    with PrometheusClient(prometheus_url) as client:
        count = chunked_instant(client, "count_over_time(vector(1)[{range}])", WEEK, step_s=step_s,
                                chunk_hours=chunk_hours, by=[])
        first = chunked_instant(client, "min_over_time(timestamp(vector(0))[{range}])", WEEK, step_s=step_s,
                                chunk_hours=chunk_hours, by=[], combine="min")
        last = chunked_instant(client, "max_over_time(timestamp(vector(0))[{range}])", WEEK, step_s=step_s,
                               chunk_hours=chunk_hours, by=[], combine="max")
    assert count.rows() == [(steps,)]
    assert first.rows() == [(WEEK.start.timestamp() + step_s,)]   # samples are the step ends in (start, end]
    assert last.rows() == [(WEEK.end.timestamp(),)]


def test_chunked_instant_combines_label_sets_from_real_answers(prometheus_url: str) -> None:
    template = ('sum by (pod) (label_replace(count_over_time(vector(1)[{range}]), "pod", "a", "", "")'
                ' or label_replace(count_over_time(vector(1)[{range}]) * 2, "pod", "b", "", ""))')
    with PrometheusClient(prometheus_url) as client:
        frame = chunked_instant(client, template, WEEK, step_s=300.0, by=["pod"])
        assert client.query_count == 7
    assert frame.rows() == [("a", 2016.0), ("b", 4032.0)]
