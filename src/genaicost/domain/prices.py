"""Price catalog as plain data: the engine prices a snapshot from this and nothing else.

Loading (bundled files, AWS bulk offer files, the Pricing API, spot history, user overrides) lives in
`genaicost.pricing`; it always produces a `PriceCatalog`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl

# One row per (region, instance_type): Linux, shared tenancy, on-demand $/h and spot $/h.
EC2_PRICE_SCHEMA: dict[str, Any] = {
    "region": pl.String,
    "instance_type": pl.String,
    "ondemand_usd_per_hour": pl.Float64,   # null when unknown
    "spot_usd_per_hour": pl.Float64,       # null when unknown
    "ondemand_source": pl.String,          # source id (key of PriceCatalog.sources)
    "spot_source": pl.String,              # source id; "aws-spot-api" for live DescribeSpotPriceHistory
}

# One row per instance type.
INSTANCE_SPEC_SCHEMA: dict[str, Any] = {
    "instance_type": pl.String,
    "vcpu": pl.Float64,
    "memory_gib": pl.Float64,
    "gpu_count": pl.Float64,               # accelerator devices (GPUs, Neuron devices); 0 when none
    "gpu_model": pl.String,
    "gpu_memory_gib": pl.Float64,          # total over all devices
    "accelerator": pl.String,              # "nvidia" | "amd" | "neuron" | "habana" | "none"
    "source": pl.String,
}

# One row per (region, volume_type).
EBS_PRICE_SCHEMA: dict[str, Any] = {
    "region": pl.String,
    "volume_type": pl.String,              # gp2 gp3 io1 io2 st1 sc1 standard
    "usd_per_gb_month": pl.Float64,
    "usd_per_iops_month": pl.Float64,      # provisioned IOPS (io1/io2: all; gp3: above free_iops)
    "usd_per_mibps_month": pl.Float64,     # gp3 throughput above free_mibps
    "free_iops": pl.Float64,
    "free_mibps": pl.Float64,
    "source": pl.String,
}


@dataclass(frozen=True)
class ServicePrice:
    """A scalar price such as the EKS cluster fee, Fargate rates or a load balancer hour."""

    usd: float
    unit: str          # "cluster-hour", "vCPU-hour", "GB-hour", "hour"
    source: str        # source id


@dataclass(frozen=True)
class PriceOverride:
    """A user's own price for (region, instance_type, capacity_type); region "*" matches every region."""

    region: str
    instance_type: str
    capacity_type: str
    usd_per_hour: float
    note: str = ""


@dataclass(frozen=True)
class Discount:
    """Effective discount on on-demand prices of an instance family (Savings Plans / Reserved)."""

    instance_family: str   # e.g. "p4d", "g5"
    fraction: float        # 0.3 = 30 % off on-demand
    kind: str              # "savings-plan" | "reserved" | "negotiated"
    region: str = "*"


@dataclass(frozen=True)
class PriceCatalog:
    as_of: date                                  # the prices' as-of date, shown in every report
    sources: dict[str, str]                      # source id -> full citation
    ec2: pl.DataFrame
    specs: pl.DataFrame
    ebs: pl.DataFrame
    # keyed "<service>/<item>/<region>", e.g. "eks/cluster-standard/*", "fargate/vcpu-hour/us-east-1",
    # "elb/nlb-hour/us-east-1", "elb/clb-hour/us-east-1"; region "*" applies to every region.
    services: dict[str, ServicePrice] = field(default_factory=dict)
    overrides: tuple[PriceOverride, ...] = ()
    discounts: tuple[Discount, ...] = ()
    spot_as_of: date | None = None               # date of the bundled spot snapshot

    def service_price(self, service: str, item: str, region: str | None) -> ServicePrice | None:
        if region is not None and f"{service}/{item}/{region}" in self.services:
            return self.services[f"{service}/{item}/{region}"]
        return self.services.get(f"{service}/{item}/*")
