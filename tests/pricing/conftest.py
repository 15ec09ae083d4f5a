"""Local HTTP servers (offer files, Pricing API) and a small base catalog for the pricing tests."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from genaicost.domain.prices import EBS_PRICE_SCHEMA, EC2_PRICE_SCHEMA, INSTANCE_SPEC_SCHEMA, PriceCatalog

DATA = Path(__file__).parent.parent / "data" / "pricing"
OFFERS = DATA / "offers"
INDEX_PATH = "/offers/v1.0/aws/index.json"
REGION_INDEX_PATH = "/offers/v1.0/aws/AmazonEC2/current/region_index.json"


def offer_path(region: str) -> str:
    return f"/offers/v1.0/aws/AmazonEC2/20240528203522/{region}/index.json"


class LocalServer:
    """ThreadingHTTPServer on a free 127.0.0.1 port; GET serves `routes`, POST calls `post_handler`."""

    def __init__(self) -> None:
        self.routes: dict[str, bytes] = {}
        self.failures: Counter[str] = Counter()  # path -> how many next GETs answer 503
        self.cut_short: Counter[str] = Counter()  # path -> how many next GETs drop the connection midway
        self.hits: Counter[str] = Counter()
        self.post_handler: Callable[[dict[str, str], bytes], tuple[int, bytes]] | None = None
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def index_url(self) -> str:
        return self.url(INDEX_PATH)

    @staticmethod
    def offer_path(region: str) -> str:
        return offer_path(region)

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                server.hits[self.path] += 1
                if server.failures[self.path] > 0:
                    server.failures[self.path] -= 1
                    self._send(503, b"Service Unavailable")
                elif self.path not in server.routes:
                    self._send(404, b"Not Found")
                elif server.cut_short[self.path] > 0:
                    server.cut_short[self.path] -= 1
                    body = server.routes[self.path]
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 2])
                    self.close_connection = True
                else:
                    self._send(200, server.routes[self.path])

            def do_POST(self) -> None:
                server.hits[self.path] += 1
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                assert server.post_handler is not None
                status, payload = server.post_handler(dict(self.headers.items()), body)
                self._send(status, payload, "application/x-amz-json-1.1")

            def _send(self, status: int, body: bytes, ctype: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    server = LocalServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def offer_server(local_server: LocalServer) -> LocalServer:
    """Serves the offer index, the region index and the us-east-1 / us-east-2 offer files."""
    local_server.routes[INDEX_PATH] = (OFFERS / "offer_index.json").read_bytes()
    local_server.routes[REGION_INDEX_PATH] = (OFFERS / "region_index.json").read_bytes()
    for region in ("us-east-1", "us-east-2"):
        local_server.routes[offer_path(region)] = (OFFERS / f"offer_{region}.json").read_bytes()
    return local_server


def _frame(rows: list[dict[str, Any]], schema: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame([{c: r.get(c) for c in schema} for r in rows], schema=schema)


def make_base_catalog() -> PriceCatalog:
    """Bundled-like catalog: us-east-1 rows to be replaced, a us-west-2 row to be kept."""
    od, spot = "bundled-ondemand", "bundled-spot-estimate"
    ec2 = _frame(
        [
            {
                "region": "us-east-1",
                "instance_type": "p4d.24xlarge",
                "ondemand_usd_per_hour": 30.0,
                "spot_usd_per_hour": 12.0,
                "ondemand_source": od,
                "spot_source": spot,
            },
            {
                "region": "us-east-1",
                "instance_type": "m5.large",
                "ondemand_usd_per_hour": 0.09,
                "spot_usd_per_hour": 0.04,
                "ondemand_source": od,
                "spot_source": spot,
            },
            {
                "region": "us-east-1",
                "instance_type": "m4.large",
                "ondemand_usd_per_hour": 0.1,
                "spot_usd_per_hour": None,
                "ondemand_source": od,
                "spot_source": None,
            },
            {
                "region": "us-west-2",
                "instance_type": "m5.large",
                "ondemand_usd_per_hour": 0.096,
                "spot_usd_per_hour": 0.035,
                "ondemand_source": od,
                "spot_source": spot,
            },
        ],
        EC2_PRICE_SCHEMA,
    )
    specs = _frame(
        [
            {
                "instance_type": "p4d.24xlarge",
                "vcpu": 96.0,
                "memory_gib": 1152.0,
                "gpu_count": 8.0,
                "gpu_model": "A100-SXM4-40GB",
                "gpu_memory_gib": 320.0,
                "accelerator": "nvidia",
                "source": "bundled-specs",
            },
            {
                "instance_type": "m5.large",
                "vcpu": 2.0,
                "memory_gib": 8.0,
                "gpu_count": 0.0,
                "gpu_model": None,
                "gpu_memory_gib": None,
                "accelerator": "none",
                "source": "bundled-specs",
            },
        ],
        INSTANCE_SPEC_SCHEMA,
    )
    ebs = _frame(
        [
            {
                "region": "us-east-1",
                "volume_type": "gp3",
                "usd_per_gb_month": 0.09,
                "usd_per_iops_month": 0.006,
                "usd_per_mibps_month": 0.05,
                "free_iops": 3000.0,
                "free_mibps": 125.0,
                "source": "bundled-ebs",
            },
            {
                "region": "us-west-2",
                "volume_type": "gp3",
                "usd_per_gb_month": 0.08,
                "usd_per_iops_month": 0.005,
                "usd_per_mibps_month": 0.04,
                "free_iops": 3000.0,
                "free_mibps": 125.0,
                "source": "bundled-ebs",
            },
        ],
        EBS_PRICE_SCHEMA,
    )
    sources = {
        od: "test bundled on-demand",
        spot: "test bundled spot",
        "bundled-specs": "test specs",
        "bundled-ebs": "test ebs",
    }
    return PriceCatalog(
        as_of=date(2024, 1, 15), sources=sources, ec2=ec2, specs=specs, ebs=ebs, spot_as_of=date(2024, 1, 15)
    )


@pytest.fixture
def base_catalog() -> PriceCatalog:
    return make_base_catalog()


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))
