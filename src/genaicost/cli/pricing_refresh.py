"""`genaicost pricing refresh`: update the catalog directory from AWS (bulk offer files or Pricing API).

Registered on `genaicost.cli.pricing.pricing_app` by importing this module.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from genaicost.app import refresh
from genaicost.cli.errors import handle_errors
from genaicost.cli.pricing import CATALOG_DIR_ENV, pricing_app
from genaicost.domain.errors import InputError
from genaicost.pricing.bulk import DEFAULT_OFFER_INDEX_URL

_out = Console(highlight=False)


class RefreshSource(StrEnum):
    bulk = "bulk"
    api = "api"


def resolve_catalog_dir(flag: Path | None) -> Path:
    """--catalog-dir (or $GENAICOST_CATALOG_DIR, via Typer), else ~/.cache/genaicost/catalog."""
    return (flag or refresh.DEFAULT_CATALOG_DIR).expanduser()


@pricing_app.command("refresh")
@handle_errors
def refresh_command(
    source: Annotated[
        RefreshSource,
        typer.Option(
            help="bulk: AWS bulk offer files (no credentials); "
            "api: Pricing API GetProducts (needs credentials)"
        ),
    ] = RefreshSource.bulk,
    region: Annotated[
        list[str] | None,
        typer.Option(
            "--region", metavar="REGION", help="region code, e.g. us-east-1; repeatable, at least one"
        ),
    ] = None,
    instance_type: Annotated[
        list[str] | None,
        typer.Option("--instance-type", metavar="TYPE", help="api: instance type; repeatable"),
    ] = None,
    volume_type: Annotated[
        list[str] | None,
        typer.Option("--volume-type", metavar="TYPE", help="api: EBS volume type (gp3...); repeatable"),
    ] = None,
    offer_index_url: Annotated[str, typer.Option(help="bulk: AWS offer index URL")] = DEFAULT_OFFER_INDEX_URL,
    catalog_dir: Annotated[
        Path | None,
        typer.Option(
            envvar=CATALOG_DIR_ENV,
            show_envvar=True,
            help="where the catalog is read from and written (default ~/.cache/genaicost/catalog)",
        ),
    ] = None,
    cache_ttl_hours: Annotated[
        float, typer.Option(help="api: reuse cached responses younger than this")
    ] = 24.0,
    endpoint_url: Annotated[str | None, typer.Option(hidden=True, help="api: Pricing API endpoint")] = None,
) -> None:
    """Refresh EC2 on-demand and EBS prices from AWS and write them to the catalog directory."""
    directory = resolve_catalog_dir(catalog_dir)
    if source is RefreshSource.bulk:
        if instance_type or volume_type:
            raise InputError(
                "--instance-type / --volume-type apply to --source api; a bulk refresh "
                "replaces whole regions",
                field="--instance-type",
            )
        result = refresh.refresh_from_bulk(
            catalog_dir=directory, regions=region or [], offer_index_url=offer_index_url
        )
    else:
        if cache_ttl_hours < 0:
            raise InputError(f"got {cache_ttl_hours}, expected hours >= 0", field="--cache-ttl-hours")
        client = refresh.pricing_client(_boto3_session(), endpoint_url)
        result = refresh.refresh_from_api(
            catalog_dir=directory,
            regions=region or [],
            instance_types=instance_type or [],
            volume_types=volume_type or [],
            pricing_client=client,
            now=datetime.now(UTC),
            cache_ttl=timedelta(hours=cache_ttl_hours),
        )
    _print_result(result)


def _boto3_session() -> object:
    import boto3

    return boto3.Session()


def _print_result(result: refresh.RefreshResult) -> None:
    counts = result.counts
    _out.print(
        f"Refreshed {', '.join(result.regions)} from "
        f"{'AWS bulk offer files' if result.source == 'bulk' else 'the AWS Pricing API'}"
    )
    _out.print(
        f"  EC2 on-demand rows: {counts['ec2']}   EBS rows: {counts['ebs']}   "
        f"new instance specs: {counts['specs_added']}"
    )
    _out.print(f"  prices as of {result.as_of.isoformat()}")
    if result.missing:
        _out.print(f"  not found (kept previous price, if any): {', '.join(result.missing)}")
    _out.print(f"  written to {result.catalog_dir}")
