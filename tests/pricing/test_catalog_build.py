"""tools/build_catalog.py on our own tiny reference set (tests/data/pricing/reference, real file shapes)."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from datetime import date
from pathlib import Path
from types import ModuleType

import pytest

from genaicost.domain.prices import ServicePrice
from genaicost.pricing.catalog_files import read_catalog_dir

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "tests" / "data" / "pricing" / "reference"
SPOT = "skypilot-v8-spot-median-estimate"
KARPENTER = "karpenter-2026-07-20"


def _load_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_catalog_tool", ROOT / "tools" / "build_catalog.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


tool = _load_tool()


def test_ec2_rows_prefer_ondemand_file_and_take_spot_median() -> None:
    ec2 = tool.build_catalog(REFERENCE).ec2
    assert ec2.rows() == [
        ("eu-west-1", "g5.xlarge", 1.1, None, "skypilot-v8", None),
        ("eu-west-1", "mac1.metal", None, None, None, None),
        # 24.0 from ec2_ondemand_prices.csv beats SkyPilot's 25.0; spot = zone median 10.0, not the min 9.0
        ("eu-west-1", "p4d.24xlarge", 24.0, 10.0, "skypilot-v8-transcribed", SPOT),
        ("us-east-1", "c6g.metal", 2.5, 0.6, KARPENTER, SPOT),
        ("us-east-1", "dl1.24xlarge", 13.0, 4.5, "skypilot-v8", SPOT),
        ("us-east-1", "f1.2xlarge", 2.0, 0.9, "skypilot-v8", SPOT),
        ("us-east-1", "g5.xlarge", 1.0, 0.4, KARPENTER, SPOT),
        ("us-gov-west-1", "g5.xlarge", 1.25, None, "karpenter-usgov-2026-07-20", None),
    ]


def test_specs_fill_gaps_from_skypilot_columns_and_gpu_info() -> None:
    specs = tool.build_catalog(REFERENCE).specs
    assert specs.rows() == [
        ("c6g.metal", 64.0, 128.0, 0.0, None, None, "none", "moto-34d6cad5"),
        # not in ec2_instance_specs.csv: SkyPilot columns, 262144 MiB / 1024 = 256 GiB from GpuInfo
        ("dl1.24xlarge", 96.0, 768.0, 8.0, "Gaudi HL-205", 256.0, "habana", "skypilot-v8"),
        ("f1.2xlarge", 8.0, 122.0, 1.0, "Virtex UltraScale (VU9P)", None, "fpga", "skypilot-v8"),
        ("g5.xlarge", 4.0, 16.0, 1.0, "A10G", 22.35, "nvidia", "moto-34d6cad5"),
        ("mac1.metal", 12.0, 32.0, 0.0, None, None, "none", "moto-34d6cad5"),
        ("p3.2xlarge", 8.0, 61.0, 1.0, "V100", 16.0, "nvidia", "karpenter-docs-v1.12"),
        ("p4d.24xlarge", 96.0, 1152.0, 8.0, "A100", 320.0, "nvidia", "moto-34d6cad5"),
    ]


def test_ebs_rows_mark_unbilled_dimensions_zero_and_unknown_ones_empty() -> None:
    ebs = tool.build_catalog(REFERENCE).ebs
    assert ebs.rows() == [
        ("us-east-1", "gp2", 0.1, 0.0, 0.0, 0.0, 0.0, "infracost-ebs-volume"),
        ("us-east-1", "gp3", 0.08, 0.005, 0.04, 3000.0, 125.0, "infracost-ebs-volume"),
        ("us-east-1", "io2", 0.125, 0.065, 0.0, 0.0, 0.0, "infracost-ebs-volume"),
        # only the storage price is known in us-east-2: IOPS / throughput stay unknown, never copied over
        ("us-east-2", "gp3", 0.08, None, None, 3000.0, 125.0, "opencost-test-fixture"),
    ]


def test_services_keep_only_what_the_reference_states() -> None:
    services = tool.build_catalog(REFERENCE).services
    assert services == {
        "eks/cluster-extended/*": ServicePrice(0.6, "cluster-hour", "aws-blog-eks-pricing"),
        "eks/cluster-standard/*": ServicePrice(0.1, "cluster-hour", "aws-blog-eks-pricing"),
        "elb/alb-hour/us-east-1": ServicePrice(0.0225, "hour", "infracost-lb"),
        "elb/nlb-hour/us-east-1": ServicePrice(0.0225, "hour", "infracost-lb"),
        "fargate/gb-hour/us-east-1": ServicePrice(0.004445, "GB-hour", "vantage-fargate"),
        "fargate/vcpu-hour-arm/us-east-1": ServicePrice(0.03238, "vCPU-hour", "vantage-fargate-2"),
        "fargate/vcpu-hour/us-east-1": ServicePrice(0.04048, "vCPU-hour", "vantage-fargate"),
    }
    assert not any(key.startswith("elb/clb-hour") for key in services)


def test_dates_and_sources() -> None:
    catalog = tool.build_catalog(REFERENCE)
    assert catalog.as_of == date(2026, 7, 20)          # "generated 2026-07-20T13:44:30Z" (Karpenter)
    assert catalog.spot_as_of == date(2026, 7, 20)     # no capture date: latest date stated for SkyPilot
    assert "no capture date" in catalog.sources[SPOT] and "estimate" in catalog.sources[SPOT]
    assert catalog.sources[KARPENTER].startswith("aws/karpenter-provider-aws pkg/providers/pricing/")
    used = {*catalog.ec2["ondemand_source"].drop_nulls(), *catalog.ec2["spot_source"].drop_nulls(),
            *catalog.specs["source"], *catalog.ebs["source"], *(s.source for s in catalog.services.values())}
    assert used == set(catalog.sources)


def test_stated_capture_date_wins(tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    shutil.copytree(REFERENCE, reference)
    text = reference / "skypilot_vms_v8.source.txt"
    text.write_text(text.read_text() + "Catalog captured 2026-06-30 by the fetcher.\n")
    catalog = tool.build_catalog(reference)
    assert catalog.spot_as_of == date(2026, 6, 30)
    assert "capture date stated" in catalog.sources[SPOT]


def test_main_writes_a_readable_catalog(tmp_path: Path) -> None:
    out = tmp_path / "data"
    assert tool.main(["--reference-dir", str(REFERENCE), "--out", str(out)]) == 0
    written = read_catalog_dir(out)
    built = tool.build_catalog(REFERENCE)
    assert written.ec2.equals(built.ec2) and written.specs.equals(built.specs)
    assert written.services == built.services and written.sources == built.sources


def test_unknown_accelerator_stops_the_tool(tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    shutil.copytree(REFERENCE, reference)
    sky = reference / "ec2_prices_by_region_skypilot.csv"
    sky.write_text(sky.read_text().replace("Virtex UltraScale (VU9P)", "Mystery Chip"))
    with pytest.raises(SystemExit, match=r"f1\.2xlarge"):
        tool.build_catalog(reference)
