"""A hand-priced catalog for the recommend tests, split by aws-scad so every rate is a round number.

aws-scad weights: vCPU 0.9, GiB 0.1, GPU 9. Each price below is 0.05 × (0.9 vCPU + 0.1 GiB + 9 GPUs), so on
every node: $0.045 per vCPU-hour, $0.005 per GiB-hour, $0.45 per GPU-hour.
"""

from __future__ import annotations

from typing import Any

from tests.engine.catalog_factory import make_catalog

from genaicost.domain.options import ReportOptions
from genaicost.domain.prices import PriceCatalog

CPU_RATE, RAM_RATE, GPU_RATE = 0.045, 0.005, 0.45
OPTIONS = ReportOptions(split="aws-scad")

# type: (vcpu, GiB, GPUs, GPU model, GPU memory GiB total, on-demand $/h, spot $/h)
TYPES: dict[str, tuple[float, float, float, str | None, float, float, float | None]] = {
    "c.test": (4, 16, 0, None, 0, 0.26, 0.078),        # 0.05 × (3.6 + 1.6)
    "c.big": (8, 32, 0, None, 0, 0.52, 0.156),
    "g5.12xlarge": (48, 192, 4, "A10G", 96, 4.92, None),   # 0.05 × (43.2 + 19.2 + 36)
    "g5.2xlarge": (8, 32, 1, "A10G", 24, 0.97, None),      # 0.05 × (7.2 + 3.2 + 9)
    "g6.12xlarge": (48, 192, 4, "L4", 96, 3.0, None),
    "g4dn.12xlarge": (48, 192, 4, "T4", 64, 1.0, None),
    "g6e.2gpu": (24, 96, 2, "L40S", 96, 2.46, None),       # 0.05 × (21.6 + 9.6 + 18)
}


def rec_catalog(**kwargs: Any) -> PriceCatalog:
    ec2 = [{"region": "us-east-1", "instance_type": t, "ondemand_usd_per_hour": v[5], "spot_usd_per_hour": v[6]}
           for t, v in TYPES.items()]
    specs = [{"instance_type": t, "vcpu": v[0], "memory_gib": v[1], "gpu_count": v[2], "gpu_model": v[3],
              "gpu_memory_gib": v[4], "accelerator": "nvidia" if v[2] else "none"} for t, v in TYPES.items()]
    ebs = [
        {"region": "us-east-1", "volume_type": "gp2", "usd_per_gb_month": 0.10},
        {"region": "us-east-1", "volume_type": "gp3", "usd_per_gb_month": 0.08, "usd_per_iops_month": 0.005,
         "usd_per_mibps_month": 0.04, "free_iops": 3000, "free_mibps": 125},
    ]
    return make_catalog(ec2_rows=ec2, spec_rows=specs, ebs_rows=ebs, **kwargs)


def typed_node(name: str, instance_type: str, **fields: Any) -> dict[str, Any]:
    from tests.engine.snapshot_factory import node

    v = TYPES[instance_type]
    return node(name, instance_type=instance_type, vcpu=v[0], ram_gib=v[1], gpu_count=v[2], **fields)
