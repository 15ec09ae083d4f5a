"""PrometheusClient against a local HTTP server answering like the Prometheus HTTP API."""

from __future__ import annotations

import base64
import math
import socket
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from fake_prometheus import FakePrometheus, error, vector

from genaicost.domain.errors import InputError
from genaicost.sources.prometheus import PrometheusClient, PrometheusError

AT = datetime(2024, 5, 29, 16, 26, 40, 123000, tzinfo=UTC)  # 1717000000.123


@pytest.fixture
def prom() -> Iterator[FakePrometheus]:
    server = FakePrometheus().start()
    yield server
    server.stop()


def client(url: str, **kwargs: object) -> PrometheusClient:
    options: dict[str, object] = {"backoff_s": 0.01, "timeout_s": 5.0} | kwargs
    return PrometheusClient(url, **options)  # type: ignore[arg-type]


def test_instant_vector_one_column_per_label_nulls_and_special_values(prom: FakePrometheus) -> None:
    prom.reply(body=vector(
        ({"__name__": "up", "job": "node", "instance": "a:9100"}, "1"),
        ({"job": "vllm", "model_name": "llama"}, "NaN"),
        ({"job": "x"}, "+Inf"),
        ({"job": "y"}, "-Inf"),
        ({"job": "z"}, "0.25"),
    ))
    with client(prom.url) as c:
        frame = c.instant('up or foo{job="vllm"}', AT)
        assert c.query_count == 1
    assert frame.columns == ["__name__", "instance", "job", "model_name", "value"]
    assert frame.schema["value"] == pl.Float64
    assert all(frame.schema[name] == pl.String for name in frame.columns[:-1])
    assert frame["job"].to_list() == ["node", "vllm", "x", "y", "z"]
    assert frame["model_name"].to_list() == [None, "llama", None, None, None]
    values = frame["value"].to_list()
    assert values[0] == 1.0 and math.isnan(values[1]) and values[2] == math.inf and values[3] == -math.inf
    assert values[4] == 0.25
    sent = prom.requests[0]
    assert (sent.method, sent.path) == ("GET", "/api/v1/query")
    assert sent.params["query"] == 'up or foo{job="vllm"}'
    assert sent.params["time"] == "1717000000.123"
    assert sent.params["timeout"] == "5s"


def test_instant_scalar(prom: FakePrometheus) -> None:
    prom.reply(body={"status": "success", "data": {"resultType": "scalar", "result": [1717000000.123, "42.5"]}})
    with client(prom.url) as c:
        frame = c.instant("scalar(sum(up))", AT)
    assert frame.to_dicts() == [{"value": 42.5}]


def test_range_matrix_labels_timestamps_and_values(prom: FakePrometheus) -> None:
    prom.reply(body={"status": "success", "data": {"resultType": "matrix", "result": [
        {"metric": {"pod": "a"}, "values": [[1717000000, "1"], [1717000300, "2"]]},
        {"metric": {"pod": "b", "node": "n1"}, "values": [[1717000300, "NaN"]]},
    ]}})
    start = datetime.fromtimestamp(1717000000, UTC)
    with client(prom.url) as c:
        frame = c.range("rate(x[5m])", start, start + timedelta(minutes=5), 300.0)
    assert frame.columns == ["node", "pod", "timestamp", "value"]
    assert frame.schema["timestamp"] == pl.Datetime("us", "UTC")
    assert frame["pod"].to_list() == ["a", "a", "b"]
    assert frame["node"].to_list() == [None, None, "n1"]
    assert frame["timestamp"].to_list() == [start, start + timedelta(minutes=5), start + timedelta(minutes=5)]
    assert frame["value"].to_list()[:2] == [1.0, 2.0] and math.isnan(frame["value"][2])
    sent = prom.requests[0]
    assert sent.path == "/api/v1/query_range"
    assert (sent.params["start"], sent.params["end"], sent.params["step"]) == (
        "1717000000.000", "1717000300.000", "300")


