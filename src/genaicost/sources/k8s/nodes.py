"""Node objects → `nodes` rows: placement, purchase option, provisioner, capacity and accelerators."""

from __future__ import annotations

import re
from collections.abc import Mapping

from genaicost.sources.k8s.common import GIB, Context, Obj, TableBuilder, labels, name_of, region_from_zone
from genaicost.sources.k8s.gpus import GpuInfo, gpu_info

KARPENTER_CAPACITY = {"spot": "spot", "on-demand": "on-demand", "reserved": "on-demand"}
EKS_CAPACITY = {"ON_DEMAND": "on-demand", "SPOT": "spot", "CAPACITY_BLOCK": "on-demand"}
_PROVIDER_ID_RE = re.compile(r"^aws:///(?P<zone>[^/]+)/")
_FARGATE_RE = re.compile(r"^\s*(?P<vcpu>\d+(?:\.\d+)?|\.\d+)\s*vCPU\s+(?P<gb>\d+(?:\.\d+)?|\.\d+)\s*GB\s*$")


def first_label(node_labels: Mapping[str, str], *keys: str) -> str | None:
    for key in keys:
        value = node_labels.get(key)
        if value:
            return value
    return None


def placement(node: Obj) -> tuple[str | None, str | None]:
    """(region, zone): topology labels, then failure-domain labels, then the AWS providerID."""
    node_labels = labels(node)
    zone = first_label(node_labels, "topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone")
    region = first_label(
        node_labels, "topology.kubernetes.io/region", "failure-domain.beta.kubernetes.io/region"
    )
    if zone is None:
        match = _PROVIDER_ID_RE.match(str((node.get("spec") or {}).get("providerID") or ""))
        zone = match.group("zone") if match else None
    return region or region_from_zone(zone), zone


def purchase(node: Obj, ctx: Context) -> tuple[str, str, str | None, str]:
    """(capacity_type, compute_type, nodepool, managed_by) from Karpenter / EKS labels."""
    node_labels = labels(node)
    if node_labels.get("eks.amazonaws.com/compute-type") == "fargate":
        return "fargate", "fargate", None, "fargate"
    nodepool = first_label(node_labels, "karpenter.sh/nodepool", "karpenter.sh/provisioner-name")
    nodegroup = node_labels.get("eks.amazonaws.com/nodegroup")
    managed_by = "karpenter" if nodepool else "eks-nodegroup" if nodegroup else "unknown"
    return _capacity_type(node, ctx), "ec2", nodepool or nodegroup, managed_by


def _capacity_type(node: Obj, ctx: Context) -> str:
    node_labels = labels(node)
    for key, mapping in (
        ("karpenter.sh/capacity-type", KARPENTER_CAPACITY),
        ("eks.amazonaws.com/capacityType", EKS_CAPACITY),
    ):
        value = node_labels.get(key)
        if value is None:
            continue
        if value in mapping:
            return mapping[value]
        ctx.warnings.append(
            f"node {name_of(node)}: label {key}={value!r} is not one of "
            f"{sorted(mapping)}; capacity type set to unknown"
        )
    return "unknown"


def fargate_capacity(pod: Obj, ctx: Context) -> tuple[float, float] | None:
    """The CapacityProvisioned annotation EKS puts on Fargate pods ('0.25vCPU 0.5GB') → (vcpu, GiB)."""
    text = ((pod.get("metadata") or {}).get("annotations") or {}).get("CapacityProvisioned")
    if text is None:
        return None
    match = _FARGATE_RE.match(str(text))
    if match is None:
        ctx.warnings.append(
            f"pod {(pod.get('metadata') or {}).get('name')}: annotation CapacityProvisioned="
            f"{text!r} is not like '0.25vCPU 0.5GB'; node capacity used instead"
        )
        return None
    return float(match.group("vcpu")), float(match.group("gb"))


def add_node(
    table: TableBuilder, node: Obj, ctx: Context, hours: float, fargate: Mapping[str, tuple[float, float]]
) -> GpuInfo:
    node_labels = labels(node)
    status = node.get("status") or {}
    capacity = status.get("capacity") or {}
    name = name_of(node)

    def quantity(key: str) -> float:
        return ctx.quantity(node, capacity[key], f"status.capacity[{key!r}]") if key in capacity else 0.0

    instance_type = first_label(
        node_labels, "node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type"
    )
    region, zone = placement(node)
    capacity_type, compute_type, nodepool, managed_by = purchase(node, ctx)
    vcpu, ram_gib = quantity("cpu"), quantity("memory") / GIB
    if compute_type == "fargate" and name in fargate:
        vcpu, ram_gib = fargate[name]
    gpus = gpu_info(node_labels, set(capacity), quantity, instance_type)
    node_info = status.get("nodeInfo") or {}
    table.add(
        name=name,
        instance_type=instance_type,
        region=region,
        zone=zone,
        capacity_type=capacity_type,
        compute_type=compute_type,
        provider_id=(node.get("spec") or {}).get("providerID"),
        nodepool=nodepool,
        managed_by=managed_by,
        arch=node_labels.get("kubernetes.io/arch") or node_info.get("architecture"),
        kubelet_version=node_info.get("kubeletVersion"),
        vcpu=vcpu,
        ram_gib=ram_gib,
        gpu_count=gpus.gpu_count,
        gpu_model=gpus.gpu_model,
        gpu_sharing=gpus.gpu_sharing,
        gpu_replicas=gpus.gpu_replicas,
        mig_slices_per_gpu=gpus.mig_slices_per_gpu,
        neuron_cores_per_device=gpus.neuron_cores_per_device,
        hours=hours,
    )
    return gpus
