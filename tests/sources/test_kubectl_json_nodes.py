"""Node label precedence and accelerator rules, table-driven on small hand-written Node objects."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from genaicost.sources.kubectl_json import snapshot_from_objects


def node_row(
    now: datetime, labels: dict[str, str], capacity: dict[str, Any], provider_id: str | None = None
) -> dict[str, Any]:
    node = {
        "kind": "Node",
        "metadata": {"name": "n1", "labels": labels},
        "spec": {"providerID": provider_id} if provider_id else {},
        "status": {"capacity": {"cpu": "8", "memory": "32Gi", **capacity}},
    }
    snap = snapshot_from_objects([node], source="unit", now=now)
    return snap.nodes.row(0, named=True) | {"_warnings": snap.warnings, "_cluster": snap.cluster}


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        ({"karpenter.sh/capacity-type": "spot"}, ("spot", "karpenter")),
        ({"karpenter.sh/capacity-type": "reserved"}, ("on-demand", "karpenter")),
        (
            {"eks.amazonaws.com/capacityType": "SPOT", "eks.amazonaws.com/nodegroup": "ng"},
            ("spot", "eks-nodegroup"),
        ),
        ({"eks.amazonaws.com/capacityType": "CAPACITY_BLOCK"}, ("on-demand", "unknown")),
        ({"eks.amazonaws.com/compute-type": "fargate"}, ("fargate", "fargate")),
        ({}, ("unknown", "unknown")),
    ],
)
def test_capacity_type(now: datetime, labels: dict[str, str], expected: tuple[str, str]) -> None:
    if "karpenter.sh/capacity-type" in labels:
        labels = {**labels, "karpenter.sh/nodepool": "default"}
    got = node_row(now, labels, {})
    assert (got["capacity_type"], got["managed_by"]) == expected


def test_unrecognised_capacity_label_is_unknown_with_a_warning(now: datetime) -> None:
    got = node_row(now, {"eks.amazonaws.com/capacityType": "WHATEVER"}, {})
    assert got["capacity_type"] == "unknown"
    assert "eks.amazonaws.com/capacityType='WHATEVER'" in got["_warnings"][0]


def test_placement_falls_back_to_provider_id(now: datetime) -> None:
    got = node_row(now, {}, {}, "aws:///eu-central-1b/i-0abc")
    assert (got["region"], got["zone"]) == ("eu-central-1", "eu-central-1b")
    assert (got["_cluster"].provider, got["_cluster"].region) == ("aws", "eu-central-1")


GPU_CASES = [
    # labels, capacity, instance type → gpu_count, model, sharing, replicas, MIG slices per card, cores/device
    (
        "renamed-shared",
        {"nvidia.com/gpu.product": "Tesla-T4-SHARED", "nvidia.com/gpu.replicas": "4"},
        {"nvidia.com/gpu.shared": "8"},
        None,
        (2.0, "Tesla-T4", "time-slicing", 4, None, None),
    ),
    (
        "shared-count-label",
        {"nvidia.com/gpu.sharing-strategy": "time-slicing", "nvidia.com/gpu.count": "2"},
        {"nvidia.com/gpu": "10"},
        None,
        (2.0, None, "time-slicing", 5, None, None),
    ),
    (
        "mixed-a30",
        {"nvidia.com/gpu.product": "NVIDIA-A30", "nvidia.com/mig.strategy": "mixed"},
        {"nvidia.com/mig-1g.6gb": "4", "nvidia.com/mig-2g.12gb": "2"},
        None,
        (2.0, "NVIDIA-A30", "mig", 1, 4, None),
    ),
    (
        "mixed-count-label",
        {"nvidia.com/gpu.product": "NVIDIA-A100-SXM4-40GB", "nvidia.com/gpu.count": "8"},
        {"nvidia.com/mig-3g.20gb": "16"},
        None,
        (8.0, "NVIDIA-A100-SXM4-40GB", "mig", 1, 7, None),
    ),
    (
        "single-a100-3g",
        {"nvidia.com/gpu.product": "NVIDIA-A100-SXM4-80GB-MIG-3g.40gb", "nvidia.com/mig.strategy": "single"},
        {"nvidia.com/gpu": "4"},
        None,
        (4 * 3 / 7, "NVIDIA-A100-SXM4-80GB", "mig", 1, 7, None),
    ),
    (
        "trn1",
        {},
        {"aws.amazon.com/neurondevice": "16", "aws.amazon.com/neuroncore": "32"},
        "trn1.32xlarge",
        (16.0, "Trainium", "none", 1, None, 2),
    ),
    (
        "trn2-cores-only",
        {},
        {"aws.amazon.com/neuroncore": "128"},
        "trn2.48xlarge",
        (16.0, "Trainium2", "none", 1, None, 8),
    ),
    (
        "unknown-neuron-family",
        {},
        {"aws.amazon.com/neuron": "4", "aws.amazon.com/neuroncore": "12"},
        "x1.big",
        (4.0, None, "none", 1, None, 3),
    ),
    ("inf1", {}, {"aws.amazon.com/neuron": "4"}, "inf1.6xlarge", (4.0, "Inferentia", "none", 1, None, 4)),
    ("no-gpu", {}, {}, "m7i.large", (0.0, None, "none", 1, None, None)),
]


@pytest.mark.parametrize("case", GPU_CASES, ids=[c[0] for c in GPU_CASES])
def test_accelerators(now: datetime, case: tuple[Any, ...]) -> None:
    _, labels, capacity, instance_type, expected = case
    if instance_type:
        labels = {**labels, "node.kubernetes.io/instance-type": instance_type}
    got = node_row(now, labels, capacity)
    columns = (
        "gpu_count",
        "gpu_model",
        "gpu_sharing",
        "gpu_replicas",
        "mig_slices_per_gpu",
        "neuron_cores_per_device",
    )
    assert tuple(got[c] for c in columns) == expected
