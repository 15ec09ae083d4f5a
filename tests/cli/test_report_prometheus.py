"""`genaicost report --prometheus`: the shared --prometheus* options and the report from a real Prometheus."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from genaicost.cli.source_options import parse_headers, prometheus_client_from_options
from genaicost.domain.errors import InputError


def test_headers_split_at_the_first_colon_or_equals() -> None:
    assert parse_headers(["X-Scope-OrgID: team-a", "K=V=W", "Auth: a:b"]) == {
        "X-Scope-OrgID": "team-a", "K": "V=W", "Auth": "a:b"}


@pytest.mark.parametrize("bad", ["novalue", ": x", "bad name: x"])
def test_malformed_header_names_the_option(bad: str) -> None:
    with pytest.raises(InputError, match="--prometheus-header"):
        parse_headers([bad])


def test_client_carries_token_basic_auth_and_headers(tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("s3cret\n")
    with prometheus_client_from_options("http://127.0.0.1:9", token_file=token, headers=["X-A: 1"],
                                        timeout_s=5.0) as client:
        assert client._http.headers["Authorization"] == "Bearer s3cret"
        assert client._http.headers["X-A"] == "1"
        assert client.timeout_s == 5.0
    auth = tmp_path / "auth"
    auth.write_text("alice:pa:ss\n")
    with prometheus_client_from_options("http://127.0.0.1:9", basic_auth_file=auth) as client:
        request = client._http.build_request("GET", "http://127.0.0.1:9/")
        flow = client._http._auth.auth_flow(request)  # type: ignore[union-attr]
        sent = next(flow)
        assert sent.headers["Authorization"] == "Basic " + base64.b64encode(b"alice:pa:ss").decode()


def test_option_faults_name_the_option(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="--prometheus-token-file"):
        prometheus_client_from_options("http://127.0.0.1:9", token_file=tmp_path / "missing")
    empty = tmp_path / "auth"
    empty.write_text("nocolon")
    with pytest.raises(InputError, match="--prometheus-basic-auth-file"):
        prometheus_client_from_options("http://127.0.0.1:9", basic_auth_file=empty)
    with pytest.raises(InputError, match="--prometheus-insecure"):
        prometheus_client_from_options("http://127.0.0.1:9", ca_file=empty, insecure=True)
    with pytest.raises(InputError, match="--prometheus-timeout"):
        prometheus_client_from_options("http://127.0.0.1:9", timeout_s=0)


def test_report_from_prometheus_in_process(prometheus_factory: Any) -> None:
    import json

    from typer.testing import CliRunner

    from genaicost.cli.main import app

    inst = prometheus_factory("churn")
    span = f"{inst.window.start.isoformat()},{inst.window.end.isoformat()}"
    result = CliRunner().invoke(app, ["report", "--prometheus", inst.url, "--window", span, "--resolution", "1m",
                                      "--aggregate", "namespace", "--format", "json", "--spot-prices", "bundled"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    names = {a["name"] for a in report["allocations"]}
    assert {"web", "batch", "llm"} <= names
    # 6 × $0.192 + 3 × $2.1824 (spot estimate) + EKS 6 × $0.10 + gp3 100 GiB × $0.08 / 730 × 6 + NLB 6 × $0.0225
    assert report["totals"]["total_usd"] == pytest.approx(6 * 0.192 + 3 * 2.1824 + 0.6 + 100 * 0.08 / 730 * 6
                                                          + 0.135, abs=0.005)


def test_unreachable_prometheus_exits_2_naming_the_url() -> None:
    from typer.testing import CliRunner

    from genaicost.cli.main import app

    result = CliRunner().invoke(app, ["report", "--prometheus", "http://127.0.0.1:9", "--window",
                                      "2025-03-03T00:00:00Z,2025-03-03T01:00:00Z", "--prometheus-timeout", "1",
                                      "--spot-prices", "bundled"])
    assert result.exit_code == 2
    assert "http://127.0.0.1:9" in result.output and "query" in result.output


def test_prometheus_and_demo_are_two_sources() -> None:
    from typer.testing import CliRunner

    from genaicost.cli.main import app

    result = CliRunner().invoke(app, ["report", "--demo", "--prometheus", "http://127.0.0.1:9"])
    assert result.exit_code == 2 and "two sources" in result.output
