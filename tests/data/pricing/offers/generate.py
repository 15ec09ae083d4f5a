"""Writes the offer fixtures in this directory (run it after editing; the JSON files are committed).

Our own small files in the exact shape of the AWS Price List bulk files (offer index, EC2 region index,
regional EC2 offer files with products, terms.OnDemand and terms.Reserved). SKUs and prices are made up
to be easy to check by hand. Decoys come before the SKU that must be kept (Capacity Block $0, Windows,
Dedicated, unused reservation, SQL Web, Local Zone), and g5.xlarge has a Reserved-shaped term (3yr
Partial Upfront, $0.20/h plus a "Quantity" upfront fee) listed under OnDemand before its real $1.006/h.
"""

import json
from pathlib import Path

OUT = Path(__file__).parent
DISCLAIMER = (
    "This pricing list is for informational purposes only. All prices are subject to the additional "
    "terms included in the pricing pages on http://aws.amazon.com. All Free Tier prices are also "
    "subject to the terms included at https://aws.amazon.com/free/"
)
VERSION = "20240528203522"
PUB = "2024-05-28T20:35:22Z"
SAVINGS_PLAN_INDEX = "/savingsPlan/v1.0/aws/AWSComputeSavingsPlan/current/region_index.json"
LOC = {"us-east-1": ("US East (N. Virginia)", ""), "us-east-2": ("US East (Ohio)", "USE2-")}


def compute(
    sku,
    region,
    itype,
    *,
    vcpu,
    mem,
    gpu=None,
    family="General purpose",
    os_="Linux",
    tenancy="Shared",
    op="RunInstances",
    market="OnDemand",
    sw="NA",
    cap="Used",
    usage=None,
    region_code=None,
    location=None,
    location_type="AWS Region",
    gpu_mem="NA",
):
    loc, prefix = LOC[region]
    a = {
        "servicecode": "AmazonEC2",
        "location": location or loc,
        "locationType": location_type,
        "instanceType": itype,
        "currentGeneration": "Yes",
        "instanceFamily": family,
        "vcpu": vcpu,
        "memory": mem,
        "storage": "EBS only",
        "networkPerformance": "Up to 10 Gigabit",
        "processorArchitecture": "64-bit",
        "tenancy": tenancy,
        "operatingSystem": os_,
        "licenseModel": "No License required",
        "usagetype": usage or f"{prefix}{'BoxUsage' if tenancy == 'Shared' else 'DedicatedUsage'}:{itype}",
        "operation": op,
        "availabilityzone": "NA",
        "capacitystatus": cap,
    }
    if gpu is not None:
        a["gpu"] = gpu
    a.update(
        {
            "gpuMemory": gpu_mem,
            "marketoption": market,
            "preInstalledSw": sw,
            "regionCode": region_code or region,
            "servicename": "Amazon Elastic Compute Cloud",
            "vpcnetworkingsupport": "true",
        }
    )
    return {"sku": sku, "productFamily": "Compute Instance", "attributes": a}


def ebs(sku, region, family, usage, volume, extra):
    loc, prefix = LOC[region]
    a = {"servicecode": "AmazonEC2", "location": loc, "locationType": "AWS Region"}
    a.update(extra)
    a.update(
        {
            "usagetype": prefix + usage,
            "operation": "",
            "regionCode": region,
            "servicename": "Amazon Elastic Compute Cloud",
            "volumeApiName": volume,
        }
    )
    return {"sku": sku, "productFamily": family, "attributes": a}


def od_term(sku, usd, unit, desc, eff="2024-05-01T00:00:00Z", attrs=None, code="JRTCKXETXF", upfront=None):
    dims = {}
    if upfront is not None:
        dims[f"{sku}.{code}.2TG2D8R56U"] = {
            "rateCode": f"{sku}.{code}.2TG2D8R56U",
            "description": "Upfront Fee",
            "unit": "Quantity",
            "pricePerUnit": {"USD": upfront},
            "appliesTo": [],
        }
    if usd is not None:
        dims[f"{sku}.{code}.6YS6EN2CT7"] = {
            "rateCode": f"{sku}.{code}.6YS6EN2CT7",
            "description": desc,
            "beginRange": "0",
            "endRange": "Inf",
            "unit": unit,
            "pricePerUnit": {"USD": usd},
            "appliesTo": [],
        }
    return {
        f"{sku}.{code}": {
            "offerTermCode": code,
            "sku": sku,
            "effectiveDate": eff,
            "priceDimensions": dims,
            "termAttributes": attrs or {},
        }
    }


