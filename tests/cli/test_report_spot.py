"""`genaicost report` prices spot nodes live from DescribeSpotPriceHistory (moto's server mode)."""

from __future__ import annotations

import json
import statistics
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
from typer.testing import CliRunner

from genaicost.cli.main import app
from genaicost.sources.demo import demo_objects

runner = CliRunner()


def _kubectl_file(tmp_path: Path) -> Path:
    path = tmp_path / "cluster.json"
    now = datetime(2026, 11, 1, 12, tzinfo=UTC)
    path.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": demo_objects(now)}))
    return path


def _moto_medians(endpoint: str, types: list[str]) -> dict[str, float]:
    """What a direct boto3 call returns, reduced by hand: latest price per zone, median over zones."""
    ec2 = boto3.client("ec2", region_name="us-east-1", endpoint_url=endpoint)
    now = datetime.now(UTC)
    reply = ec2.describe_spot_price_history(
        InstanceTypes=types, ProductDescriptions=["Linux/UNIX"], StartTime=now - timedelta(hours=3), EndTime=now
    )
    latest: dict[tuple[str, str], tuple[datetime, float]] = {}
    for item in reply["SpotPriceHistory"]:
        key = (item["InstanceType"], item["AvailabilityZone"])
        if key not in latest or item["Timestamp"] > latest[key][0]:
            latest[key] = (item["Timestamp"], float(item["SpotPrice"]))
    return {t: statistics.median(v for (it, _), (_, v) in latest.items() if it == t) for t in types}


def test_live_spot_prices_used_for_spot_nodes(
    moto_endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    result = runner.invoke(
        app, ["report", "--snapshot", str(_kubectl_file(tmp_path)), "--spot-prices", "live", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    spot_nodes = [n for n in report["nodes"] if n["capacity_type"] == "spot"]
    assert spot_nodes
    expected = _moto_medians(moto_endpoint, sorted({n["instance_type"] for n in spot_nodes}))
    for node in spot_nodes:
        assert node["price_source"] == "aws-spot-api"
        assert node["hourly_usd"] == pytest.approx(expected[node["instance_type"]], rel=1e-12)
    assert not any("bundled spot snapshot" in w for w in report["warnings"])


def test_live_spot_without_credentials_is_an_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", "--snapshot", str(_kubectl_file(tmp_path)), "--spot-prices", "live"])
    assert result.exit_code == 2
    assert "--spot-prices" in result.output and "no AWS credentials" in result.output


def test_auto_without_credentials_falls_back_to_bundled(tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", "--snapshot", str(_kubectl_file(tmp_path)), "--format", "json"])
    assert result.exit_code == 0, result.output
    sources = {n["price_source"] for n in json.loads(result.stdout)["nodes"] if n["capacity_type"] == "spot"}
    assert sources == {"bundled-spot-estimate"}
