"""Catalog directory format: round trip, atomic replacement, and errors that name the file."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from genaicost.domain.errors import InputError
from genaicost.domain.prices import (
    EBS_PRICE_SCHEMA,
    EC2_PRICE_SCHEMA,
    INSTANCE_SPEC_SCHEMA,
    PriceCatalog,
    ServicePrice,
)
from genaicost.pricing.catalog_files import read_catalog_dir, write_catalog_dir


def small_catalog() -> PriceCatalog:
    ec2 = pl.DataFrame([
        ("us-west-2", "g5.xlarge", 1.006, None, "od", None),
        ("us-east-1", "g5.xlarge", 1.006, 0.4361, "od", "spot"),
        ("us-east-1", "m7i.large", 0.1008, 0.0339, "od", "spot"),
    ], schema=EC2_PRICE_SCHEMA, orient="row")
    specs = pl.DataFrame([
        ("m7i.large", 2.0, 8.0, 0.0, None, None, "none", "specs"),
        ("g5.xlarge", 4.0, 16.0, 1.0, "A10G", 22.35, "nvidia", "specs"),
    ], schema=INSTANCE_SPEC_SCHEMA, orient="row")
    ebs = pl.DataFrame([("us-east-1", "gp3", 0.08, 0.005, 0.04, 3000.0, 125.0, "ebs")],
                       schema=EBS_PRICE_SCHEMA, orient="row")
    return PriceCatalog(
        as_of=date(2026, 7, 20), spot_as_of=date(2026, 7, 19),
        sources={"od": "on-demand, a test source", "spot": "spot, a test source", "specs": "specs source",
                 "ebs": "ebs source", "svc": "services source"},
        ec2=ec2, specs=specs, ebs=ebs,
        services={"eks/cluster-standard/*": ServicePrice(0.1, "cluster-hour", "svc"),
                  "elb/nlb-hour/us-east-1": ServicePrice(0.0225, "hour", "svc")})


def test_round_trip_is_exact_and_sorted(tmp_path: Path) -> None:
    catalog = small_catalog()
    write_catalog_dir(catalog, tmp_path / "cat")
    back = read_catalog_dir(tmp_path / "cat")
    assert back.as_of == date(2026, 7, 20) and back.spot_as_of == date(2026, 7, 19)
    assert back.sources == catalog.sources and back.services == catalog.services
    assert back.ec2.equals(catalog.ec2.sort("region", "instance_type"))
    assert back.specs.equals(catalog.specs.sort("instance_type"))
    assert back.ebs.equals(catalog.ebs)
    assert back.ec2.row(0) == ("us-east-1", "g5.xlarge", 1.006, 0.4361, "od", "spot")
    lines = (tmp_path / "cat" / "ec2_prices.csv").read_text().splitlines()
    assert lines[3] == "us-west-2,g5.xlarge,1.006,,od,"


def test_null_spot_as_of_round_trips(tmp_path: Path) -> None:
    write_catalog_dir(replace(small_catalog(), spot_as_of=None), tmp_path / "cat")
    assert read_catalog_dir(tmp_path / "cat").spot_as_of is None


def test_rewrite_replaces_the_whole_directory_and_leaves_no_temp_dirs(tmp_path: Path) -> None:
    target = tmp_path / "cat"
    write_catalog_dir(small_catalog(), target)
    (target / "stray.txt").write_text("from the old catalog")
    newer = replace(small_catalog(), as_of=date(2026, 8, 1))
    write_catalog_dir(newer, target)
    assert read_catalog_dir(target).as_of == date(2026, 8, 1)
    assert not (target / "stray.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cat"]


def test_failed_write_keeps_the_previous_catalog(tmp_path: Path) -> None:
    target = tmp_path / "cat"
    write_catalog_dir(small_catalog(), target)
    broken = replace(small_catalog(), as_of=date(2026, 8, 1), ebs=small_catalog().ebs.drop("free_iops"))
    with pytest.raises(pl.exceptions.ColumnNotFoundError):
        write_catalog_dir(broken, target)
    assert read_catalog_dir(target).as_of == date(2026, 7, 20)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cat"]


@pytest.fixture
def written(tmp_path: Path) -> Path:
    write_catalog_dir(small_catalog(), tmp_path / "cat")
    return tmp_path / "cat"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist") as info:
        read_catalog_dir(tmp_path / "nope")
    assert str(tmp_path / "nope") in str(info.value)


@pytest.mark.parametrize("name", ["meta.json", "ec2_prices.csv", "instance_specs.csv", "ebs_prices.csv",
                                  "services.csv"])
def test_missing_file_is_named(written: Path, name: str) -> None:
    (written / name).unlink()
    with pytest.raises(InputError, match="missing") as info:
        read_catalog_dir(written)
    assert info.value.source == str(written / name)


def test_corrupt_meta(written: Path) -> None:
    (written / "meta.json").write_text("{not json")
    with pytest.raises(InputError, match="not valid JSON") as info:
        read_catalog_dir(written)
    assert info.value.source == str(written / "meta.json")


def test_wrong_format_version(written: Path) -> None:
    _edit(written / "meta.json", '"format": 1', '"format": 2')
    with pytest.raises(InputError, match="unsupported catalog format 2; this version reads format 1"):
        read_catalog_dir(written)


def test_bad_as_of(written: Path) -> None:
    _edit(written / "meta.json", '"as_of": "2026-07-20"', '"as_of": "July 2026"')
    with pytest.raises(InputError, match="expected a date YYYY-MM-DD") as info:
        read_catalog_dir(written)
    assert info.value.field == "as_of"


def test_wrong_columns(written: Path) -> None:
    _edit(written / "instance_specs.csv", "gpu_memory_gib", "gpu_mem")
    with pytest.raises(InputError, match="columns are") as info:
        read_catalog_dir(written)
    assert info.value.source == str(written / "instance_specs.csv")


def test_unparseable_number(written: Path) -> None:
    _edit(written / "ec2_prices.csv", "0.1008", "cheap")
    with pytest.raises(InputError, match="cannot be parsed") as info:
        read_catalog_dir(written)
    assert info.value.source == str(written / "ec2_prices.csv")


def test_duplicate_row(written: Path) -> None:
    path = written / "ec2_prices.csv"
    path.write_text(path.read_text() + "us-east-1,m7i.large,0.2,,od,\n")
    with pytest.raises(InputError, match="duplicate row") as info:
        read_catalog_dir(written)
    assert info.value.obj == "us-east-1/m7i.large"


def test_negative_price(written: Path) -> None:
    _edit(written / "ebs_prices.csv", "0.08,", "-0.08,")
    with pytest.raises(InputError, match=r"negative value -0\.08") as info:
        read_catalog_dir(written)
    assert info.value.field == "usd_per_gb_month"


def test_unknown_source_id(written: Path) -> None:
    sources = json.loads((written / "meta.json").read_text())
    del sources["sources"]["ebs"]
    (written / "meta.json").write_text(json.dumps(sources))
    with pytest.raises(InputError, match="source id 'ebs' is not listed") as info:
        read_catalog_dir(written)
    assert info.value.source == str(written / "ebs_prices.csv")


def test_bad_service_key(written: Path) -> None:
    _edit(written / "services.csv", "elb/nlb-hour/us-east-1", "nlb-hour")
    with pytest.raises(InputError, match="<service>/<item>/<region") as info:
        read_catalog_dir(written)
    assert info.value.obj == "nlb-hour"