def offer(region, products, ondemand, reserved):
    return {
        "formatVersion": "v1.0",
        "disclaimer": DISCLAIMER,
        "offerCode": "AmazonEC2",
        "version": VERSION,
        "publicationDate": PUB,
        "products": {p["sku"]: p for p in products},
        "terms": {"OnDemand": ondemand, "Reserved": reserved},
        "attributesList": {},
    }


GPU = "GPU instance"
use1_products = [
    compute(
        "VH3CB0K9ZX2R7PLD",
        "us-east-1",
        "p4d.24xlarge",
        vcpu="96",
        mem="1152 GiB",
        gpu="8",
        family=GPU,
        op="RunInstances:CB",
        market="CapacityBlock",
    ),
    compute(
        "M5WIN00000000002",
        "us-east-1",
        "m5.large",
        vcpu="2",
        mem="8 GiB",
        os_="Windows",
        op="RunInstances:0002",
    ),
    compute("M5DED00000000003", "us-east-1", "m5.large", vcpu="2", mem="8 GiB", tenancy="Dedicated"),
    compute(
        "M5UNU00000000004",
        "us-east-1",
        "m5.large",
        vcpu="2",
        mem="8 GiB",
        cap="UnusedCapacityReservation",
        usage="UnusedBox:m5.large",
    ),
    compute(
        "M5SQL00000000005",
        "us-east-1",
        "m5.large",
        vcpu="2",
        mem="8 GiB",
        sw="SQL Web",
        op="RunInstances:0200",
    ),
    compute(
        "M5BOS00000000006",
        "us-east-1",
        "m5.large",
        vcpu="2",
        mem="8 GiB",
        region_code="us-east-1-bos-1",
        location="US East (Boston)",
        location_type="AWS Local Zone",
        usage="USE1-BOS1-BoxUsage:m5.large",
    ),
    compute("QPK7Y3N4F8TT2M1A", "us-east-1", "p4d.24xlarge", vcpu="96", mem="1152 GiB", gpu="8", family=GPU),
    compute("M5LNX00000000001", "us-east-1", "m5.large", vcpu="2", mem="8 GiB"),
    compute(
        "G5XLRSV000000007",
        "us-east-1",
        "g5.xlarge",
        vcpu="4",
        mem="16 GiB",
        gpu="1",
        family=GPU,
        gpu_mem="24 GiB",
    ),
    compute(
        "INF2XL0000000008",
        "us-east-1",
        "inf2.xlarge",
        vcpu="4",
        mem="16 GiB",
        family="Machine Learning ASIC Instances",
    ),
    ebs(
        "GP3STOR000000001",
        "us-east-1",
        "Storage",
        "EBS:VolumeUsage.gp3",
        "gp3",
        {
            "storageMedia": "SSD-backed",
            "volumeType": "General Purpose",
            "maxVolumeSize": "16 TiB",
            "maxIopsvolume": "16000",
            "maxThroughputvolume": "1000 MiB/s",
        },
    ),
    ebs(
        "GP3IOPS000000002",
        "us-east-1",
        "System Operation",
        "EBS:VolumeP-IOPS.gp3",
        "gp3",
        {"group": "EBS IOPS", "groupDescription": "IOPS", "provisioned": "Yes"},
    ),
    ebs(
        "GP3THRU000000003",
        "us-east-1",
        "Provisioned Throughput",
        "EBS:VolumeP-Throughput.gp3",
        "gp3",
        {"group": "EBS Throughput", "groupDescription": "Throughput", "provisioned": "Yes"},
    ),
    ebs(
        "GP2STOR000000004",
        "us-east-1",
        "Storage",
        "EBS:VolumeUsage.gp2",
        "gp2",
        {"storageMedia": "SSD-backed", "volumeType": "General Purpose", "maxVolumeSize": "16 TiB"},
    ),
    ebs(
        "IO2STOR000000005",
        "us-east-1",
        "Storage",
        "EBS:VolumeUsage.io2",
        "io2",
        {"storageMedia": "SSD-backed", "volumeType": "Provisioned IOPS", "maxVolumeSize": "64 TiB"},
    ),
    ebs(
        "IO2IOPS000000006",
        "us-east-1",
        "System Operation",
        "EBS:VolumeP-IOPS.io2",
        "io2",
        {"group": "EBS IOPS", "groupDescription": "IOPS", "provisioned": "Yes"},
    ),
    ebs(
        "IO2IOPT200000007",
        "us-east-1",
        "System Operation",
        "EBS:VolumeP-IOPS.io2.tier2",
        "io2",
        {"group": "EBS IOPS Tier 2", "groupDescription": "IOPS", "provisioned": "Yes"},
    ),
    {
        "sku": "SNAPSHOT00000008",
        "productFamily": "Storage Snapshot",
        "attributes": {
            "servicecode": "AmazonEC2",
            "location": "US East (N. Virginia)",
            "locationType": "AWS Region",
            "storageMedia": "Amazon S3",
            "usagetype": "EBS:SnapshotUsage",
            "operation": "",
            "regionCode": "us-east-1",
            "servicename": "Amazon Elastic Compute Cloud",
        },
    },
]
D = "$%s per On Demand %s %s Instance Hour"
use1_od = {}
for sku, usd, unit, desc in [
    ("VH3CB0K9ZX2R7PLD", "0.0000000000", "Hrs", "$0.00 per Capacity Block Linux p4d.24xlarge Instance Hour"),
    ("M5WIN00000000002", "0.1880000000", "Hrs", D % ("0.188", "Windows", "m5.large")),
    ("M5DED00000000003", "0.1060000000", "Hrs", "$0.106 per Dedicated Linux m5.large Instance Hour"),
    ("M5UNU00000000004", "0.0960000000", "Hrs", "$0.096 per Unused Reservation Linux m5.large Instance Hour"),
    ("M5SQL00000000005", "0.1370000000", "Hrs", D % ("0.137", "Linux with SQL Web", "m5.large")),
    ("M5BOS00000000006", "0.1150000000", "Hrs", D % ("0.115", "Linux", "m5.large")),
    ("QPK7Y3N4F8TT2M1A", "32.7726000000", "Hrs", D % ("32.7726", "Linux", "p4d.24xlarge")),
    ("M5LNX00000000001", "0.0960000000", "Hrs", D % ("0.096", "Linux", "m5.large")),
    ("INF2XL0000000008", "0.7582000000", "Hrs", D % ("0.7582", "Linux", "inf2.xlarge")),
    (
        "GP3STOR000000001",
        "0.0800000000",
        "GB-Mo",
        "$0.08 per GB-month of General Purpose (gp3) provisioned storage - US East (N. Virginia)",
    ),
    (
        "GP3IOPS000000002",
        "0.0050000000",
        "IOPS-Mo",
        "$0.005 per IOPS-month provisioned above 3000 - US East (N. Virginia)",
    ),
    (
        "GP3THRU000000003",
        "40.9600000000",
        "GiBps-mo",
        "$0.040 per provisioned MiB/s-month of gp3 greater than 125",
    ),
    (
        "GP2STOR000000004",
        "0.1000000000",
        "GB-Mo",
        "$0.10 per GB-month of General Purpose SSD (gp2) provisioned storage - US East (N. Virginia)",
    ),
    (
        "IO2STOR000000005",
        "0.1250000000",
        "GB-Mo",
        "$0.125 per GB-month of Provisioned IOPS SSD (io2) provisioned storage - US East (N. Virginia)",
    ),
    (
        "IO2IOPS000000006",
        "0.0650000000",
        "IOPS-Mo",
        "$0.065 per IOPS-month provisioned (io2) up to 32000 IOPS",
    ),
    (
        "IO2IOPT200000007",
        "0.0455000000",
        "IOPS-Mo",
        "$0.0455 per IOPS-month provisioned (io2) from 32001 to 64000 IOPS",
    ),
    ("SNAPSHOT00000008", "0.0500000000", "GB-Mo", "$0.05 per GB-Month of snapshot data stored"),
]:
    use1_od[sku] = od_term(sku, usd, unit, desc)
