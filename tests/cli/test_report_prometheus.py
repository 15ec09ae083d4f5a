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


def _report_json(inst: Any, *extra: str) -> dict[str, Any]:
    import json

    from typer.testing import CliRunner

    from genaicost.cli.main import app

    span = f"{inst.window.start.isoformat()},{inst.window.end.isoformat()}"
    result = CliRunner().invoke(app, ["report", "--prometheus", inst.url, "--window", span, "--resolution", "1m",
                                      "--format", "json", "--spot-prices", "bundled", *extra])
    assert result.exit_code == 0, result.output
    out: dict[str, Any] = json.loads(result.stdout)
    return out


@pytest.mark.parametrize(("name", "replicas"), [("lb-web", 3), ("lb-web-6", 6)])
def test_load_balancer_cost_lands_on_the_pods_behind_its_endpoints(prometheus_factory: Any, name: str,
                                                                   replicas: int) -> None:
    from prom.scenarios import POD_WORKER, shop_pod

    report = _report_json(prometheus_factory(name), "--aggregate", "pod")
    lines = {a["name"]: a for a in report["allocations"]}
    # NLB web/shop: 2 h × $0.0225 (bundled us-east-1) = $0.045, split equally over the pods whose IPs are its
    # kube_endpoint_address ips: $0.015 each with 3 replicas, $0.0075 with 6
    for i in range(replicas):
        assert lines[f"web/{shop_pod(i)}"]["network_usd"] == pytest.approx(0.045 / replicas, abs=1e-9)
    assert lines[f"web/{POD_WORKER}"]["network_usd"] == 0.0  # not behind the Service
    assert "__unmounted__" not in lines
    pods = {f"web/{POD_WORKER}", *(f"web/{shop_pod(i)}" for i in range(replicas))}
    assert set(lines) == {"__idle__", "__overhead__", *pods}
    assert report["totals"]["network_usd"] == pytest.approx(0.045, abs=1e-9)
    # m6i.xlarge 2 h × $0.192 + EKS 2 h × $0.10 + NLB $0.045
    assert report["totals"]["total_usd"] == pytest.approx(2 * 0.192 + 2 * 0.10 + 0.045, abs=1e-6)
    assert not report["partial"]


def test_without_kube_state_metrics_the_report_is_partial_and_names_the_metrics(prometheus_factory: Any) -> None:
    report = _report_json(prometheus_factory("no-ksm"), "--aggregate", "namespace")
    assert report["partial"] is True
    ksm = [w for w in report["warnings"] if "no kube-state-metrics series" in w]
    assert len(ksm) == 1
    for metric in ("kube_node_info", "kube_node_labels", "kube_node_status_capacity", "kube_pod_status_phase",
                   "kube_pod_info", "kube_pod_owner", "kube_pod_container_resource_requests"):
        assert metric in ksm[0]
    # nothing to cost: no node, and without nodes neither the region nor EKS (so no control-plane fee) is known
    assert report["nodes"] == [] and report["totals"]["total_usd"] == 0.0
    assert "the report shows no cost" in ksm[0]


def test_without_cadvisor_cpu_and_memory_are_billed_by_requests(prometheus_factory: Any) -> None:
    report = _report_json(prometheus_factory("no-cadvisor"), "--aggregate", "namespace", "--split", "aws-scad")
    assert report["partial"] is True
    cadvisor = [w for w in report["warnings"] if "no cAdvisor series" in w]
    assert len(cadvisor) == 1
    assert "container_cpu_usage_seconds_total" in cadvisor[0]
    assert "container_memory_working_set_bytes" in cadvisor[0]
    web = next(a for a in report["allocations"] if a["name"] == "web")
    # web/api by its requests: 0.5 cores × 6 h = 3.0 core-hours (4.5 with its usage), 1 GiB × 6 h = 6 GiB-hours;
    # m6i.xlarge $0.192/h split aws-scad: unit = 0.192 / (0.9 × 4 + 0.1 × 16) = 0.192 / 5.2
    unit = 0.192 / 5.2
    assert web["cpu_core_hours"] == pytest.approx(3.0) and web["ram_gib_hours"] == pytest.approx(6.0)
    assert web["cpu_usage_core_hours"] is None and web["ram_usage_gib_hours"] is None
    assert web["cpu_usd"] == pytest.approx(3.0 * 0.9 * unit, abs=1e-9)          # $0.0996923
    assert web["ram_usd"] == pytest.approx(6.0 * 0.1 * unit, abs=1e-9)          # $0.0221538
    assert web["total_usd"] == pytest.approx(0.1218462, abs=1e-6)
    # the cluster still costs what its nodes cost: 6 × $0.192 + 3 × $2.1824 + EKS $0.60 + gp3 + NLB
    assert report["totals"]["total_usd"] == pytest.approx(6 * 0.192 + 3 * 2.1824 + 0.6 + 100 * 0.08 / 730 * 6
                                                          + 0.135, abs=0.005)
