"""Which AWS Price List products and terms genaicost keeps, and the rows they become.

Shared by the bulk offer-file parser (`pricing.bulk`) and the Pricing API client (`pricing.pricing_api`):
both see products and `terms.OnDemand` entries in the same shape (the bulk file holds them in two big
maps, each API `PriceList` string holds one product with its terms).

Kept products:
- EC2 `Compute Instance`: operatingSystem Linux, tenancy Shared, preInstalledSw NA, capacitystatus Used,
  usagetype containing `BoxUsage`, operation exactly `RunInstances` (not `RunInstances:CB`, the
  Capacity Block SKU priced $0, nor `RunInstances:0002`... the Windows/RHEL/SQL variants) and
  marketoption OnDemand when the attribute is present. Price: first `Hrs` dimension with a non-zero USD.
- EBS `Storage` with volumeApiName gp2/gp3/io1/io2/st1/sc1/standard: `GB-Mo` (USD per GB-month).
- EBS provisioned IOPS (`EBS:VolumeP-IOPS.gp3|piops|io2`, unit `IOPS-Mo`; io2's `.tier2`/`.tier3`
  rates above 32,000 / 64,000 IOPS are not kept: the catalog has one IOPS rate per volume type) and gp3
  throughput (`EBS:VolumeP-Throughput.gp3`, AWS quotes it per `GiBps-mo`; divided by 1024 to MiB/s).
Products outside the requested region (Local Zones, Wavelength, Outposts in the same regional file)
are skipped by their `regionCode` / `locationType`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from genaicost.domain.prices import EBS_PRICE_SCHEMA, INSTANCE_SPEC_SCHEMA

EBS_VOLUME_TYPES = ("gp2", "gp3", "io1", "io2", "st1", "sc1", "standard")
# usagetype suffix (after the region prefix such as "USE2-") -> (kind, volume type)
_EBS_RATE_USAGE = {
    "EBS:VolumeP-IOPS.gp3": ("iops", "gp3"),
    "EBS:VolumeP-IOPS.piops": ("iops", "io1"),
    "EBS:VolumeP-IOPS.io2": ("iops", "io2"),
    "EBS:VolumeP-Throughput.gp3": ("mibps", "gp3"),
}
# Performance included in the volume price (AWS EBS User Guide, "Amazon EBS volume types"): gp3 includes a
# baseline of 3,000 IOPS and 125 MiB/s; io1/io2 bill every provisioned IOPS. Not part of the offer files.
# Volume types that bill no provisioned IOPS / throughput get a 0.0 rate (a fact, not a guess); a billed
# rate missing from the offer stays null (unknown).
FREE_IOPS = {"gp3": 3000.0, "io1": 0.0, "io2": 0.0}
FREE_MIBPS = {"gp3": 125.0}
_ACCELERATED_FAMILY = re.compile(r"GPU|ASIC|Accelerat|Machine Learning|FPGA", re.IGNORECASE)
_NUMBER = re.compile(r"^\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*(GiB|GB)?\s*$")


@dataclass(frozen=True)
class KeptProduct:
    """What is remembered about a kept SKU until its terms arrive."""

    kind: str  # "ec2" | "gb" | "iops" | "mibps"
    region: str
    key: str  # instance type or volume type
    spec: dict[str, Any] | None = None


def select_product(product: dict[str, Any], region: str | None) -> KeptProduct | None:
    """The kept product for `product` (offer-file shape), or None. `region` None: take its regionCode."""
    attrs = product.get("attributes") or {}
    code = attrs.get("regionCode")
    if region is not None and code is not None and code != region:
        return None
    where = region if region is not None else code
    if not where or attrs.get("locationType", "AWS Region") != "AWS Region":
        return None
    family = product.get("productFamily")
    if family == "Compute Instance":
        return _select_compute(attrs, where)
    if family == "Storage":
        volume = attrs.get("volumeApiName")
        return KeptProduct("gb", where, volume) if volume in EBS_VOLUME_TYPES else None
    return _select_ebs_rate(attrs, where)


def _select_compute(attrs: dict[str, Any], region: str) -> KeptProduct | None:
    wanted = {
        "operatingSystem": "Linux",
        "tenancy": "Shared",
        "preInstalledSw": "NA",
        "capacitystatus": "Used",
        "operation": "RunInstances",
    }
    if any(attrs.get(k) != v for k, v in wanted.items()):
        return None
    if attrs.get("marketoption", "OnDemand") != "OnDemand" or "BoxUsage" not in attrs.get("usagetype", ""):
        return None
    itype = attrs.get("instanceType")
    return KeptProduct("ec2", region, itype, spec_from_attributes(attrs)) if itype else None


def _select_ebs_rate(attrs: dict[str, Any], region: str) -> KeptProduct | None:
    usage = attrs.get("usagetype", "")
    suffix = usage[usage.find("EBS:") :] if "EBS:" in usage else ""
    hit = _EBS_RATE_USAGE.get(suffix)
    if hit is None or attrs.get("volumeApiName", hit[1]) != hit[1]:
        return None
    return KeptProduct(hit[0], region, hit[1])


def spec_from_attributes(attrs: dict[str, Any]) -> dict[str, Any]:
    """vcpu, memory ("1152 GiB"), gpu and gpuMemory of a compute product; unknowns stay None."""
    gpu = _number(attrs.get("gpu"))
    accelerated = bool(_ACCELERATED_FAMILY.search(attrs.get("instanceFamily", "")))
    if gpu is None and not accelerated:
        gpu = 0.0
    return {
        "instance_type": attrs["instanceType"],
        "vcpu": _number(attrs.get("vcpu")),
        "memory_gib": _number(attrs.get("memory")),
        "gpu_count": gpu,
        "gpu_model": None,
        "gpu_memory_gib": _number(attrs.get("gpuMemory")),
        "accelerator": "none" if gpu == 0.0 else None,
    }


def _number(text: object) -> float | None:
    match = _NUMBER.match(text) if isinstance(text, str) else None
    return float(match.group(1).replace(",", "")) if match else None


def term_price_usd(sku_terms: dict[str, Any], kind: str) -> float | None:
    """First non-zero USD rate of the right unit among on-demand terms; Reserved-shaped terms skipped."""
    for term in sku_terms.values():
        attrs = term.get("termAttributes") or {}
        if "LeaseContractLength" in attrs or "PurchaseOption" in attrs:
            continue
        for dim in (term.get("priceDimensions") or {}).values():
            price = _dimension_usd(dim, kind)
            if price:
                return price
    return None


def _dimension_usd(dim: dict[str, Any], kind: str) -> float | None:
    unit = str(dim.get("unit", "")).lower()
    try:
        usd = float((dim.get("pricePerUnit") or {}).get("USD", ""))
    except ValueError:
        return None
    if kind == "ec2":
        return usd if unit == "hrs" else None
    if kind == "gb":
        return usd if unit in ("gb-mo", "gb-month") else None
    if kind == "iops":
        return usd if unit in ("iops-mo", "iops-month") else None
    if unit.startswith("gibps"):
        return usd / 1024.0
    return usd if unit.startswith("mibps") else None


@dataclass
class OfferRows:
    """Accumulates kept, priced products; the first SKU seen for a key wins (file order)."""

    ec2: dict[tuple[str, str], float] = field(default_factory=dict)
    specs: dict[str, dict[str, Any]] = field(default_factory=dict)
    ebs: dict[tuple[str, str, str], float] = field(default_factory=dict)

    def add(self, kept: KeptProduct, sku_terms: dict[str, Any]) -> None:
        price = term_price_usd(sku_terms, kept.kind)
        if price is None:
            return
        if kept.kind == "ec2":
            self.ec2.setdefault((kept.region, kept.key), price)
            if kept.spec is not None:
                self.specs.setdefault(kept.key, kept.spec)
        else:
            self.ebs.setdefault((kept.region, kept.key, kept.kind), price)

    def ec2_frame(self) -> pl.DataFrame:
        """region, instance_type, ondemand_usd_per_hour."""
        rows = [(r, t, p) for (r, t), p in self.ec2.items()]
        return pl.DataFrame(
            rows,
            schema={"region": pl.String, "instance_type": pl.String, "ondemand_usd_per_hour": pl.Float64},
            orient="row",
        )

    def specs_frame(self, source: str) -> pl.DataFrame:
        frame = pl.DataFrame(
            list(self.specs.values()), schema={k: v for k, v in INSTANCE_SPEC_SCHEMA.items() if k != "source"}
        )
        return frame.with_columns(source=pl.lit(source, dtype=pl.String))

    def ebs_frame(self, source: str) -> pl.DataFrame:
        """One row per (region, volume type) that has a per-GB price; IOPS/throughput rates joined on."""

        def rates(kind: str, column: str) -> pl.DataFrame:
            rows = [(r, v, p) for (r, v, k), p in self.ebs.items() if k == kind]
            return pl.DataFrame(
                rows, schema={"region": pl.String, "volume_type": pl.String, column: pl.Float64}, orient="row"
            )

        frame = rates("gb", "usd_per_gb_month")
        for kind, column in (("iops", "usd_per_iops_month"), ("mibps", "usd_per_mibps_month")):
            frame = frame.join(rates(kind, column), on=["region", "volume_type"], how="left")
        frame = frame.with_columns(
            _billed_or_zero("usd_per_iops_month", FREE_IOPS),
            _billed_or_zero("usd_per_mibps_month", FREE_MIBPS),
            free_iops=_free(FREE_IOPS),
            free_mibps=_free(FREE_MIBPS),
            source=pl.lit(source, dtype=pl.String),
        )
        return frame.select(list(EBS_PRICE_SCHEMA)).cast(pl.Schema(EBS_PRICE_SCHEMA))


def _billed_or_zero(column: str, billed: dict[str, float]) -> pl.Expr:
    return (
        pl.when(pl.col("volume_type").is_in(list(billed)))
        .then(pl.col(column))
        .otherwise(pl.lit(0.0))
        .alias(column)
    )


def _free(table: dict[str, float]) -> pl.Expr:
    return pl.col("volume_type").replace_strict(table, default=0.0, return_dtype=pl.Float64)
