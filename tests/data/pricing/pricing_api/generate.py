"""Writes get_products.json: recorded-shape GetProducts exchanges for the local Pricing API server.

Each exchange is the request's TERM_MATCH filters (+ NextToken) and the response in the API's real shape
(FormatVersion "aws_v1", PriceList of JSON strings holding product, serviceCode, terms, version,
publicationDate; NextToken when more pages follow). Products and terms are taken from our own offer
fixtures in ../offers so both refresh paths see the same SKUs.
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).parent
OFFER = json.loads((HERE.parent / "offers" / "offer_us-east-1.json").read_text())
LINUX = {
    "operatingSystem": "Linux",
    "tenancy": "Shared",
    "preInstalledSw": "NA",
    "capacitystatus": "Used",
    "marketoption": "OnDemand",
}


def entry(sku: str) -> str:
    product = OFFER["products"][sku]
    terms = {"OnDemand": {sku: OFFER["terms"]["OnDemand"][sku]}}
    if sku in OFFER["terms"]["Reserved"]:
        terms["Reserved"] = {sku: OFFER["terms"]["Reserved"][sku]}
    doc = {
        "product": {
            "productFamily": product["productFamily"],
            "attributes": product["attributes"],
            "sku": sku,
        },
        "serviceCode": "AmazonEC2",
        "terms": terms,
        "version": OFFER["version"],
        "publicationDate": OFFER["publicationDate"],
    }
    return json.dumps(doc, separators=(",", ":"))


def exchange(
    filters: dict[str, str], skus: list[str], token: str | None = None, next_token: str | None = None
) -> dict[str, object]:
    response: dict[str, object] = {"FormatVersion": "aws_v1", "PriceList": [entry(s) for s in skus]}
    if next_token:
        response["NextToken"] = next_token
    return {"filters": filters, "next_token": token, "response": response}


GP3 = {"volumeApiName": "gp3", "regionCode": "us-east-1"}
PAGE2 = "eyJsYXN0RXZhbHVhdGVkS2V5Ijp7InNrdSI6IkdQM0lPUFMwMDAwMDAwMDIifX0="
EXCHANGES = [
    exchange({"instanceType": "p4d.24xlarge", "regionCode": "us-east-1", **LINUX}, ["QPK7Y3N4F8TT2M1A"]),
    exchange({"instanceType": "g5.xlarge", "regionCode": "us-east-1", **LINUX}, ["G5XLRSV000000007"]),
    exchange({"instanceType": "m5.large", "regionCode": "us-east-1", **LINUX}, ["M5LNX00000000001"]),
    exchange({"instanceType": "m5.large", "regionCode": "us-east-2", **LINUX}, []),
    exchange(GP3, ["GP3STOR000000001", "GP3IOPS000000002"], next_token=PAGE2),
    exchange(GP3, ["GP3THRU000000003"], token=PAGE2),
]

if __name__ == "__main__":
    (HERE / "get_products.json").write_text(json.dumps(EXCHANGES, indent=2) + "\n")
