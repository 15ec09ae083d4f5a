"""Shared test configuration. Fixtures for each layer live in that layer's conftest.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from moto.server import ThreadedMotoServer


@pytest.fixture
def moto_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A real moto server (AWS APIs over HTTP) on a free loopback port, with dummy credentials."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()
        server._server.server_close()  # type: ignore[union-attr]


@pytest.fixture(autouse=True)
def _no_ambient_aws(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests never use the machine's AWS identity nor probe the instance-metadata address."""
    empty = tmp_path_factory.getbasetemp() / "no-aws-config"
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                "AWS_ENDPOINT_URL", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_WEB_IDENTITY_TOKEN_FILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))


# --- Real Prometheus with a backfilled scenario history (tests/prom/, docs/testing.md) -----------------

from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

from genaicost.domain.window import Window  # noqa: E402
from prom.backfill import PrometheusServer, backfill, wait_queryable, write_scenario  # noqa: E402
from prom.model import Scenario  # noqa: E402
from prom.scenarios import scenario as make_scenario  # noqa: E402


@dataclass(frozen=True)
class PrometheusInstance:
    url: str
    scenario: Scenario
    window: Window
    data_dir: Path
    openmetrics: Path


@pytest.fixture(scope="session")
def prometheus_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], PrometheusInstance]]:
    """`prometheus_factory("churn")` -> a real Prometheus (Debian's package) on a free loopback port serving
    that scenario's history (backfilled with promtool), started once per session and scenario."""
    running: dict[str, tuple[PrometheusServer, PrometheusInstance]] = {}

    def start(name: str) -> PrometheusInstance:
        if name in running:
            return running[name][1]
        scn = make_scenario(name)
        base = tmp_path_factory.mktemp(f"prom-{name}")
        openmetrics, data_dir = base / f"{name}.om", base / "data"
        data_dir.mkdir()
        try:
            write_scenario(scn, openmetrics)
            backfill(openmetrics, data_dir)
            server = PrometheusServer.start(data_dir)
        except FileNotFoundError as exc:  # pragma: no cover - only on machines without the package
            pytest.fail(str(exc), pytrace=False)
        try:
            wait_queryable(server.url, scn)
        except BaseException:
            server.stop()
            raise
        instance = PrometheusInstance(server.url, scn, scn.window, data_dir, openmetrics)
        running[name] = (server, instance)
        return instance

    try:
        yield start
    finally:
        for server, _ in running.values():
            server.stop()
