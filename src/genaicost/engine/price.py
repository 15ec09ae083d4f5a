"""Price nodes, volumes, load balancers and the EKS control plane from a PriceCatalog.

The arithmetic and the precedence rules are in docs/cost-model.md §1. Pure: no I/O, no environment,
no clock; vectorized joins, no per-node Python loops.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from genaicost.domain.prices import PriceCatalog
from genaicost.domain.window import HOURS_PER_MONTH

__all__ = ["control_plane_hourly", "price_nodes", "price_services", "price_volumes", "price_warnings"]

UNPRICED = "unpriced"
LIVE_SPOT = "aws-spot-api"
ONDEMAND_KINDS = ("bundled-ondemand", "bulk-ondemand", "pricing-api")
ADDED_COLUMNS = ("hourly_usd", "price_source", "price_is_estimate", "unpriced_reason", "priced_gpu_count",
                 "ondemand_usd_per_hour")

_T = "instance_type"
_C = "capacity_type"
_R = "region"


def _ondemand_kind(source_id: pl.Expr) -> pl.Expr:
    """The price-source kind of an on-demand price, from its catalog source id."""
    return (pl.when(source_id.is_in(ONDEMAND_KINDS)).then(source_id)
            .when(source_id.str.contains("pricing-api")).then(pl.lit("pricing-api"))
            .when(source_id.str.contains("bulk")).then(pl.lit("bulk-ondemand"))
            .otherwise(pl.lit("bundled-ondemand")))


def _override_table(catalog: PriceCatalog) -> pl.DataFrame:
    rows = [(o.region, o.instance_type, o.capacity_type, float(o.usd_per_hour)) for o in catalog.overrides]
    schema = {_R: pl.String, _T: pl.String, _C: pl.String, "override_usd": pl.Float64}
    return pl.DataFrame(rows, schema=schema, orient="row").unique([_R, _T, _C], keep="first",
                                                                  maintain_order=True)


def _discount_table(catalog: PriceCatalog) -> pl.DataFrame:
    rows = []
    for d in catalog.discounts:
        if not 0.0 <= d.fraction < 1.0:
            raise ValueError(f"discount for {d.instance_family} in {d.region}: fraction {d.fraction} "
                             "must be in [0, 1)")
        rows.append((d.region, d.instance_family, float(d.fraction), f"+{d.kind}(-{d.fraction * 100:g}%)"))
    schema = {_R: pl.String, "family": pl.String, "discount_fraction": pl.Float64,
              "discount_suffix": pl.String}
    return pl.DataFrame(rows, schema=schema, orient="row").unique([_R, "family"], keep="first",
                                                                  maintain_order=True)


def _fargate_table(catalog: PriceCatalog, regions: pl.Series) -> pl.DataFrame:
    """Fargate $/vCPU-hour and $/GB-hour for each region present (a loop over regions, not nodes)."""
    rows = []
    for region in regions.drop_nulls().unique().to_list():
        vcpu = catalog.service_price("fargate", "vcpu-hour", region)
        gib = catalog.service_price("fargate", "gb-hour", region)
        rows.append((region, vcpu.usd if vcpu else None, gib.usd if gib else None))
    schema = {_R: pl.String, "fargate_vcpu_usd": pl.Float64, "fargate_gib_usd": pl.Float64}
    return pl.DataFrame(rows, schema=schema, orient="row")


def _join_exact_or_star(df: pl.DataFrame, table: pl.DataFrame, keys: list[str], value_cols: list[str]
                        ) -> pl.DataFrame:
    """Left-join `table` on region + keys; a row with region "*" applies when no exact region matches."""
    exact = table.filter(pl.col(_R) != "*")
    star = table.filter(pl.col(_R) == "*").drop(_R).rename({c: f"{c}__star" for c in value_cols})
    out = df.join(exact, on=[_R, *keys], how="left", maintain_order="left")
    out = out.join(star, on=keys, how="left", maintain_order="left")
    return out.with_columns([pl.coalesce(c, f"{c}__star").alias(c) for c in value_cols]).drop(
        [f"{c}__star" for c in value_cols])


def _with_catalog_columns(nodes: pl.DataFrame, catalog: PriceCatalog) -> pl.DataFrame:
    ec2 = catalog.ec2.select(_R, _T, "ondemand_usd_per_hour", "spot_usd_per_hour", "ondemand_source",
                             "spot_source").unique([_R, _T], keep="first", maintain_order=True)
    specs = catalog.specs.select(_T, pl.col("gpu_count").alias("spec_gpu_count")).unique(
        _T, keep="first", maintain_order=True)
    known = pl.concat([catalog.ec2.get_column(_T), catalog.specs.get_column(_T)]).drop_nulls().unique()
    df = nodes.join(ec2, on=[_R, _T], how="left", maintain_order="left")
    df = df.join(specs, on=_T, how="left", maintain_order="left")
    df = df.join(_fargate_table(catalog, nodes.get_column(_R)), on=_R, how="left", maintain_order="left")
    df = _join_exact_or_star(df, _override_table(catalog), [_T, _C], ["override_usd"])
    return df.with_columns(pl.col(_T).is_in(known.implode()).fill_null(False).alias("_known_type"),
                           pl.col(_T).str.split(".").list.first().alias("family"))


def _rule() -> pl.Expr:
    """Which precedence rule prices each node (docs/cost-model.md §1.1), first match wins."""
    fargate = ((pl.col("compute_type") == "fargate") | (pl.col(_C) == "fargate")).fill_null(False)
    fargate_ok = pl.all_horizontal(
        pl.col("fargate_vcpu_usd", "fargate_gib_usd", "vcpu", "ram_gib").is_not_null())
    spot = (pl.col(_C) == "spot").fill_null(False)
    return (pl.when(pl.col("override_usd").is_not_null()).then(pl.lit("override"))
            .when(fargate & fargate_ok).then(pl.lit("fargate"))
            .when(fargate).then(pl.lit("fargate-missing"))
            .when(pl.col(_T).is_null()).then(pl.lit("no-type"))
            .when(pl.col(_R).is_null()).then(pl.lit("no-region"))
            .when(~pl.col("_known_type")).then(pl.lit("unknown-type"))
            .when(spot & pl.col("spot_usd_per_hour").is_not_null() & (pl.col("spot_source") == LIVE_SPOT))
            .then(pl.lit("spot-live"))
            .when(spot & pl.col("spot_usd_per_hour").is_not_null()).then(pl.lit("spot-bundled"))
            .when(pl.col("ondemand_usd_per_hour").is_null()).then(pl.lit("no-price"))
            .when(spot).then(pl.lit("spot-upper"))
            .when(pl.col(_C) == "on-demand").then(pl.lit("ondemand"))
            .otherwise(pl.lit("ondemand-assumed"))
            .alias("_rule"))


def _base_price(rule: pl.Expr) -> pl.Expr:
    fargate = pl.col("vcpu") * pl.col("fargate_vcpu_usd") + pl.col("ram_gib") * pl.col("fargate_gib_usd")
    return (pl.when(rule == "override").then(pl.col("override_usd"))
            .when(rule == "fargate").then(fargate)
            .when(rule.is_in(["spot-live", "spot-bundled"])).then(pl.col("spot_usd_per_hour"))
            .when(rule.is_in(["spot-upper", "ondemand", "ondemand-assumed"]))
            .then(pl.col("ondemand_usd_per_hour"))
            .otherwise(None))


def _base_source(rule: pl.Expr) -> pl.Expr:
    return (pl.when(rule.is_in(["override", "ondemand-assumed"])).then(rule)
            .when(rule == "fargate").then(pl.lit("fargate-rates"))
            .when(rule == "spot-live").then(pl.lit(LIVE_SPOT))
            .when(rule == "spot-bundled").then(pl.lit("bundled-spot-estimate"))
            .when(rule == "spot-upper").then(pl.lit("ondemand-upper-bound"))
            .when(rule == "ondemand").then(_ondemand_kind(pl.col("ondemand_source")))
            .otherwise(pl.lit(UNPRICED)))


def _unpriced_reason(rule: pl.Expr) -> pl.Expr:
    t, r = pl.col(_T), pl.col(_R)
    fargate_reason = (pl.when(r.is_null()).then(pl.lit("Fargate node has no region label"))
                      .when(pl.col("fargate_vcpu_usd").is_null() | pl.col("fargate_gib_usd").is_null())
                      .then(pl.format("no Fargate price for region {} in the catalog", r))
                      .otherwise(pl.lit("Fargate node reports no vCPU or memory capacity")))
    return (pl.when(rule == "fargate-missing").then(fargate_reason)
            .when(rule == "no-type").then(pl.lit("node has no instance-type label"))
            .when(rule == "no-region").then(pl.lit("node has no region label"))
            .when(rule == "unknown-type").then(pl.format("instance type {} is not in the price catalog", t))
            .when(rule == "no-price").then(pl.format("no on-demand price for {} in region {}", t, r))
            .otherwise(None))


def price_nodes(nodes: pl.DataFrame, catalog: PriceCatalog) -> pl.DataFrame:
    """Nodes (NODE_SCHEMA) plus hourly_usd, price_source, price_is_estimate, unpriced_reason,
    priced_gpu_count and ondemand_usd_per_hour (the list price in the node's region, before discounts)."""
    df = _with_catalog_columns(nodes, catalog).with_columns(_rule())
    df = _join_exact_or_star(df, _discount_table(catalog), ["family"],
                             ["discount_fraction", "discount_suffix"])
    rule = pl.col("_rule")
    discounted = rule.is_in(["ondemand", "ondemand-assumed"]) & pl.col("discount_fraction").is_not_null()
    base, source = _base_price(rule), _base_source(rule)
    df = df.with_columns(
        pl.when(discounted).then(base * (1.0 - pl.col("discount_fraction"))).otherwise(base)
        .alias("hourly_usd"),
        pl.when(discounted).then(source + pl.col("discount_suffix")).otherwise(source).alias("price_source"),
        rule.is_in(["spot-bundled", "spot-upper", "ondemand-assumed"]).alias("price_is_estimate"),
        _unpriced_reason(rule).alias("unpriced_reason"),
        pl.max_horizontal(pl.col("gpu_count").fill_null(0.0), pl.col("spec_gpu_count").fill_null(0.0))
        .alias("priced_gpu_count"),
    )
    return df.select(*nodes.columns, *ADDED_COLUMNS)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def price_warnings(priced_nodes: pl.DataFrame, spot_as_of: date | None = None) -> list[str]:
    """One line per kind of estimated or missing node price; pass catalog.spot_as_of to date the snapshot."""
    kinds = priced_nodes.get_column("price_source").str.split("+").list.first()
    counts: dict[str, int] = dict(kinds.value_counts().iter_rows())
    dated = f" of {spot_as_of.isoformat()}" if spot_as_of else ""
    lines = {   # kind -> (noun, rest of the line)
        "bundled-spot-estimate": ("spot node", f"priced from the bundled spot snapshot{dated}: an estimate"),
        "ondemand-upper-bound": ("spot node", "priced at on-demand (no spot price in the catalog): "
                                              "an upper bound"),
        "ondemand-assumed": ("node", "of unknown capacity type priced at on-demand: an estimate"),
        UNPRICED: ("node", "unpriced (left out of the totals)"),
    }
    return [f"{_plural(counts[kind], noun)} {rest}"
            for kind, (noun, rest) in lines.items() if counts.get(kind)]


# --- volumes -------------------------------------------------------------------------------------------

_IOPS_ALL_PROVISIONED = ("io1", "io2")   # every provisioned IOPS is billed, whatever the catalog says


def _volume_reason() -> pl.Expr:
    vt, r = pl.col("volume_type"), pl.col(_R)
    return (pl.when(vt == "efs").then(pl.lit("EFS bills stored bytes, not PV capacity"))
            .when(vt.is_null() | (vt == "unknown"))
            .then(pl.format("unknown volume type (storage class {})",
                            pl.col("storage_class").fill_null("none")))
            .when(r.is_null()).then(pl.lit("volume has no region"))
            .when(pl.col("usd_per_gb_month").is_null())
            .then(pl.format("no EBS price for {} in region {}", vt, r))
            .when(pl.col("capacity_gib").is_null()).then(pl.lit("volume has no capacity"))
            .when(vt.is_in(_IOPS_ALL_PROVISIONED) & pl.col("iops").is_null())
            .then(pl.format("{} volume has no provisioned IOPS: its IOPS charge is unknown", vt))
            .otherwise(None))


def _volume_monthly_usd() -> pl.Expr:
    free_iops = pl.when(pl.col("volume_type").is_in(_IOPS_ALL_PROVISIONED)).then(0.0).otherwise(
        pl.col("free_iops").fill_null(0.0))
    extra_iops = (pl.col("iops").fill_null(0.0) - free_iops).clip(lower_bound=0.0)
    extra_mibps = (pl.col("throughput_mibps").fill_null(0.0) - pl.col("free_mibps").fill_null(0.0)).clip(
        lower_bound=0.0)
    return (pl.col("capacity_gib") * pl.col("usd_per_gb_month")
            + extra_iops * pl.col("usd_per_iops_month").fill_null(0.0)
            + extra_mibps * pl.col("usd_per_mibps_month").fill_null(0.0))


def price_volumes(volumes: pl.DataFrame, catalog: PriceCatalog) -> pl.DataFrame:
    """Volumes (VOLUME_SCHEMA) plus hourly_usd, price_source (the EBS row's source id), unpriced_reason."""
    ebs = catalog.ebs.select(_R, "volume_type", "usd_per_gb_month", "usd_per_iops_month",
                             "usd_per_mibps_month", "free_iops", "free_mibps",
                             pl.col("source").alias("_ebs_source"))
    df = volumes.join(ebs.unique([_R, "volume_type"], keep="first", maintain_order=True),
                      on=[_R, "volume_type"], how="left", maintain_order="left")
    reason = _volume_reason()
    df = df.with_columns(reason.alias("unpriced_reason"))
    priced = pl.col("unpriced_reason").is_null()
    df = df.with_columns(
        pl.when(priced).then(_volume_monthly_usd() / HOURS_PER_MONTH).otherwise(None).alias("hourly_usd"),
        pl.when(priced).then(pl.col("_ebs_source")).otherwise(pl.lit(UNPRICED)).alias("price_source"),
    )
    return df.select(*volumes.columns, "hourly_usd", "price_source", "unpriced_reason")


# --- load balancers and the control plane --------------------------------------------------------------

def _service_table(catalog: PriceCatalog, keys: pl.DataFrame) -> pl.DataFrame:
    """$/hour for each (lb_kind, region) present (a loop over distinct pairs, not over services)."""
    rows = []
    for kind, region in keys.unique().iter_rows():
        price = catalog.service_price("elb", f"{kind}-hour", region) if kind else None
        rows.append((kind, region, price.usd if price else None, price.source if price else None))
    schema = {"lb_kind": pl.String, _R: pl.String, "_lb_usd": pl.Float64, "_lb_source": pl.String}
    return pl.DataFrame(rows, schema=schema, orient="row")


def price_services(services: pl.DataFrame, catalog: PriceCatalog) -> pl.DataFrame:
    """LoadBalancer services (SERVICE_SCHEMA) plus hourly_usd, price_source, unpriced_reason.

    Only the hourly charge of the load balancer; LCU / NLCU charges depend on traffic and are not included."""
    table = _service_table(catalog, services.select("lb_kind", _R))
    df = services.join(table, on=["lb_kind", _R], how="left", maintain_order="left", nulls_equal=True)
    reason = (pl.when(pl.col("lb_kind").is_null()).then(pl.lit("load balancer of unknown kind"))
              .otherwise(pl.format("no {} hourly price for region {} in the catalog",
                                   pl.col("lb_kind").str.to_uppercase(), pl.col(_R).fill_null("(none)"))))
    priced = pl.col("_lb_usd").is_not_null()
    return df.with_columns(
        pl.col("_lb_usd").alias("hourly_usd"),
        pl.when(priced).then(pl.col("_lb_source")).otherwise(pl.lit(UNPRICED)).alias("price_source"),
        pl.when(priced).then(None).otherwise(reason).alias("unpriced_reason"),
    ).select(*services.columns, "hourly_usd", "price_source", "unpriced_reason")


def control_plane_hourly(catalog: PriceCatalog, region: str | None, support: str
                         ) -> tuple[float | None, str, str | None]:
    """The EKS cluster fee: (usd per hour or None, source id or "unpriced", unpriced reason or None).

    `support` is "standard" or "extended"; the extended price is the whole fee ($0.60/h), not a surcharge."""
    if support not in ("standard", "extended"):
        raise ValueError(f"EKS support must be 'standard' or 'extended', not {support!r}")
    price = catalog.service_price("eks", f"cluster-{support}", region)
    if price is None:
        return None, UNPRICED, f"no EKS {support}-support cluster fee in the catalog"
    return price.usd, price.source, None
