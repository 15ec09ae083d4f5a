"""`genaicost pricing show/list`, in-process through typer's CliRunner."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from genaicost.cli.main import app
from genaicost.domain.prices import EBS_PRICE_SCHEMA, EC2_PRICE_SCHEMA, INSTANCE_SPEC_SCHEMA, PriceCatalog
from genaicost.pricing.catalog_files import write_catalog_dir

runner = CliRunner()


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Path:
    ec2 = pl.DataFrame([
        ("us-east-1", "g5.xlarge", 1.0, 0.4, "od", "spot"),
        ("us-east-1", "p4d.24xlarge", 32.0, 12.0, "od", "spot"),
        ("us-east-1", "m7i.large", 0.1, None, "od", None),
        ("eu-west-1", "p4d.24xlarge", 35.0, None, "od", None),
    ], schema=EC2_PRICE_SCHEMA, orient="row")
    specs = pl.DataFrame([
        ("g5.xlarge", 4.0, 16.0, 1.0, "A10G", 22.35, "nvidia", "specs"),
        ("p4d.24xlarge", 96.0, 1152.0, 8.0, "A100", 320.0, "nvidia", "specs"),
        ("m7i.large", 2.0, 8.0, 0.0, None, None, "none", "specs"),
    ], schema=INSTANCE_SPEC_SCHEMA, orient="row")
    catalog = PriceCatalog(as_of=date(2026, 7, 20), spot_as_of=date(2026, 7, 19),
                           sources={"od": "test on-demand", "spot": "test spot", "specs": "test specs"},
                           ec2=ec2, specs=specs, ebs=pl.DataFrame(schema=EBS_PRICE_SCHEMA))
    write_catalog_dir(catalog, tmp_path / "cat")
    return tmp_path / "cat"


def test_show_json(catalog_dir: Path) -> None:
    result = runner.invoke(app, ["pricing", "show", "p4d.24xlarge", "--catalog-dir", str(catalog_dir),
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert info["ondemand"]["usd_per_hour"] == 32.0 and info["ondemand"]["usd_per_gpu_hour"] == 4.0
    assert info["region"] == "us-east-1" and info["spot"]["usd_per_hour"] == 12.0


def test_show_table(catalog_dir: Path) -> None:
    result = runner.invoke(app, ["pricing", "show", "p4d.24xlarge", "-r", "eu-west-1",
                                 "--catalog-dir", str(catalog_dir)])
    assert result.exit_code == 0, result.output
    assert "p4d.24xlarge in eu-west-1 (prices as of 2026-07-20)" in result.stdout
    assert "$35.0000" in result.stdout and "$25,550.00" in result.stdout    # 35 × 730
    assert "$4.3750" in result.stdout                                        # 35 / 8 GPUs
    assert "96 vCPU, 1152 GiB memory, accelerators: 8 × A100, 320 GiB (nvidia)" in result.stdout


def test_show_with_overrides_file(catalog_dir: Path, tmp_path: Path) -> None:
    overrides = tmp_path / "o.yaml"
    overrides.write_text("discounts:\n  - {instance_family: g5, kind: savings-plan, percent: 25}\n")
    result = runner.invoke(app, ["pricing", "show", "g5.xlarge", "--catalog-dir", str(catalog_dir),
                                 "--overrides", str(overrides), "-f", "json"])
    assert result.exit_code == 0, result.output
    ondemand = json.loads(result.stdout)["ondemand"]
    assert ondemand["usd_per_hour"] == 0.75 and ondemand["price_basis"] == "od+savings-plan(-25%)"


def test_catalog_dir_from_environment(catalog_dir: Path) -> None:
    result = runner.invoke(app, ["pricing", "show", "m7i.large", "-f", "json"],
                           env={"GENAICOST_CATALOG_DIR": str(catalog_dir)})
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["ondemand"]["usd_per_hour"] == 0.1


def test_show_bundled_default() -> None:
    result = runner.invoke(app, ["pricing", "show", "p4d.24xlarge", "-f", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["ondemand"]["usd_per_hour"] == 21.957642


def test_list_gpu_csv(catalog_dir: Path) -> None:
    result = runner.invoke(app, ["pricing", "list", "--gpu", "--catalog-dir", str(catalog_dir), "-f", "csv"])
    assert result.exit_code == 0, result.output
    rows = pl.read_csv(result.stdout.encode())
    assert rows.select("instance_type", "ondemand_usd_per_hour", "ondemand_usd_per_month").rows() == [
        ("g5.xlarge", 1.0, 730.0), ("p4d.24xlarge", 32.0, 23360.0)]


def test_list_json_all_regions(catalog_dir: Path) -> None:
    result = runner.invoke(app, ["pricing", "list", "--all-regions", "--catalog-dir", str(catalog_dir),
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["region"], r["instance_type"]) for r in rows] == [
        ("us-east-1", "m7i.large"), ("us-east-1", "g5.xlarge"), ("us-east-1", "p4d.24xlarge"),
        ("eu-west-1", "p4d.24xlarge")]


def test_list_table(catalog_dir: Path) -> None:
    result = runner.invoke(app, ["pricing", "list", "--catalog-dir", str(catalog_dir)])
    assert result.exit_code == 0, result.output
    assert "3 instance types in us-east-1" in result.stdout
    assert "8×A100" in result.stdout and "$23,360.00" in result.stdout


def test_unknown_instance_type_exits_2(catalog_dir: Path) -> None:
    result = runner.invoke(app, ["pricing", "show", "p4d.24xlarg", "--catalog-dir", str(catalog_dir)])
    assert result.exit_code == 2
    assert "p4d.24xlarg" in result.stderr and "did you mean p4d.24xlarge" in result.stderr


def test_type_not_in_region_exits_2(catalog_dir: Path) -> None:
    result = runner.invoke(app, ["pricing", "show", "g5.xlarge", "-r", "eu-west-1",
                                 "--catalog-dir", str(catalog_dir)])
    assert result.exit_code == 2 and "regions that have it: us-east-1" in result.stderr


def test_missing_catalog_dir_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["pricing", "list", "--catalog-dir", str(tmp_path / "none")])
    assert result.exit_code == 2 and "catalog directory does not exist" in result.stderr


def test_bad_overrides_file_exits_2(catalog_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("discounts:\n  - {instance_family: g5, kind: savings-plan, percent: 140}\n")
    result = runner.invoke(app, ["pricing", "list", "--catalog-dir", str(catalog_dir),
                                 "--overrides", str(bad)])
    assert result.exit_code == 2
    assert "bad.yaml" in result.stderr and "percent" in result.stderr and "line 2" in result.stderr


def test_unknown_region_in_list_exits_2(catalog_dir: Path) -> None:
    result = runner.invoke(app, ["pricing", "list", "-r", "mars-1", "--catalog-dir", str(catalog_dir)])
    assert result.exit_code == 2 and "mars-1" in result.stderr


def test_unreadable_catalog_names_the_file(catalog_dir: Path) -> None:
    (catalog_dir / "meta.json").write_text("[]")
    result = runner.invoke(app, ["pricing", "list", "--catalog-dir", str(catalog_dir)])
    assert result.exit_code == 2 and "meta.json" in result.stderr

