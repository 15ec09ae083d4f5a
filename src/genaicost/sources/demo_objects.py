"""Builders for the demo cluster: Kubernetes objects shaped exactly as `kubectl get … -o json` prints them.

Everything is derived from names and `now` (no randomness): uids are uuid5 of the object's identity,
generated name suffixes are hashes, timestamps are fixed offsets from `now`.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

Obj = dict[str, Any]
DEMO_UID_NAMESPACE = uuid.UUID("6f1c2a3e-5d4b-4c1a-9e8f-0a1b2c3d4e5f")
KUBELET_VERSION = "v1.31.4-eks-aeac579"
REGION = "us-east-1"
_ALNUM = "bcdfghjklmnpqrstvwxz2456789"  # the alphabet Kubernetes uses for generated suffixes


def ts(now: datetime, ago: timedelta) -> str:
    return (now - ago).strftime("%Y-%m-%dT%H:%M:%SZ")


def uid(*parts: str) -> str:
    return str(uuid.uuid5(DEMO_UID_NAMESPACE, "/".join(parts)))


def suffix(seed: str, length: int) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    return "".join(_ALNUM[b % len(_ALNUM)] for b in digest[:length])


def metadata(
    name: str,
    now: datetime,
    age: timedelta,
    *,
    namespace: str | None = None,
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
    owner: tuple[str, str, str] | None = None,
) -> Obj:
    """ObjectMeta; `owner` = (apiVersion, kind, name) of the controlling object."""
    meta: Obj = {
        "creationTimestamp": ts(now, age),
        "name": name,
        "resourceVersion": str(int(hashlib.sha256(name.encode()).hexdigest()[:6], 16)),
        "uid": uid(namespace or "", name),
    }
    if namespace is not None:
        meta["namespace"] = namespace
    if labels:
        meta["labels"] = dict(sorted(labels.items()))
    if annotations:
        meta["annotations"] = dict(sorted(annotations.items()))
    if owner is not None:
        api, kind, owner_name = owner
        meta["ownerReferences"] = [
            {
                "apiVersion": api,
                "blockOwnerDeletion": True,
                "controller": True,
                "kind": kind,
                "name": owner_name,
                "uid": uid(namespace or "", owner_name),
            }
        ]
    return meta


@dataclass(frozen=True)
class InstanceShape:
    vcpu: int
    memory_gib: int
    max_pods: int
    gpus: int = 0
    gpu_product: str | None = None  # GFD nvidia.com/gpu.product
    gpu_memory_mib: int = 0  # per GPU
    gpu_family: str | None = None


SHAPES = {
    "m6i.xlarge": InstanceShape(4, 16, 58),
    "c6i.2xlarge": InstanceShape(8, 16, 58),
    "m6a.2xlarge": InstanceShape(8, 32, 58),
    "g5.12xlarge": InstanceShape(48, 192, 234, 4, "NVIDIA-A10G", 23028, "ampere"),
    "g6e.12xlarge": InstanceShape(48, 384, 234, 4, "NVIDIA-L40S", 46068, "ada-lovelace"),
    "p4d.24xlarge": InstanceShape(96, 1152, 737, 8, "NVIDIA-A100-SXM4-40GB", 40960, "ampere"),
    "g6.xlarge": InstanceShape(4, 16, 58, 1, "NVIDIA-L4", 23034, "ada-lovelace"),
}


def _allocatable_millicores(vcpu: int) -> int:
    """EKS AMI kube-reserved CPU: 6 % of the first core, 1 % of the second, 0.5 % of 3–4, 0.25 % above."""
    reserved = 60 + (10 if vcpu > 1 else 0) + 5 * min(max(vcpu - 2, 0), 2) + 2.5 * max(vcpu - 4, 0)
    return int(vcpu * 1000 - reserved)


def _memory_kib(shape: InstanceShape) -> tuple[int, int]:
    """(capacity, allocatable) KiB: EC2 reports a little less than nominal; EKS reserves 255Mi + 11Mi/pod."""
    capacity = int(shape.memory_gib * 1024 * 1024 * 0.97)
    reserved = (255 + 11 * shape.max_pods + 100) * 1024
    return capacity, capacity - reserved


@dataclass
class NodeSpec:
    name: str
    instance_type: str
    zone: str
    age: timedelta
    labels: dict[str, str]
    extra_capacity: dict[str, str] = field(default_factory=dict)
    gpu_capacity: str | None = None  # nvidia.com/gpu value; None = the shape's GPU count
    taints: list[Obj] = field(default_factory=list)


def node(spec: NodeSpec, now: datetime) -> Obj:
    shape = SHAPES[spec.instance_type]
    mem_capacity, mem_allocatable = _memory_kib(shape)
    capacity = {
        "cpu": str(shape.vcpu),
        "ephemeral-storage": "104845292Ki",
        "hugepages-1Gi": "0",
        "hugepages-2Mi": "0",
        "memory": f"{mem_capacity}Ki",
        "pods": str(shape.max_pods),
    }
    allocatable = {
        **capacity,
        "cpu": f"{_allocatable_millicores(shape.vcpu)}m",
        "ephemeral-storage": "95551679124",
        "memory": f"{mem_allocatable}Ki",
    }
    gpus = spec.gpu_capacity if spec.gpu_capacity is not None else (str(shape.gpus) if shape.gpus else None)
    for target in (capacity, allocatable):
        if gpus is not None:
            target["nvidia.com/gpu"] = gpus
        target.update(spec.extra_capacity)
    instance_id = "i-0" + hashlib.sha256(spec.name.encode()).hexdigest()[:16]
    ip = spec.name.removeprefix("ip-").split(".")[0].replace("-", ".")
    labels = {
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/instance-type": spec.instance_type,
        "beta.kubernetes.io/os": "linux",
        "failure-domain.beta.kubernetes.io/region": REGION,
        "failure-domain.beta.kubernetes.io/zone": spec.zone,
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": spec.name,
        "kubernetes.io/os": "linux",
        "node.kubernetes.io/instance-type": spec.instance_type,
        "topology.kubernetes.io/region": REGION,
        "topology.kubernetes.io/zone": spec.zone,
        "topology.k8s.aws/zone-id": f"use1-az{spec.zone[-1]}",
        **spec.labels,
    }
    obj: Obj = {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": metadata(
            spec.name,
            now,
            spec.age,
            labels=labels,
            annotations={
                "alpha.kubernetes.io/provided-node-ip": ip,
                "node.alpha.kubernetes.io/ttl": "0",
                "volumes.kubernetes.io/controller-managed-attach-detach": "true",
            },
        ),
        "spec": {"providerID": f"aws:///{spec.zone}/{instance_id}"},
        "status": {
            "addresses": [
                {"address": ip, "type": "InternalIP"},
                {"address": spec.name, "type": "InternalDNS"},
                {"address": spec.name, "type": "Hostname"},
            ],
            "allocatable": allocatable,
            "capacity": capacity,
            "conditions": [
                {
                    "lastHeartbeatTime": ts(now, timedelta(seconds=40)),
                    "lastTransitionTime": ts(now, spec.age - timedelta(minutes=1)),
                    "message": "kubelet is posting ready status",
                    "reason": "KubeletReady",
                    "status": "True",
                    "type": "Ready",
                }
            ],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "architecture": "amd64",
                "containerRuntimeVersion": "containerd://1.7.25",
                "kernelVersion": "6.1.128-136.201.amzn2023.x86_64",
                "kubeProxyVersion": KUBELET_VERSION,
                "kubeletVersion": KUBELET_VERSION,
                "operatingSystem": "linux",
                "osImage": "Amazon Linux 2023.6.20250218",
            },
        },
    }
    if spec.taints:
        obj["spec"]["taints"] = spec.taints
    return obj


def gfd_labels(instance_type: str, **overrides: str) -> dict[str, str]:
    """Labels NVIDIA GPU feature discovery puts on a GPU node."""
    shape = SHAPES[instance_type]
    labels = {
        "nvidia.com/gpu.present": "true",
        "nvidia.com/gpu.count": str(shape.gpus),
        "nvidia.com/gpu.product": shape.gpu_product or "",
        "nvidia.com/gpu.memory": str(shape.gpu_memory_mib),
        "nvidia.com/gpu.family": shape.gpu_family or "",
        "nvidia.com/gpu.machine": "Amazon-EC2",
        "nvidia.com/cuda.driver.major": "550",
        "nvidia.com/cuda.driver.minor": "144",
        "nvidia.com/mig.capable": "true" if "A100" in (shape.gpu_product or "") else "false",
        "nvidia.com/mig.strategy": "none",
    }
    labels.update(overrides)
    return labels
