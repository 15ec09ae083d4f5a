"""`genaicost pricing ...`: look at and refresh the price catalog.

`show` and `list` live here; the option helpers (`CatalogDirOption`, `OverridesOption`, `RegionOption`,
`catalog_from_options`) are shared with other `pricing` commands that register on `pricing_app`.
"""

from __future__ import annotations

import json
import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import polars as pl
import typer
from rich.console import Console
from rich.table import Table

from genaicost.app.pricing import list_instances, show_instance
from genaicost.cli.errors import handle_errors
from genaicost.domain.prices import PriceCatalog
from genaicost.pricing.bundled import load_catalog
from genaicost.render.money import format_rate, format_usd

CATALOG_DIR_ENV = "GENAICOST_CATALOG_DIR"
DEFAULT_REGION = "us-east-1"
PIPED_WIDTH = 160

pricing_app = typer.Typer(help="Show, list and refresh the AWS price catalog.", no_args_is_help=True)

CatalogDirOption = Annotated[Path | None, typer.Option(
    "--catalog-dir", envvar=CATALOG_DIR_ENV, show_envvar=True,
    help="A refreshed catalog directory to use instead of the bundled prices.")]
OverridesOption = Annotated[Path | None, typer.Option(
    "--overrides", help="YAML file of your own prices and discounts (see docs/pricing.md).")]
RegionOption = Annotated[str, typer.Option("--region", "-r", help="AWS region, e.g. us-east-1.")]


class ShowFormat(StrEnum):
    table = "table"
    json = "json"


class ListFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def catalog_from_options(catalog_dir: Path | None, overrides: Path | None) -> PriceCatalog:
    """The catalog a command prices with, from --catalog-dir / $GENAICOST_CATALOG_DIR and --overrides."""
    return load_catalog(catalog_dir=catalog_dir, overrides_file=overrides)


@pricing_app.command("show")
@handle_errors
def show_command(
    instance_type: Annotated[str, typer.Argument(help="EC2 instance type, e.g. p4d.24xlarge.")],
    region: RegionOption = DEFAULT_REGION,
    fmt: Annotated[ShowFormat, typer.Option("--format", "-f", help="Output format.")] = ShowFormat.table,
    catalog_dir: CatalogDirOption = None,
    overrides: OverridesOption = None,
) -> None:
    """What one instance type costs in a region: on-demand, spot, per GPU-hour, per month, and why."""
    info = show_instance(catalog_from_options(catalog_dir, overrides), instance_type, region)
    if fmt is ShowFormat.json:
        typer.echo(json.dumps(info, indent=2))
        return
    _print_show(info)


@pricing_app.command("list")
@handle_errors
def list_command(
    region: Annotated[str | None, typer.Option("--region", "-r", help="AWS region (default us-east-1).")]
    = DEFAULT_REGION,
    all_regions: Annotated[bool, typer.Option("--all-regions", help="List every region.")] = False,
    gpu: Annotated[bool, typer.Option("--gpu", help="Only instances with GPUs / ML accelerators.")] = False,
    fmt: Annotated[ListFormat, typer.Option("--format", "-f", help="Output format.")] = ListFormat.table,
    catalog_dir: CatalogDirOption = None,
    overrides: OverridesOption = None,
) -> None:
    """Instance types with specs and prices, cheapest on-demand first."""
    catalog = catalog_from_options(catalog_dir, overrides)
    frame = list_instances(catalog, region=None if all_regions else region, gpu_only=gpu)
    if fmt is ListFormat.csv:
        typer.echo(frame.write_csv(), nl=False)
    elif fmt is ListFormat.json:
        typer.echo(json.dumps(frame.to_dicts(), indent=2))
    else:
        _print_list(frame, catalog)


def _console() -> Console:
    """Rich console on stdout; piped output (not a terminal) gets room for the whole table."""
    console = Console()
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = PIPED_WIDTH
    return console


