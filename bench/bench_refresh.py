"""Benchmark: time and peak memory of parsing a large AWS-shaped EC2 offer file (`pricing refresh`).

Writes a synthetic regional offer file of the requested size (default 436 MB, the size of the real
us-east-1 EC2 file) in a streaming way, in AWS's exact shape (products, terms.OnDemand, terms.Reserved;
per instance type: the kept Linux/Shared/OnDemand SKU plus Windows, RHEL, SUSE, SQL, Dedicated, Host,
Capacity Block and unused-reservation decoys, each with six Reserved terms), then parses it with
`genaicost.pricing.bulk.parse_offer_file` in a child process and reports that process's peak RSS.

    .venv/bin/python bench/bench_refresh.py                      # 436 MB, human-readable
    .venv/bin/python bench/bench_refresh.py --size-mb 150 --json # what tests/pricing/test_bulk.py runs

Not part of the test suite (the slow test runs it at 150 MB).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Any

VARIANTS: list[dict[str, str]] = [  # the first one is the SKU genaicost keeps
    {"operatingSystem": "Linux", "tenancy": "Shared", "operation": "RunInstances", "preInstalledSw": "NA"},
    {
        "operatingSystem": "Windows",
        "tenancy": "Shared",
        "operation": "RunInstances:0002",
        "preInstalledSw": "NA",
    },
    {
        "operatingSystem": "RHEL",
        "tenancy": "Shared",
        "operation": "RunInstances:0010",
        "preInstalledSw": "NA",
    },
    {
        "operatingSystem": "SUSE",
        "tenancy": "Shared",
        "operation": "RunInstances:000g",
        "preInstalledSw": "NA",
    },
    {
        "operatingSystem": "Linux",
        "tenancy": "Shared",
        "operation": "RunInstances:0004",
        "preInstalledSw": "SQL Std",
    },
    {"operatingSystem": "Linux", "tenancy": "Dedicated", "operation": "RunInstances", "preInstalledSw": "NA"},
    {"operatingSystem": "Linux", "tenancy": "Host", "operation": "RunInstances", "preInstalledSw": "NA"},
    {
        "operatingSystem": "Linux",
        "tenancy": "Shared",
        "operation": "RunInstances:CB",
        "preInstalledSw": "NA",
        "marketoption": "CapacityBlock",
    },
    {
        "operatingSystem": "Linux",
        "tenancy": "Shared",
        "operation": "RunInstances",
        "preInstalledSw": "NA",
        "capacitystatus": "UnusedCapacityReservation",
    },
]
EBS = [
    ("gp2", "Storage", "EBS:VolumeUsage.gp2", "GB-Mo", "0.10"),
    ("gp3", "Storage", "EBS:VolumeUsage.gp3", "GB-Mo", "0.08"),
    ("io1", "Storage", "EBS:VolumeUsage.piops", "GB-Mo", "0.125"),
    ("io2", "Storage", "EBS:VolumeUsage.io2", "GB-Mo", "0.125"),
    ("st1", "Storage", "EBS:VolumeUsage.st1", "GB-Mo", "0.045"),
    ("sc1", "Storage", "EBS:VolumeUsage.sc1", "GB-Mo", "0.015"),
    ("standard", "Storage", "EBS:VolumeUsage", "GB-Mo", "0.05"),
    ("gp3", "System Operation", "EBS:VolumeP-IOPS.gp3", "IOPS-Mo", "0.005"),
    ("gp3", "Provisioned Throughput", "EBS:VolumeP-Throughput.gp3", "GiBps-mo", "40.96"),
    ("io1", "System Operation", "EBS:VolumeP-IOPS.piops", "IOPS-Mo", "0.065"),
    ("io2", "System Operation", "EBS:VolumeP-IOPS.io2", "IOPS-Mo", "0.065"),
]
BYTES_PER_INSTANCE_TYPE = 62_700  # measured: 9 SKUs with products, on-demand and reserved terms


def _product(sku: str, itype: str, variant: dict[str, str]) -> dict[str, Any]:
    attrs = {
        "servicecode": "AmazonEC2",
        "location": "US East (N. Virginia)",
        "locationType": "AWS Region",
        "instanceType": itype,
        "currentGeneration": "Yes",
        "instanceFamily": "General purpose",
        "vcpu": "8",
        "physicalProcessor": "Intel Xeon Platinum 8375C",
        "clockSpeed": "3.5 GHz",
        "memory": "32 GiB",
        "storage": "EBS only",
        "networkPerformance": "Up to 12500 Megabit",
        "processorArchitecture": "64-bit",
        "tenancy": variant["tenancy"],
        "licenseModel": "No License required",
        "operatingSystem": variant["operatingSystem"],
        "usagetype": f"{'BoxUsage' if variant['tenancy'] == 'Shared' else 'DedicatedUsage'}:{itype}",
        "operation": variant["operation"],
        "availabilityzone": "NA",
        "capacitystatus": variant.get("capacitystatus", "Used"),
        "classicnetworkingsupport": "false",
        "dedicatedEbsThroughput": "Up to 10000 Mbps",
        "ecu": "NA",
        "enhancedNetworkingSupported": "Yes",
        "gpuMemory": "NA",
        "intelAvxAvailable": "Yes",
        "intelAvx2Available": "Yes",
        "marketoption": variant.get("marketoption", "OnDemand"),
        "normalizationSizeFactor": "16",
        "preInstalledSw": variant["preInstalledSw"],
        "processorFeatures": "Intel AVX; Intel AVX2; Intel Turbo",
        "regionCode": "us-east-1",
        "servicename": "Amazon Elastic Compute Cloud",
        "vpcnetworkingsupport": "true",
    }
    return {"sku": sku, "productFamily": "Compute Instance", "attributes": attrs}


def _term(sku: str, code: str, usd: str, unit: str, attrs: dict[str, str]) -> dict[str, Any]:
    rate = f"{sku}.{code}.6YS6EN2CT7"
    dims = {
        rate: {
            "rateCode": rate,
            "description": f"${usd} per unit",
            "beginRange": "0",
            "endRange": "Inf",
            "unit": unit,
            "pricePerUnit": {"USD": usd},
            "appliesTo": [],
        }
    }
    return {
        f"{sku}.{code}": {
            "offerTermCode": code,
            "sku": sku,
            "effectiveDate": "2024-05-01T00:00:00Z",
            "priceDimensions": dims,
            "termAttributes": attrs,
        }
    }


def _reserved(sku: str) -> dict[str, Any]:
    terms: dict[str, Any] = {}
    for i, (length, option) in enumerate(
        (
            ("1yr", "No Upfront"),
            ("1yr", "Partial Upfront"),
            ("1yr", "All Upfront"),
            ("3yr", "No Upfront"),
            ("3yr", "Partial Upfront"),
            ("3yr", "All Upfront"),
        )
    ):
        terms.update(
            _term(
                sku,
                f"RSV{i}CODE0",
                "0.1000000000",
                "Hrs",
                {"LeaseContractLength": length, "OfferingClass": "standard", "PurchaseOption": option},
            )
        )
    return terms


def _entry(out: IO[str], key: str, value: Any, first: bool, indent: int) -> None:
    body = json.dumps(value, indent=2, separators=(",", " : ")).replace("\n", "\n" + " " * indent)
    out.write(("" if first else ",\n") + " " * indent + json.dumps(key) + " : " + body)


def write_synthetic_offer(path: Path, size_mb: float) -> int:
    """Write the file; returns the number of instance types (each has exactly one kept SKU)."""
    types = max(1, int(size_mb * 1e6 / BYTES_PER_INSTANCE_TYPE))
    skus = [
        (f"S{t:07d}V{v}", f"x{t}.{['large', 'xlarge', '2xlarge'][t % 3]}", v)
        for t in range(types)
        for v in range(len(VARIANTS))
    ]
    with path.open("w", encoding="utf-8") as out:
        out.write(
            '{\n  "formatVersion" : "v1.0",\n  "disclaimer" : "synthetic",\n  "offerCode" : "AmazonEC2",\n'
            '  "version" : "20240528203522",\n  "publicationDate" : "2024-05-28T20:35:22Z",\n'
            '  "products" : {\n'
        )
        for i, (sku, itype, v) in enumerate(skus):
            _entry(out, sku, _product(sku, itype, VARIANTS[v]), i == 0, 4)
        for vt, family, usage, _, _ in EBS:
            _entry(
                out,
                f"EBS{usage}",
                {
                    "sku": f"EBS{usage}",
                    "productFamily": family,
                    "attributes": {
                        "servicecode": "AmazonEC2",
                        "location": "US East (N. Virginia)",
                        "locationType": "AWS Region",
                        "usagetype": usage,
                        "operation": "",
                        "regionCode": "us-east-1",
                        "volumeApiName": vt,
                    },
                },
                False,
                4,
            )
        out.write('\n  },\n  "terms" : {\n    "OnDemand" : {\n')
        for i, (sku, _, _) in enumerate(skus):
            price = f"{0.01 * (1 + int(sku[1:8]) % 997):.10f}"
            _entry(out, sku, _term(sku, "JRTCKXETXF", price, "Hrs", {}), i == 0, 6)
        for _, _, usage, unit, usd in EBS:
            _entry(out, f"EBS{usage}", _term(f"EBS{usage}", "JRTCKXETXF", usd, unit, {}), False, 6)
        out.write('\n    },\n    "Reserved" : {\n')
        for i, (sku, _, _) in enumerate(skus):
            _entry(out, sku, _reserved(sku), i == 0, 6)
        out.write('\n    }\n  },\n  "attributesList" : { }\n}\n')
    return types


def parse_only(path: Path) -> dict[str, Any]:
    from genaicost.pricing.bulk import parse_offer_file

    start = time.perf_counter()
    offer = parse_offer_file(path, "us-east-1")
    seconds = time.perf_counter() - start
    ebs_rows = offer.rows.ebs_frame("bench").height
    return {
        "parse_seconds": round(seconds, 2),
        "kept_ec2_rows": len(offer.rows.ec2),
        "ebs_rows": ebs_rows,
        "parse_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=436.0)
    parser.add_argument("--work-dir", type=Path, default=None)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--parse-only", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.parse_only:
        print(json.dumps(parse_only(args.parse_only)))
        return
    with tempfile.TemporaryDirectory(dir=args.work_dir) as tmp:
        path = Path(tmp) / "offer.json"
        start = time.perf_counter()
        types = write_synthetic_offer(path, args.size_mb)
        report = {
            "file_mb": round(path.stat().st_size / 1e6, 1),
            "instance_types": types,
            "generate_seconds": round(time.perf_counter() - start, 1),
        }
        child = subprocess.run(
            [sys.executable, __file__, "--parse-only", str(path)], capture_output=True, text=True, check=True
        )
        report.update(json.loads(child.stdout))
    if args.json:
        print(json.dumps(report))
    else:
        for key, value in report.items():
            print(f"{key:>20}: {value}")


if __name__ == "__main__":
    main()
