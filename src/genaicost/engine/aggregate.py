"""Aggregation of container rows into allocation lines (docs/cost-model.md section 5).

Keys: cluster, node, namespace, controller ("namespace/Kind:name"), controllerKind, pod
("namespace/pod"), container ("namespace/pod/container"), label:KEY and annotation:KEY; combinations
group by several keys and name the line by the values joined with "/". A missing value is
`__unallocated__`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

from genaicost.domain.errors import InputError
from genaicost.domain.options import AGGREGATE_KEYS
from genaicost.domain.report import UNALLOCATED
from genaicost.engine.efficiency import efficiency_sums

OWN_COST_COLUMNS = ("cpu_usd", "ram_usd", "gpu_usd", "storage_usd", "network_usd")
RECEIVED_COLUMNS = ("shared_usd", "idle_usd", "overhead_usd")
QUANTITY_SUMS = (
    "cpu_core_hours",
    "ram_gib_hours",
    "gpu_hours",
    "storage_gib_hours",
    "cpu_request_core_hours",
    "ram_request_gib_hours",
)
NULLABLE_SUMS = ("cpu_usage_core_hours", "ram_usage_gib_hours")


def parse_aggregate(keys: Sequence[str]) -> list[str]:
    """Split comma-separated keys, strip them and check each is known."""
    out = list(dict.fromkeys(k.strip() for item in keys for k in item.split(",") if k.strip()))
    for key in out:
        prefix, _, rest = key.partition(":")
        if key not in AGGREGATE_KEYS and not (prefix in ("label", "annotation") and rest):
            raise InputError(
                f"unknown aggregate key {key!r}; use one of {', '.join(AGGREGATE_KEYS)}, "
                "label:KEY or annotation:KEY, or several joined with commas",
                field="aggregate",
            )
    if not out:
        raise InputError("no aggregate key given", field="aggregate")
    return out


def _or_unallocated(expr: pl.Expr) -> pl.Expr:
    return expr.fill_null(UNALLOCATED)


def _key_expr(key: str, cluster: str) -> pl.Expr:
    ns = _or_unallocated(pl.col("namespace"))
    if key == "cluster":
        return pl.lit(cluster)
    if key == "controller":
        kind = (
            pl.when(pl.col("controller_kind").is_null())
            .then(pl.lit(""))
            .otherwise(pl.col("controller_kind") + ":")
        )
        return (
            pl.when(pl.col("controller").is_null())
            .then(pl.lit(UNALLOCATED))
            .otherwise(pl.concat_str([ns, pl.lit("/"), kind, pl.col("controller")]))
        )
    simple = {
        "node": _or_unallocated(pl.col("node")),
        "namespace": ns,
        "controllerKind": _or_unallocated(pl.col("controller_kind")),
        "pod": pl.concat_str([ns, pl.lit("/"), _or_unallocated(pl.col("pod"))]),
        "container": pl.concat_str(
            [
                ns,
                pl.lit("/"),
                _or_unallocated(pl.col("pod")),
                pl.lit("/"),
                _or_unallocated(pl.col("container")),
            ]
        ),
    }
    return simple[key]


def _long_value(rows: pl.DataFrame, table: pl.DataFrame, key: str, column: str) -> pl.DataFrame:
    values = (
        table.filter(pl.col("key") == key)
        .unique(subset="pod_uid", keep="first", maintain_order=True)
        .select("pod_uid", pl.col("value").alias(column))
    )
    joined = rows.join(values, on="pod_uid", how="left")
    return joined.with_columns(_or_unallocated(pl.col(column)).alias(column))


def with_key_columns(
    rows: pl.DataFrame, keys: Sequence[str], cluster: str, labels: pl.DataFrame, annotations: pl.DataFrame
) -> pl.DataFrame:
    """Add one string column `key_<i>` per aggregate key."""
    out = rows
    for i, key in enumerate(keys):
        column = f"key_{i}"
        prefix, _, rest = key.partition(":")
        if prefix in ("label", "annotation") and rest:
            out = _long_value(out, labels if prefix == "label" else annotations, rest, column)
        else:
            out = out.with_columns(_key_expr(key, cluster).alias(column))
    return out


def _sums() -> list[pl.Expr]:
    exprs = [pl.col(c).sum() for c in (*OWN_COST_COLUMNS, *QUANTITY_SUMS)]
    exprs += [
        pl.when(pl.col(c).is_not_null().any()).then(pl.col(c).sum()).otherwise(None).alias(c)
        for c in NULLABLE_SUMS
    ]
    exprs += [
        pl.col("pod_uid").n_unique().alias("pods"),
        pl.struct("pod_uid", "container").n_unique().alias("containers"),
        pl.col("unpriced").any(),
        *efficiency_sums(),
    ]
    return exprs


def aggregate(
    rows: pl.DataFrame, keys: Sequence[str], cluster: str, labels: pl.DataFrame, annotations: pl.DataFrame
) -> pl.DataFrame:
    """Allocation lines: `name`, `key_<i>`, summed money and quantities, pods, containers, unpriced, and the
    sums behind the efficiency fields (engine.efficiency.EFFICIENCY_SUMS)."""
    if "gpu_utilization" not in rows.columns:
        rows = rows.with_columns(pl.lit(None, dtype=pl.Float64).alias("gpu_utilization"))
    keyed = with_key_columns(rows, keys, cluster, labels, annotations)
    key_cols = [f"key_{i}" for i in range(len(keys))]
    lines = keyed.group_by(key_cols).agg(_sums())
    return lines.with_columns(
        pl.concat_str(key_cols, separator="/").alias("name"),
        pl.lit(False).alias("synthetic"),
        *(pl.lit(0.0).alias(c) for c in RECEIVED_COLUMNS),
    ).with_columns(pl.col("pods").cast(pl.Int64), pl.col("containers").cast(pl.Int64))


def synthetic_line(
    like: pl.DataFrame, name: str, values: Mapping[str, float], unpriced: bool = False
) -> pl.DataFrame:
    """A one-row line with `like`'s schema: keys null, the given money / quantity columns, the rest 0."""
    row: dict[str, object] = {c: None for c in like.columns}
    row.update({c: 0.0 for c in (*OWN_COST_COLUMNS, *RECEIVED_COLUMNS, *QUANTITY_SUMS)})
    row.update(values)
    row.update(name=name, synthetic=True, unpriced=unpriced, pods=0, containers=0)
    return pl.DataFrame([row], schema=like.schema)


def own_cost() -> pl.Expr:
    return pl.sum_horizontal(*OWN_COST_COLUMNS)


def total_cost() -> pl.Expr:
    return pl.sum_horizontal(*OWN_COST_COLUMNS, *RECEIVED_COLUMNS)
