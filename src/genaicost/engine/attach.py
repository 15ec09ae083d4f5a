"""Volumes and load balancers attached to billable pods (docs/cost-model.md section 3.4).

A PV's cost (hourly_usd × hours) goes equally to the billable pods that mount its claim, then equally
to each pod's billable container rows; a LoadBalancer Service's cost goes equally to the billable pods it
selects, the same way. What no billable pod takes is returned as the `__unmounted__` remainder.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class Attached:
    rows: pl.DataFrame  # the container rows with storage_usd, storage_gib_hours, network_usd
    unmounted_storage_usd: float
    unmounted_storage_gib_hours: float
    unmounted_network_usd: float
    unmounted_unpriced: bool  # an unpriced volume / service is among the unmounted


def _costed(items: pl.DataFrame, quantity: pl.Expr) -> pl.DataFrame:
    hours = pl.col("hours").fill_null(0.0)
    return items.with_columns(
        (pl.col("hourly_usd").fill_null(0.0) * hours).alias("item_usd"),
        (quantity * hours).alias("item_quantity"),
        pl.col("hourly_usd").is_null().alias("item_unpriced"),
        pl.int_range(pl.len()).alias("item_row"),
    )


def _share(items: pl.DataFrame, links: pl.DataFrame, on: list[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(per pod: usd, quantity, unpriced) and the items no billable pod takes."""
    pairs = items.join(links, on=on, how="inner").with_columns(pl.len().over("item_row").alias("item_pods"))
    per_pod = pairs.group_by("pod_uid").agg(
        (pl.col("item_usd") / pl.col("item_pods")).sum().alias("usd"),
        (pl.col("item_quantity") / pl.col("item_pods")).sum().alias("quantity"),
        pl.col("item_unpriced").any().alias("unpriced"),
    )
    left_over = items.join(pairs.select("item_row").unique(), on="item_row", how="anti")
    return per_pod, left_over


def volume_shares(
    volumes: pl.DataFrame, mounts: pl.DataFrame, pods: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Priced volumes (engine.price.price_volumes) over the billable pods mounting their claims."""
    links = mounts.join(pods, on="pod_uid", how="semi").unique()
    items = _costed(volumes, pl.col("capacity_gib").fill_null(0.0))
    return _share(items, links, ["claim_namespace", "claim_name"])


def service_shares(
    services: pl.DataFrame, service_pods: pl.DataFrame, pods: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Priced LoadBalancer services (engine.price.price_services) over the billable pods they select."""
    links = service_pods.join(pods, on="pod_uid", how="semi").rename({"service": "name"}).unique()
    items = _costed(services, pl.lit(0.0))
    return _share(items, links, ["namespace", "name"])


def _spread_to_rows(
    rows: pl.DataFrame, per_pod: pl.DataFrame, usd: str, quantity: str | None
) -> pl.DataFrame:
    flag = f"{usd}_unpriced"
    cols = [pl.col("usd").alias(usd), pl.col("unpriced").alias(flag)]
    if quantity is not None:
        cols.append(pl.col("quantity").alias(quantity))
    joined = rows.join(per_pod.select("pod_uid", *cols), on="pod_uid", how="left")
    per_row = pl.len().over("pod_uid")
    out = joined.with_columns(
        (pl.col(usd).fill_null(0.0) / per_row).alias(usd),
        (pl.col("unpriced") | pl.col(flag).fill_null(False)).alias("unpriced"),
    )
    if quantity is not None:
        out = out.with_columns((pl.col(quantity).fill_null(0.0) / per_row).alias(quantity))
    return out.drop(flag)


def attach(
    rows: pl.DataFrame,
    volumes: pl.DataFrame,
    mounts: pl.DataFrame,
    services: pl.DataFrame,
    service_pods: pl.DataFrame,
) -> Attached:
    """Add storage_usd, storage_gib_hours and network_usd to the billable container rows."""
    pods = rows.select("pod_uid").unique()
    vol_pod, vol_left = volume_shares(volumes, mounts, pods)
    svc_pod, svc_left = service_shares(services, service_pods, pods)
    out = _spread_to_rows(rows, vol_pod, "storage_usd", "storage_gib_hours")
    out = _spread_to_rows(out, svc_pod, "network_usd", None)
    return Attached(
        rows=out,
        unmounted_storage_usd=float(vol_left.get_column("item_usd").sum()),
        unmounted_storage_gib_hours=float(vol_left.get_column("item_quantity").sum()),
        unmounted_network_usd=float(svc_left.get_column("item_usd").sum()),
        unmounted_unpriced=bool(
            vol_left.get_column("item_unpriced").any() or svc_left.get_column("item_unpriced").any()
        ),
    )