# The g5.xlarge trap: a Reserved-shaped term under OnDemand first (upfront fee + $0.2/h), then the real one.
use1_od["G5XLRSV000000007"] = {
    **od_term(
        "G5XLRSV000000007",
        "0.2000000000",
        "Hrs",
        "Linux/UNIX (Amazon VPC), g5.xlarge reserved instance applied",
        attrs={
            "LeaseContractLength": "3yr",
            "OfferingClass": "standard",
            "PurchaseOption": "Partial Upfront",
        },
        code="38NPMPTW36",
        upfront="2628",
    ),
    **od_term("G5XLRSV000000007", "1.0060000000", "Hrs", D % ("1.006", "Linux", "g5.xlarge")),
}
use1_reserved = {
    "QPK7Y3N4F8TT2M1A": {
        "QPK7Y3N4F8TT2M1A.4NA7Y494T4": {
            "offerTermCode": "4NA7Y494T4",
            "sku": "QPK7Y3N4F8TT2M1A",
            "effectiveDate": "2024-05-01T00:00:00Z",
            "priceDimensions": {
                "QPK7Y3N4F8TT2M1A.4NA7Y494T4.6YS6EN2CT7": {
                    "rateCode": "QPK7Y3N4F8TT2M1A.4NA7Y494T4.6YS6EN2CT7",
                    "description": "Linux/UNIX (Amazon VPC), p4d.24xlarge reserved instance applied",
                    "beginRange": "0",
                    "endRange": "Inf",
                    "unit": "Hrs",
                    "pricePerUnit": {"USD": "19.2200000000"},
                    "appliesTo": [],
                }
            },
            "termAttributes": {
                "LeaseContractLength": "1yr",
                "OfferingClass": "standard",
                "PurchaseOption": "No Upfront",
            },
        }
    },
}
use2_products = [
    compute("M5USE2LINUX00001", "us-east-2", "m5.large", vcpu="2", mem="8 GiB"),
    compute(
        "P3USE2WIN0000002",
        "us-east-2",
        "p3.8xlarge",
        vcpu="32",
        mem="244 GiB",
        gpu="4",
        family=GPU,
        os_="Windows",
        op="RunInstances:0800",
    ),
    ebs(
        "GP3USE2STOR00003",
        "us-east-2",
        "Storage",
        "EBS:VolumeUsage.gp3",
        "gp3",
        {"storageMedia": "SSD-backed", "volumeType": "General Purpose", "maxVolumeSize": "16 TiB"},
    ),
]
use2_od = {
    "M5USE2LINUX00001": od_term(
        "M5USE2LINUX00001", "0.0960000000", "Hrs", D % ("0.096", "Linux", "m5.large")
    ),
    "P3USE2WIN0000002": od_term(
        "P3USE2WIN0000002", "12.2400000000", "Hrs", D % ("12.24", "Windows BYOL", "p3.8xlarge")
    ),
    "GP3USE2STOR00003": od_term(
        "GP3USE2STOR00003",
        "0.0800000000",
        "GB-Mo",
        "$0.08 per GB-month of General Purpose (gp3) provisioned storage - US East (Ohio)",
    ),
}


