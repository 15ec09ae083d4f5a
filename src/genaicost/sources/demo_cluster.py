"""The demo cluster's nodes: a system managed node group, a Karpenter CPU spot pool and GPU node pools."""

from __future__ import annotations

from datetime import datetime, timedelta

from genaicost.sources.demo_objects import SHAPES, NodeSpec, Obj, gfd_labels, node

GPU_TAINT = {"effect": "NoSchedule", "key": "nvidia.com/gpu", "value": "true"}
SYSTEM = ["ip-10-0-10-11.ec2.internal", "ip-10-0-11-12.ec2.internal", "ip-10-0-12-13.ec2.internal"]
CPU_SPOT = ["ip-10-0-20-21.ec2.internal", "ip-10-0-21-22.ec2.internal", "ip-10-0-22-23.ec2.internal"]
A10G = ["ip-10-0-40-41.ec2.internal", "ip-10-0-41-42.ec2.internal"]
L40S = ["ip-10-0-50-51.ec2.internal", "ip-10-0-51-52.ec2.internal"]
A100 = "ip-10-0-60-61.ec2.internal"
A100_MIG = "ip-10-0-61-62.ec2.internal"
L4_SHARED = "ip-10-0-70-71.ec2.internal"
GPU_NODES = [*A10G, *L40S, A100, A100_MIG, L4_SHARED]
ALL_NODES = [*SYSTEM, *CPU_SPOT, *GPU_NODES]
MIG_CAPACITY = {"nvidia.com/mig-3g.20gb": "8", "nvidia.com/mig-1g.5gb": "28"}  # GPUs 0-3: 2×3g, 4-7: 7×1g
TIME_SLICE_REPLICAS = 4


def _managed(instance_type: str) -> dict[str, str]:
    return {
        "eks.amazonaws.com/capacityType": "ON_DEMAND",
        "eks.amazonaws.com/nodegroup": "system",
        "eks.amazonaws.com/nodegroup-image": "ami-0c4e3e2a7f4b9d1a2",
        "eks.amazonaws.com/sourceLaunchTemplateId": "lt-0a1b2c3d4e5f60718",
        "eks.amazonaws.com/sourceLaunchTemplateVersion": "3",
        "role": "system",
        "k8s.io/cloud-provider-aws": "5b7a1c0e9d8f4e2a",
    }


def _karpenter(instance_type: str, nodepool: str, capacity_type: str, node_class: str) -> dict[str, str]:
    shape = SHAPES[instance_type]
    family, size = instance_type.split(".")
    labels = {
        "karpenter.sh/capacity-type": capacity_type,
        "karpenter.sh/initialized": "true",
        "karpenter.sh/nodepool": nodepool,
        "karpenter.sh/registered": "true",
        "karpenter.k8s.aws/ec2nodeclass": node_class,
        "karpenter.k8s.aws/instance-category": family[0],
        "karpenter.k8s.aws/instance-cpu": str(shape.vcpu),
        "karpenter.k8s.aws/instance-family": family,
        "karpenter.k8s.aws/instance-generation": "".join(c for c in family if c.isdigit()),
        "karpenter.k8s.aws/instance-memory": str(shape.memory_gib * 1024),
        "karpenter.k8s.aws/instance-size": size,
        "k8s.io/cloud-provider-aws": "5b7a1c0e9d8f4e2a",
    }
    if shape.gpus:
        labels.update(
            {
                "karpenter.k8s.aws/instance-gpu-count": str(shape.gpus),
                "karpenter.k8s.aws/instance-gpu-manufacturer": "nvidia",
                "karpenter.k8s.aws/instance-gpu-memory": str(shape.gpu_memory_mib),
                "karpenter.k8s.aws/instance-gpu-name": (shape.gpu_product or "").split("-")[1].lower(),
            }
        )
    return labels


def _mig_labels() -> dict[str, str]:
    labels = gfd_labels(
        "p4d.24xlarge",
        **{
            "nvidia.com/mig.strategy": "mixed",
            "nvidia.com/mig.config": "a100-40gb-2x3g-4x7x1g",
            "nvidia.com/mig.config.state": "success",
        },
    )
    for profile, count, memory_mb, sms, slices in (("3g.20gb", 8, 19968, 42, 3), ("1g.5gb", 28, 4864, 14, 1)):
        labels.update(
            {
                f"nvidia.com/mig-{profile}.count": str(count),
                f"nvidia.com/mig-{profile}.memory": str(memory_mb),
                f"nvidia.com/mig-{profile}.multiprocessors": str(sms),
                f"nvidia.com/mig-{profile}.slices.gi": str(slices),
                f"nvidia.com/mig-{profile}.slices.ci": str(slices),
            }
        )
    return labels


def _time_sliced_labels() -> dict[str, str]:
    return gfd_labels(
        "g6.xlarge",
        **{
            "nvidia.com/gpu.product": "NVIDIA-L4-SHARED",
            "nvidia.com/gpu.replicas": str(TIME_SLICE_REPLICAS),
            "nvidia.com/gpu.sharing-strategy": "time-slicing",
            "nvidia.com/device-plugin.config": "time-sliced-4",
        },
    )


def node_specs() -> list[NodeSpec]:
    zones = ["us-east-1a", "us-east-1b", "us-east-1c"]
    specs = [
        NodeSpec(n, "m6i.xlarge", zones[i], timedelta(days=41), _managed("m6i.xlarge"))
        for i, n in enumerate(SYSTEM)
    ]
    for i, (name, itype) in enumerate(
        zip(CPU_SPOT, ["c6i.2xlarge", "c6i.2xlarge", "m6a.2xlarge"], strict=True)
    ):
        specs.append(
            NodeSpec(
                name,
                itype,
                zones[i],
                timedelta(hours=30 + 7 * i),
                _karpenter(itype, "cpu-spot", "spot", "default"),
            )
        )
    gpu = [
        (A10G[0], "g5.12xlarge", "gpu-a10g", "on-demand", 0),
        (A10G[1], "g5.12xlarge", "gpu-a10g", "spot", 1),
        (L40S[0], "g6e.12xlarge", "gpu-l40s", "on-demand", 0),
        (L40S[1], "g6e.12xlarge", "gpu-l40s", "on-demand", 1),
        (A100, "p4d.24xlarge", "gpu-a100", "on-demand", 0),
    ]
    for name, itype, pool, capacity, zone in gpu:
        specs.append(
            NodeSpec(
                name,
                itype,
                zones[zone],
                timedelta(days=3, hours=zone * 5),
                {**_karpenter(itype, pool, capacity, "gpu"), **gfd_labels(itype)},
                taints=[GPU_TAINT],
            )
        )
    specs.append(
        NodeSpec(
            A100_MIG,
            "p4d.24xlarge",
            zones[0],
            timedelta(days=9),
            {**_karpenter("p4d.24xlarge", "gpu-a100-mig", "on-demand", "gpu"), **_mig_labels()},
            extra_capacity=MIG_CAPACITY,
            gpu_capacity="0",
            taints=[GPU_TAINT],
        )
    )
    specs.append(
        NodeSpec(
            L4_SHARED,
            "g6.xlarge",
            zones[2],
            timedelta(hours=20),
            {**_karpenter("g6.xlarge", "gpu-dev", "spot", "gpu"), **_time_sliced_labels()},
            gpu_capacity=str(TIME_SLICE_REPLICAS),
            taints=[GPU_TAINT],
        )
    )
    return specs


def nodes(now: datetime) -> list[Obj]:
    return [node(spec, now) for spec in node_specs()]
