"""kube-state-metrics node series → `nodes` rows and ClusterInfo, through the kubectl source's own helpers.

Each node becomes a Node-shaped object (labels un-sanitised back to their Kubernetes keys, `spec.providerID`,
`status.capacity`, `status.nodeInfo.kubeletVersion`) handed to `sources.k8s.nodes.add_node`, so that GPU
sharing, MIG, Neuron, capacity types, node pools and regions mean exactly what they mean for `kubectl` input.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import polars as pl

from genaicost.domain.snapshot import ClusterInfo
from genaicost.sources.k8s.cluster import CLUSTER_NAME_LABELS, cluster_info
from genaicost.sources.k8s.common import Context, TableBuilder
from genaicost.sources.k8s.gpus import MIG_PREFIX, GpuInfo
from genaicost.sources.k8s.nodes import add_node

# node label keys the kubectl source reads; KSM exports them as label_<sanitised key> when allow-listed
NODE_LABEL_KEYS = (
    "node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type",
    "topology.kubernetes.io/region", "topology.kubernetes.io/zone",
    "failure-domain.beta.kubernetes.io/region", "failure-domain.beta.kubernetes.io/zone",
    "karpenter.sh/capacity-type", "eks.amazonaws.com/capacityType",
    "karpenter.sh/nodepool", "karpenter.sh/provisioner-name", "eks.amazonaws.com/nodegroup",
    "eks.amazonaws.com/compute-type", "kubernetes.io/arch",
    "nvidia.com/gpu.product", "nvidia.com/gpu.count", "nvidia.com/gpu.replicas",
    "nvidia.com/gpu.sharing-strategy", "nvidia.com/mig.strategy",
    *CLUSTER_NAME_LABELS,
)
INSTANCE_TYPE_KEYS = ("node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type")
# KSM's `resource` label (sanitised) → the Kubernetes resource name
RESOURCE_NAMES = {
    "cpu": "cpu", "memory": "memory",
    "nvidia_com_gpu": "nvidia.com/gpu", "nvidia_com_gpu_shared": "nvidia.com/gpu.shared",
    "aws_amazon_com_neuron": "aws.amazon.com/neuron", "aws_amazon_com_neurondevice": "aws.amazon.com/neurondevice",
    "aws_amazon_com_neuroncore": "aws.amazon.com/neuroncore",
}
KSM_MIG_PREFIX = "nvidia_com_mig_"
_INVALID = re.compile(r"[^a-zA-Z0-9_]")
_CAPS = re.compile(r"([a-z0-9])([A-Z])")


def ksm_label_name(key: str) -> str:
    """KSM's sanitiser: invalid characters → '_', then camelCase → snake_case (capacityType → capacity_type)."""
    return _CAPS.sub(r"\1_\2", _INVALID.sub("_", key)).lower()


def label_columns(key: str) -> tuple[str, ...]:
    """Column names KSM may give a label key: snake_cased (v2 `sanitizeLabelName`) or only sanitised."""
    return tuple(dict.fromkeys(("label_" + ksm_label_name(key), "label_" + _INVALID.sub("_", key))))


def _node_labels(row: dict[str, Any]) -> dict[str, str]:
    found = {}
    for key in NODE_LABEL_KEYS:
        value = next((row[c] for c in label_columns(key) if row.get(c)), None)
        if value:
            found[key] = str(value)
    return found


def resource_name(ksm_resource: str) -> str | None:
    """`nvidia_com_mig_1g_10gb` → `nvidia.com/mig-1g.10gb`; unknown extended resources → None."""
    if ksm_resource in RESOURCE_NAMES:
        return RESOURCE_NAMES[ksm_resource]
    if ksm_resource.startswith(KSM_MIG_PREFIX):
        return MIG_PREFIX + ksm_resource.removeprefix(KSM_MIG_PREFIX).replace("_", ".")
    return None


def quantity_text(value: float) -> str:
    """A float as a plain decimal Kubernetes quantity (no exponent): 32212254720.0 → '32212254720'."""
    return format(Decimal(repr(value)).normalize(), "f")


def _last_per_node(frame: pl.DataFrame) -> dict[str, dict[str, Any]]:
    """The last chunk's row of each node (rows are in chunk order)."""
    if frame.is_empty() or "node" not in frame.columns:
        return {}
    return {str(row["node"]): row for row in frame.filter(pl.col("node").is_not_null()).iter_rows(named=True)}


def node_objects(steps: pl.DataFrame, info: pl.DataFrame, capacity: pl.DataFrame,
                 labels: pl.DataFrame) -> list[dict[str, Any]]:
    """One Node-shaped object per node seen in `kube_node_info`, with `hours_steps` = steps present."""
    infos, label_rows = _last_per_node(info), _last_per_node(labels)
    capacities: dict[str, dict[str, str]] = {}
    for node, resource, value in capacity.select("node", "resource", "value").iter_rows():
        name = resource_name(str(resource))
        if node is not None and name is not None:
            capacities.setdefault(str(node), {})[name] = quantity_text(float(value))
    objects = []
    for node, value in steps.select("node", "value").iter_rows():
        row, facts = label_rows.get(str(node), {}), infos.get(str(node), {})
        node_labels = _node_labels(row)
        objects.append({
            "kind": "Node",
            "metadata": {"name": str(node), "labels": node_labels},
            "spec": {"providerID": facts.get("provider_id") or None},
            "status": {"capacity": capacities.get(str(node), {}),
                       "nodeInfo": {"kubeletVersion": facts.get("kubelet_version")}},
            "steps": float(value),
            "cluster_label": facts.get("cluster"),
        })
    return objects


def node_table(objects: Iterable[dict[str, Any]], ctx: Context, step_s: float
               ) -> tuple[pl.DataFrame, dict[str, GpuInfo]]:
    table = TableBuilder("nodes")
    gpus = {obj["metadata"]["name"]: add_node(table, obj, ctx, obj["steps"] * step_s / 3600.0, {})
            for obj in objects}
    return table.frame(), gpus


def missing_instance_types(objects: Iterable[dict[str, Any]]) -> list[str]:
    return sorted(o["metadata"]["name"] for o in objects
                  if not any(o["metadata"]["labels"].get(k) for k in INSTANCE_TYPE_KEYS))


def history_cluster_info(objects: list[dict[str, Any]], nodes: pl.DataFrame, cluster_name: str | None
                         ) -> ClusterInfo:
    """cluster_name, else a `cluster` label on the series (Thanos / Mimir / AMP external labels), else node labels."""
    external = sorted({str(o["cluster_label"]) for o in objects if o.get("cluster_label")})
    name = cluster_name or (external[0] if len(external) == 1 else None)
    return cluster_info(objects, nodes, source="prometheus", cluster_name=name)