def _print_show(info: dict[str, Any]) -> None:
    console = _console()
    table = Table(title=f"{info['instance_type']} in {info['region']} (prices as of {info['as_of']})")
    table.add_column("capacity", no_wrap=True)
    for name in ("$/hour", "$/month (730 h)", "$/GPU-hour"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("price basis")
    for label, block in (("on-demand", info["ondemand"]), ("spot", info["spot"])):
        table.add_row(label, format_rate(block["usd_per_hour"]), format_usd(block["usd_per_month"]),
                      format_rate(block["usd_per_gpu_hour"], unknown="-"),
                      block["price_basis"] or block["unpriced_reason"])
    console.print(table)
    spot = info["spot"]
    if spot["is_estimate"] and spot["usd_per_hour"] is not None:
        console.print(f"spot is an estimate as of {spot['as_of']}, not a live spot price")
    if info["specs"]:
        console.print(f"specs: {_specs_text(info['specs'])}")
    for entry in info["overrides"]:
        console.print(f"override: {entry['capacity_type']} ${entry['usd_per_hour']}/h in {entry['region']}"
                      + (f" ({entry['note']})" if entry["note"] else ""))
    if info["discount"]:
        d = info["discount"]
        console.print(f"discount: {d['kind']} -{d['percent']:g}% on {d['instance_family']} in {d['region']}")
    for sid, citation in info["sources"].items():
        console.print(f"[dim]source {sid}: {citation}[/]", highlight=False)


def _specs_text(specs: dict[str, Any]) -> str:
    accel = "none"
    if specs["gpu_count"]:
        memory = f", {specs['gpu_memory_gib']:g} GiB" if specs["gpu_memory_gib"] is not None else ""
        accel = f"{specs['gpu_count']:g} × {specs['gpu_model']}{memory} ({specs['accelerator']})"
    return f"{specs['vcpu']:g} vCPU, {specs['memory_gib']:g} GiB memory, accelerators: {accel}"


def _print_list(frame: pl.DataFrame, catalog: PriceCatalog) -> None:
    regions = frame["region"].unique().to_list()
    where = f" in {regions[0]}" if len(regions) == 1 else ""
    table = Table(title=f"{frame.height} instance types{where}, on-demand prices as of "
                        f"{catalog.as_of.isoformat()}, spot estimates as of {catalog.spot_as_of}")
    columns = [("region", "region"), ("instance type", "instance_type"), ("vCPU", "vcpu"),
               ("GiB", "memory_gib"), ("accelerators", "gpu_count"), ("$/h", "ondemand_usd_per_hour"),
               ("spot $/h", "spot_usd_per_hour"), ("$/GPU-h", "ondemand_usd_per_gpu_hour"),
               ("$/month", "ondemand_usd_per_month"), ("adjustment", "adjustment")]
    shown = [(title, col) for title, col in columns
             if not (col == "region" and where) and not (col == "adjustment" and frame[col].null_count()
                                                          == frame.height)]
    for title, col in shown:
        text = col in ("region", "instance_type", "gpu_count", "adjustment")
        table.add_column(title, justify="left" if text else "right", no_wrap=col != "gpu_count",
                         min_width=10 if col == "gpu_count" else None)
    for row in frame.iter_rows(named=True):
        table.add_row(*[_list_cell(col, row) for _, col in shown])
    _console().print(table)


def _list_cell(col: str, row: dict[str, Any]) -> str:
    value = row[col]
    if col in ("region", "instance_type", "adjustment"):
        return value or ""
    if col == "gpu_count":
        return f"{value:g}×{row['gpu_model']}" if value else ""
    if col in ("vcpu", "memory_gib"):
        return "" if value is None else f"{value:g}"
    if col == "ondemand_usd_per_month":
        return format_usd(value)
    return format_rate(value, unknown="" if col == "ondemand_usd_per_gpu_hour" else "n/a")