def test_empty_results_keep_the_value_column(prom: FakePrometheus) -> None:
    prom.reply(body=vector())
    prom.reply(body={"status": "success", "data": {"resultType": "matrix", "result": []}})
    with client(prom.url) as c:
        instant = c.instant("absent_metric", AT)
        ranged = c.range("absent_metric", AT - timedelta(hours=1), AT, 60.0)
    assert instant.schema == pl.Schema({"value": pl.Float64}) and instant.height == 0
    assert ranged.schema == pl.Schema({"timestamp": pl.Datetime("us", "UTC"), "value": pl.Float64})
    assert ranged.height == 0


def test_bearer_token_and_extra_headers_arrive(prom: FakePrometheus) -> None:
    with client(prom.url, bearer_token="s3cret\n", headers={"X-Scope-OrgID": "team-a"}) as c:
        c.instant("up", AT)
    headers = {k.lower(): v for k, v in prom.requests[0].headers.items()}
    assert headers["authorization"] == "Bearer s3cret"
    assert headers["x-scope-orgid"] == "team-a"


def test_basic_auth_arrives(prom: FakePrometheus) -> None:
    with client(prom.url, basic_auth=("ops", "pa:ss")) as c:
        c.instant("up", AT)
    headers = {k.lower(): v for k, v in prom.requests[0].headers.items()}
    assert headers["authorization"] == "Basic " + base64.b64encode(b"ops:pa:ss").decode()


def test_base_url_prefix_and_trailing_slash(prom: FakePrometheus) -> None:
    with client(prom.url + "/workspaces/ws-1/") as c:
        c.instant("up", AT)
        assert c.base_url == prom.url + "/workspaces/ws-1"
    assert prom.requests[0].path == "/workspaces/ws-1/api/v1/query"


def test_retries_503_then_succeeds_counting_one_query(prom: FakePrometheus) -> None:
    prom.reply(503, error("unavailable", "overloaded"))
    prom.reply(503, "<html>bad gateway</html>")
    prom.reply(body=vector(({"job": "a"}, "3")))
    with client(prom.url, retries=3) as c:
        frame = c.instant("up", AT)
        assert (c.query_count, c.request_count) == (1, 3)
    assert frame["value"].to_list() == [3.0]


def test_retries_429_honouring_retry_after(prom: FakePrometheus) -> None:
    prom.reply(429, "slow down", headers={"Retry-After": "0"})
    prom.reply(body=vector(({}, "1")))
    with client(prom.url, retries=1) as c:
        assert c.instant("up", AT)["value"].to_list() == [1.0]
        assert c.request_count == 2


@pytest.mark.parametrize(("status", "error_type"), [(400, "bad_data"), (422, "execution")])
def test_no_retry_on_4xx_and_the_message_names_url_query_and_error(
        prom: FakePrometheus, status: int, error_type: str) -> None:
    prom.reply(status, error(error_type, 'parse error at char 5: unexpected "}"'))
    with client(prom.url, retries=3) as c, pytest.raises(PrometheusError) as info:
        c.instant("sum(}", AT)
    assert len(prom.requests) == 1
    message = str(info.value)
    assert prom.url in message and "sum(}" in message
    assert f"HTTP {status}, Prometheus {error_type}: parse error at char 5" in message
    assert isinstance(info.value, InputError)


def test_gives_up_after_retries_on_persistent_5xx(prom: FakePrometheus) -> None:
    for _ in range(3):
        prom.reply(502, "upstream connect error")
    with client(prom.url, retries=2) as c, pytest.raises(PrometheusError) as info:
        c.instant("up", AT)
    assert len(prom.requests) == 3
    assert "HTTP 502: upstream connect error (gave up after 3 attempts)" in str(info.value)


def test_timeout_names_url_query_and_seconds(prom: FakePrometheus) -> None:
    prom.reply(body=vector(), delay_s=1.0)
    prom.reply(body=vector(), delay_s=1.0)
    with client(prom.url, timeout_s=0.2, retries=1) as c, pytest.raises(PrometheusError) as info:
        c.instant("sum(rate(container_cpu_usage_seconds_total[5m]))", AT)
    message = str(info.value)
    assert "no answer within 0.2 s (timeout) (gave up after 2 attempts)" in message
    assert prom.url in message and "container_cpu_usage_seconds_total" in message


def test_connection_refused_asks_whether_prometheus_runs() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    with client(url, retries=1) as c, pytest.raises(PrometheusError) as info:
        c.instant("up", AT)
    assert f"is Prometheus running at {url}?" in str(info.value)
    assert c.request_count == 2 and c.query_count == 1