def dump(name, doc):
    (OUT / name).write_text(json.dumps(doc, indent=2, separators=(",", " : ")) + "\n")


dump("offer_us-east-1.json", offer("us-east-1", use1_products, use1_od, use1_reserved))
dump("offer_us-east-2.json", offer("us-east-2", use2_products, use2_od, {}))
dump(
    "offer_index.json",
    {
        "formatVersion": "v1.0",
        "disclaimer": DISCLAIMER,
        "publicationDate": "2024-05-30T18:05:02Z",
        "offers": {
            "AmazonEC2": {
                "offerCode": "AmazonEC2",
                "versionIndexUrl": "/offers/v1.0/aws/AmazonEC2/index.json",
                "currentVersionUrl": "/offers/v1.0/aws/AmazonEC2/current/index.json",
                "currentRegionIndexUrl": "/offers/v1.0/aws/AmazonEC2/current/region_index.json",
                "savingsPlanVersionIndexUrl": SAVINGS_PLAN_INDEX,
                "currentSavingsPlanIndexUrl": SAVINGS_PLAN_INDEX,
            },
            "AmazonS3": {
                "offerCode": "AmazonS3",
                "versionIndexUrl": "/offers/v1.0/aws/AmazonS3/index.json",
                "currentVersionUrl": "/offers/v1.0/aws/AmazonS3/current/index.json",
                "currentRegionIndexUrl": "/offers/v1.0/aws/AmazonS3/current/region_index.json",
            },
        },
    },
)
dump(
    "region_index.json",
    {
        "formatVersion": "v1.0",
        "disclaimer": DISCLAIMER,
        "publicationDate": PUB,
        "regions": {
            r: {"regionCode": r, "currentVersionUrl": f"/offers/v1.0/aws/AmazonEC2/{VERSION}/{r}/index.json"}
            for r in ("us-east-1", "us-east-2", "eu-west-1")
        },
    },
)
