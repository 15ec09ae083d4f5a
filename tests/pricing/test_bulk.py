"""Bulk offer files served by a local HTTP server, parsed with ijson; retries; truncation; memory bound."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import httpx
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from genaicost.app.refresh import refresh_from_bulk
from genaicost.domain.errors import InputError
from genaicost.domain.prices import PriceCatalog
from genaicost.pricing.bulk import parse_offer_file, refresh_bulk, regional_offer_urls
from genaicost.pricing.catalog_files import read_catalog_dir, write_catalog_dir
from genaicost.pricing.offer_select import select_product

OFFERS = Path(__file__).parent.parent / "data" / "pricing" / "offers"
CITATION = "AWS Price List bulk offer file AmazonEC2 20240528203522 (publicationDate 2024-05-28T20:35:22Z)"


def _no_sleep(_: float) -> None:
    pass


def _ec2(catalog: PriceCatalog, region: str) -> dict[str, tuple[float | None, float | None, str | None]]:
    rows = catalog.ec2.filter(pl.col("region") == region).iter_rows(named=True)
    return {
        r["instance_type"]: (r["ondemand_usd_per_hour"], r["spot_usd_per_hour"], r["ondemand_source"])
        for r in rows
    }


def test_parse_offer_file_keeps_linux_shared_ondemand_and_ebs() -> None:
    offer = parse_offer_file(OFFERS / "offer_us-east-1.json", "us-east-1")
    assert offer.version == "20240528203522"
    assert offer.as_of == date(2024, 5, 28)
    # Decoys listed first (CapacityBlock $0, Windows $0.188, Dedicated $0.106, unused reservation, SQL Web
    # $0.137, Boston Local Zone $0.115) are skipped; the g5.xlarge Reserved-shaped term ($0.20) is too.
    assert offer.rows.ec2 == {
        ("us-east-1", "p4d.24xlarge"): 32.7726,
        ("us-east-1", "m5.large"): 0.096,
        ("us-east-1", "g5.xlarge"): 1.006,
        ("us-east-1", "inf2.xlarge"): 0.7582,
    }
    assert offer.rows.ebs == {
        ("us-east-1", "gp3", "gb"): 0.08,
        ("us-east-1", "gp3", "iops"): 0.005,
        ("us-east-1", "gp3", "mibps"): 40.96 / 1024,
        ("us-east-1", "gp2", "gb"): 0.10,
        ("us-east-1", "io2", "gb"): 0.125,
        ("us-east-1", "io2", "iops"): 0.065,
    }


def test_parse_offer_file_us_east_2_skips_windows() -> None:
    offer = parse_offer_file(OFFERS / "offer_us-east-2.json", "us-east-2")
    assert offer.rows.ec2 == {("us-east-2", "m5.large"): 0.096}
    assert offer.rows.ebs == {("us-east-2", "gp3", "gb"): 0.08}


@pytest.mark.parametrize(
    "sku",
    [
        "VH3CB0K9ZX2R7PLD",
        "M5WIN00000000002",
        "M5DED00000000003",
        "M5UNU00000000004",
        "M5SQL00000000005",
        "M5BOS00000000006",
        "SNAPSHOT00000008",
        "IO2IOPT200000007",
    ],
)
def test_select_product_rejects_decoys(sku: str) -> None:
    products = json.loads((OFFERS / "offer_us-east-1.json").read_text())["products"]
    assert select_product(products[sku], "us-east-1") is None


def test_refresh_bulk_replaces_region_keeps_others(offer_server, base_catalog: PriceCatalog) -> None:
    with httpx.Client() as client:
        catalog = refresh_bulk(["us-east-1"], client, base_catalog, offer_index_url=offer_server.index_url)
    # m4.large is gone (not in the current offer), spot prices carried over from the base rows.
    assert _ec2(catalog, "us-east-1") == {
        "g5.xlarge": (1.006, None, "bulk-ondemand"),
        "inf2.xlarge": (0.7582, None, "bulk-ondemand"),
        "m5.large": (0.096, 0.04, "bulk-ondemand"),
        "p4d.24xlarge": (32.7726, 12.0, "bulk-ondemand"),
    }
    assert _ec2(catalog, "us-west-2") == {"m5.large": (0.096, 0.035, "bundled-ondemand")}
    assert catalog.as_of == date(2024, 5, 28)
    assert catalog.sources["bulk-ondemand"] == f"us-east-1: {CITATION}"
    assert catalog.sources["bundled-ondemand"] == "test bundled on-demand"


def test_refresh_bulk_ebs_rows(offer_server, base_catalog: PriceCatalog) -> None:
    with httpx.Client() as client:
        catalog = refresh_bulk(["us-east-1"], client, base_catalog, offer_index_url=offer_server.index_url)
    rows = {
        r["volume_type"]: r for r in catalog.ebs.filter(pl.col("region") == "us-east-1").iter_rows(named=True)
    }
    assert set(rows) == {"gp2", "gp3", "io2"}
    assert rows["gp3"] == {
        "region": "us-east-1",
        "volume_type": "gp3",
        "usd_per_gb_month": 0.08,
        "usd_per_iops_month": 0.005,
        "usd_per_mibps_month": 0.04,
        "free_iops": 3000.0,
        "free_mibps": 125.0,
        "source": "bulk-ondemand",
    }
    assert rows["io2"]["usd_per_iops_month"] == 0.065 and rows["io2"]["usd_per_mibps_month"] == 0.0
    assert rows["io2"]["free_iops"] == 0.0
    assert (rows["gp2"]["usd_per_gb_month"], rows["gp2"]["usd_per_iops_month"]) == (0.10, 0.0)
    kept = catalog.ebs.filter(pl.col("region") == "us-west-2")
    assert kept["usd_per_gb_month"].to_list() == [0.08] and kept["source"].to_list() == ["bundled-ebs"]


def test_refresh_bulk_specs_base_wins_new_types_added(offer_server, base_catalog: PriceCatalog) -> None:
    with httpx.Client() as client:
        catalog = refresh_bulk(["us-east-1"], client, base_catalog, offer_index_url=offer_server.index_url)
    specs = {r["instance_type"]: r for r in catalog.specs.iter_rows(named=True)}
    assert specs["p4d.24xlarge"]["gpu_model"] == "A100-SXM4-40GB"
    assert specs["p4d.24xlarge"]["source"] == "bundled-specs"
    assert specs["g5.xlarge"] == {
        "instance_type": "g5.xlarge",
        "vcpu": 4.0,
        "memory_gib": 16.0,
        "gpu_count": 1.0,
        "gpu_model": None,
        "gpu_memory_gib": 24.0,
        "accelerator": None,
        "source": "bulk-ondemand",
    }
    # An ML ASIC instance without a "gpu" attribute: device count unknown, not 0.
    assert specs["inf2.xlarge"]["gpu_count"] is None


def test_two_regions_citation_per_region(offer_server, base_catalog: PriceCatalog) -> None:
    with httpx.Client() as client:
        first = refresh_bulk(["us-east-2"], client, base_catalog, offer_index_url=offer_server.index_url)
        both = refresh_bulk(["us-east-1"], client, first, offer_index_url=offer_server.index_url)
    assert both.sources["bulk-ondemand"] == f"us-east-1: {CITATION}; us-east-2: {CITATION}"
    assert _ec2(both, "us-east-2") == {"m5.large": (0.096, None, "bulk-ondemand")}


def test_offer_index_url_resolution(offer_server) -> None:
    with httpx.Client() as client:
        urls = regional_offer_urls(client, offer_server.index_url, ["us-east-2"])
    assert urls == {"us-east-2": offer_server.url(offer_server.offer_path("us-east-2"))}


def test_unknown_region_is_input_error(offer_server, base_catalog: PriceCatalog) -> None:
    with httpx.Client() as client, pytest.raises(InputError) as err:
        refresh_bulk(["xx-nowhere-1"], client, base_catalog, offer_index_url=offer_server.index_url)
    assert "'xx-nowhere-1' is not in the EC2 region index" in str(err.value)
    assert "eu-west-1, us-east-1, us-east-2" in str(err.value)


def test_5xx_then_ok_is_retried_with_backoff(offer_server, base_catalog: PriceCatalog) -> None:
    path = offer_server.offer_path("us-east-1")
    offer_server.failures[path] = 2
    sleeps: list[float] = []
    with httpx.Client() as client:
        catalog = refresh_bulk(
            ["us-east-1"], client, base_catalog, offer_index_url=offer_server.index_url, sleep=sleeps.append
        )
    assert offer_server.hits[path] == 3
    assert sleeps == [0.5, 1.0]
    assert _ec2(catalog, "us-east-1")["p4d.24xlarge"][0] == 32.7726


def test_connection_dropped_midway_is_retried(offer_server, base_catalog: PriceCatalog) -> None:
    path = offer_server.offer_path("us-east-1")
    offer_server.cut_short[path] = 1
    with httpx.Client() as client:
        catalog = refresh_bulk(
            ["us-east-1"], client, base_catalog, offer_index_url=offer_server.index_url, sleep=_no_sleep
        )
    assert offer_server.hits[path] == 2
    assert _ec2(catalog, "us-east-1")["m5.large"][0] == 0.096


def test_persistent_5xx_gives_up(offer_server, base_catalog: PriceCatalog) -> None:
    offer_server.failures[offer_server.offer_path("us-east-1")] = 10
    with (
        httpx.Client() as client,
        pytest.raises(InputError, match="download failed after 4 attempts: HTTP 503"),
    ):
        refresh_bulk(
            ["us-east-1"], client, base_catalog, offer_index_url=offer_server.index_url, sleep=_no_sleep
        )
    assert offer_server.hits[offer_server.offer_path("us-east-1")] == 4


def test_404_is_not_retried(offer_server, base_catalog: PriceCatalog) -> None:
    with httpx.Client() as client, pytest.raises(InputError, match="HTTP 404"):
        refresh_bulk(["us-east-1"], client, base_catalog, offer_index_url=offer_server.url("/nope.json"))
    assert offer_server.hits["/nope.json"] == 1


def test_truncated_offer_file_leaves_old_catalog(
    offer_server, base_catalog: PriceCatalog, tmp_path: Path
) -> None:
    catalog_dir = tmp_path / "catalog"
    write_catalog_dir(base_catalog, catalog_dir)
    before = {p.name: p.read_bytes() for p in catalog_dir.iterdir()}
    body = offer_server.routes[offer_server.offer_path("us-east-1")]
    offer_server.routes[offer_server.offer_path("us-east-1")] = body[: int(len(body) * 0.8)]
    with httpx.Client() as client, pytest.raises(InputError) as err:
        refresh_from_bulk(
            catalog_dir=catalog_dir,
            regions=["us-east-1"],
            http_client=client,
            offer_index_url=offer_server.index_url,
        )
    assert "offer file is truncated or not valid JSON" in str(err.value)
    assert offer_server.offer_path("us-east-1") in str(err.value)
    assert {p.name: p.read_bytes() for p in catalog_dir.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["catalog"]  # temporary download removed


def test_refresh_from_bulk_writes_catalog_dir(
    offer_server, base_catalog: PriceCatalog, tmp_path: Path
) -> None:
    catalog_dir = tmp_path / "catalog"
    with httpx.Client() as client:
        result = refresh_from_bulk(
            catalog_dir=catalog_dir,
            regions=["us-east-1"],
            http_client=client,
            offer_index_url=offer_server.index_url,
            base_catalog=base_catalog,
        )
    assert result.counts == {"ec2": 4, "ebs": 3, "specs_added": 2}
    assert result.as_of == date(2024, 5, 28)
    written = read_catalog_dir(catalog_dir)
    assert_frame_equal(
        written.ec2.filter(pl.col("region") == "us-east-1").select("instance_type", "ondemand_usd_per_hour"),
        pl.DataFrame(
            {
                "instance_type": ["g5.xlarge", "inf2.xlarge", "m5.large", "p4d.24xlarge"],
                "ondemand_usd_per_hour": [1.006, 0.7582, 0.096, 32.7726],
            }
        ),
    )


@pytest.mark.slow
def test_150mb_offer_file_parses_under_500mb_rss(tmp_path: Path) -> None:
    bench = Path(__file__).parents[2] / "bench" / "bench_refresh.py"
    out = subprocess.run(
        [sys.executable, str(bench), "--size-mb", "150", "--work-dir", str(tmp_path), "--json"],
        capture_output=True,
        text=True,
        check=True,
        timeout=900,
    )
    report = json.loads(out.stdout)
    assert report["file_mb"] >= 140
    assert report["kept_ec2_rows"] == report["instance_types"]
    assert report["ebs_rows"] == 7
    assert report["parse_peak_rss_mb"] < 500


def test_cli_refresh_bulk(offer_server, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from genaicost.cli.pricing import pricing_app
    from genaicost.cli.pricing_refresh import refresh_command  # registers "refresh"

    assert refresh_command.__name__ == "refresh_command"
    catalog_dir = tmp_path / "catalog"
    result = CliRunner().invoke(
        pricing_app,
        [
            "refresh",
            "--region",
            "us-east-1",
            "--offer-index-url",
            offer_server.index_url,
            "--catalog-dir",
            str(catalog_dir),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Refreshed us-east-1 from AWS bulk offer files" in result.output
    assert "EC2 on-demand rows: 4" in result.output and "EBS rows: 3" in result.output
    assert "prices as of 2024-05-28" in result.output and str(catalog_dir) in result.output
    written = read_catalog_dir(catalog_dir)
    assert _ec2(written, "us-east-1")["p4d.24xlarge"][0] == 32.7726
    # regions not refreshed keep the bundled catalog's rows
    assert (
        written.ec2.filter(pl.col("region") != "us-east-1")["ondemand_source"].is_in(["bulk-ondemand"]).sum()
        == 0
    )


def test_cli_unknown_region_exits_2(offer_server, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    import genaicost.cli.pricing_refresh  # noqa: F401  registers "refresh"
    from genaicost.cli.pricing import pricing_app

    result = CliRunner().invoke(
        pricing_app,
        [
            "refresh",
            "--region",
            "mars-1",
            "--offer-index-url",
            offer_server.index_url,
            "--catalog-dir",
            str(tmp_path / "c"),
        ],
    )
    assert result.exit_code == 2
    assert "'mars-1' is not in the EC2 region index" in result.output
    assert not (tmp_path / "c").exists()


def test_cli_unreachable_url_exits_2(tmp_path: Path) -> None:
    import socket

    from typer.testing import CliRunner

    import genaicost.cli.pricing_refresh  # noqa: F401  registers "refresh"
    from genaicost.cli.pricing import pricing_app

    with socket.socket() as sock:  # a loopback port with nothing listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = CliRunner().invoke(
        pricing_app,
        [
            "refresh",
            "--region",
            "us-east-1",
            "--offer-index-url",
            f"http://127.0.0.1:{port}/index.json",
            "--catalog-dir",
            str(tmp_path / "c"),
        ],
    )
    assert result.exit_code == 2
    assert "download failed after 4 attempts" in result.output


def test_cli_needs_a_region(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    import genaicost.cli.pricing_refresh  # noqa: F401  registers "refresh"
    from genaicost.cli.pricing import pricing_app

    result = CliRunner().invoke(pricing_app, ["refresh", "--catalog-dir", str(tmp_path / "c")])
    assert result.exit_code == 2
    assert "name the regions to refresh, e.g. --region us-east-1" in result.output