def test_long_queries_are_posted_as_a_form(prom: FakePrometheus) -> None:
    long_query = "sum by (pod) (up{pod=~\"" + "|".join(f"pod-{i}" for i in range(400)) + "\"})"
    with client(prom.url) as c:
        c.instant("up", AT)
        c.instant(long_query, AT)
    assert [r.method for r in prom.requests] == ["GET", "POST"]
    assert prom.requests[1].params["query"] == long_query
    assert prom.requests[1].params["time"] == "1717000000.123"


def test_warnings_are_kept_once_each(prom: FakePrometheus) -> None:
    warned = vector(({}, "1")) | {"warnings": ["PromQL info: metric might not be a counter"]}
    prom.reply(body=warned)
    prom.reply(body=warned)
    with client(prom.url) as c:
        c.instant("rate(x[5m])", AT)
        c.instant("rate(x[5m])", AT)
        assert c.warnings == ["PromQL info: metric might not be a counter"]


@pytest.mark.parametrize(("status", "body", "expected"), [
    (200, "<html>Grafana</html>", "HTTP 200 but not a Prometheus API answer"),
    (404, "404 page not found", "HTTP 404; is the URL the Prometheus base (without /api/v1)?: 404 page not found"),
    (401, "Unauthorized", "HTTP 401; check the token or basic-auth credentials"),
])
def test_non_prometheus_answers_are_explained(prom: FakePrometheus, status: int, body: str, expected: str) -> None:
    prom.reply(status, body)
    with client(prom.url) as c, pytest.raises(PrometheusError, match="query: up") as info:
        c.instant("up", AT)
    assert expected in str(info.value)
    assert len(prom.requests) == 1


def test_instant_query_returning_a_matrix_is_an_error(prom: FakePrometheus) -> None:
    prom.reply(body={"status": "success", "data": {"resultType": "matrix", "result": []}})
    with client(prom.url) as c, pytest.raises(PrometheusError, match="returned a matrix"):
        c.instant("up[5m]", AT)


def test_range_beyond_11000_points_is_refused_before_asking(prom: FakePrometheus) -> None:
    with client(prom.url) as c, pytest.raises(PrometheusError, match="coarser --resolution"):
        c.range("up", AT - timedelta(days=30), AT, 60.0)
    assert prom.requests == []


def test_naive_datetimes_are_rejected(prom: FakePrometheus) -> None:
    with client(prom.url) as c, pytest.raises(ValueError, match="timezone-aware"):
        c.instant("up", datetime(2024, 5, 29))


@pytest.mark.parametrize(("url", "field"), [("localhost:9090", "--prometheus")])
def test_bad_url_is_an_input_error(url: str, field: str) -> None:
    with pytest.raises(InputError, match=field):
        PrometheusClient(url)


def test_missing_ca_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="--prometheus-ca-file"):
        PrometheusClient("https://prom.example", verify=f"{tmp_path}/missing.pem")


@pytest.fixture
def https_prom(tmp_path: Path) -> Iterator[tuple[FakePrometheus, Path]]:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=prom",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    server = FakePrometheus(tls=(cert, key)).start()
    yield server, cert
    server.stop()


def test_tls_with_the_ca_file_or_insecure_succeeds(https_prom: tuple[FakePrometheus, Path]) -> None:
    prom, cert = https_prom
    prom.reply(body=vector(({}, "1")))
    prom.reply(body=vector(({}, "2")))
    assert prom.url.startswith("https://")
    with client(prom.url, verify=cert) as c:
        assert c.instant("up", AT)["value"].to_list() == [1.0]
    with client(prom.url, verify=False) as c:
        assert c.instant("up", AT)["value"].to_list() == [2.0]


def test_untrusted_certificate_is_not_retried_and_says_what_to_do(https_prom: tuple[FakePrometheus, Path]) -> None:
    prom, _ = https_prom
    with client(prom.url, retries=3) as c, pytest.raises(PrometheusError) as info:
        c.instant("up", AT)
    assert "TLS certificate not trusted" in str(info.value) and "--prometheus-ca-file" in str(info.value)
    assert c.request_count == 1
