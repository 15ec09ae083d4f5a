"""Build small PriceCatalog objects for engine tests.

Import it from a test module in tests/engine as ``from catalog_factory import make_catalog`` (pytest puts
tests/engine on sys.path; there is no __init__.py in tests/).

Rows are dicts; keys left out are null, except the source columns, which default to the ids below.

    make_catalog(
        ec2_rows=[{"region": "us-east-1", "instance_type": "m6i.large", "ondemand_usd_per_hour": 0.096}],
        spec_rows=[{"instance_type": "m6i.large", "vcpu": 2, "memory_gib": 8}],
        services={"eks/cluster-standard/*": 0.10},
    )
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import polars as pl

from genaicost.domain.prices import (
    EBS_PRICE_SCHEMA,
    EC2_PRICE_SCHEMA,
    INSTANCE_SPEC_SCHEMA,
    Discount,
    PriceCatalog,
    PriceOverride,
    ServicePrice,
)

ONDEMAND_SOURCE = "bundled-ondemand"
SPOT_SOURCE = "bundled-spot"
SPEC_SOURCE = "bundled-specs"
EBS_SOURCE = "bundled-ebs"
SERVICE_SOURCE = "bundled-services"

_SOURCES = {
    ONDEMAND_SOURCE: "test on-demand prices", SPOT_SOURCE: "test spot prices",
    SPEC_SOURCE: "test instance specs", EBS_SOURCE: "test EBS prices", SERVICE_SOURCE: "test services",
}

_DEFAULTS: dict[str, dict[str, Any]] = {
    "ec2": {"ondemand_source": ONDEMAND_SOURCE, "spot_source": SPOT_SOURCE},
    "specs": {"gpu_count": 0.0, "accelerator": "none", "source": SPEC_SOURCE},
    "ebs": {"usd_per_iops_month": 0.0, "usd_per_mibps_month": 0.0, "free_iops": 0.0, "free_mibps": 0.0,
            "source": EBS_SOURCE},
}


def _frame(rows: Sequence[Mapping[str, Any]], schema: dict[str, Any],
           defaults: dict[str, Any]) -> pl.DataFrame:
    for row in rows:
        unknown = set(row) - set(schema)
        if unknown:
            raise KeyError(f"unknown columns {sorted(unknown)}; expected some of {list(schema)}")
    full = [{col: row.get(col, defaults.get(col)) for col in schema} for row in rows]
    if not full:
        return pl.DataFrame(schema=schema)
    return pl.DataFrame(full, schema=schema)


def _service(value: float | ServicePrice) -> ServicePrice:
    if isinstance(value, ServicePrice):
        return value
    return ServicePrice(usd=float(value), unit="hour", source=SERVICE_SOURCE)


def make_catalog(
    ec2_rows: Sequence[Mapping[str, Any]] = (),
    spec_rows: Sequence[Mapping[str, Any]] = (),
    ebs_rows: Sequence[Mapping[str, Any]] = (),
    services: Mapping[str, float | ServicePrice] | None = None,
    overrides: Sequence[PriceOverride] = (),
    discounts: Sequence[Discount] = (),
    as_of: date = date(2026, 7, 20),
    spot_as_of: date | None = None,
    sources: Mapping[str, str] | None = None,
) -> PriceCatalog:
    """A PriceCatalog from plain rows; `services` values may be floats (unit "hour") or ServicePrice."""
    return PriceCatalog(
        as_of=as_of,
        sources=dict(sources) if sources is not None else dict(_SOURCES),
        ec2=_frame(ec2_rows, EC2_PRICE_SCHEMA, _DEFAULTS["ec2"]),
        specs=_frame(spec_rows, INSTANCE_SPEC_SCHEMA, _DEFAULTS["specs"]),
        ebs=_frame(ebs_rows, EBS_PRICE_SCHEMA, _DEFAULTS["ebs"]),
        services={key: _service(value) for key, value in (services or {}).items()},
        overrides=tuple(overrides),
        discounts=tuple(discounts),
        spot_as_of=spot_as_of,
    )
