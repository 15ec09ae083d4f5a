"""ClusterInfo from the node inventory: name, provider, region, whether it is EKS."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import polars as pl

from genaicost.domain.snapshot import ClusterInfo
from genaicost.sources.k8s.common import Obj, labels

# labels eksctl and EKS managed node groups put on nodes (Karpenter does not label nodes with the cluster)
CLUSTER_NAME_LABELS = (
    "alpha.eksctl.io/cluster-name",
    "eks.amazonaws.com/cluster-name",
    "eksctl.io/cluster-name",
)
EKS_LABEL_PREFIXES = ("eks.amazonaws.com/", "alpha.eksctl.io/", "eksctl.io/")
PROVIDERS = {"aws": "aws", "azure": "azure", "gce": "gcp"}


def cluster_name_from_nodes(nodes: Sequence[Obj]) -> str | None:
    names = Counter(labels(n)[key] for n in nodes for key in CLUSTER_NAME_LABELS if labels(n).get(key))
    return _most_common(names)


def _most_common(counter: Counter[str]) -> str | None:
    if not counter:
        return None
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


def is_eks(nodes: Sequence[Obj]) -> bool:
    for node in nodes:
        if any(k.startswith(EKS_LABEL_PREFIXES) for k in labels(node)):
            return True
        version = str(((node.get("status") or {}).get("nodeInfo") or {}).get("kubeletVersion") or "")
        if "-eks-" in version:
            return True
    return False


def provider(nodes: Sequence[Obj], eks: bool) -> str:
    schemes = Counter(str((n.get("spec") or {}).get("providerID") or "").split(":", 1)[0] for n in nodes)
    schemes.pop("", None)
    scheme = _most_common(schemes)
    if scheme is not None:
        return PROVIDERS.get(scheme, scheme)
    return "aws" if eks else "unknown"


def cluster_info(
    nodes: Sequence[Obj], node_table: pl.DataFrame, *, source: str, cluster_name: str | None
) -> ClusterInfo:
    regions = Counter(r for r in node_table["region"].to_list() if r)
    eks = is_eks(nodes)
    return ClusterInfo(
        name=cluster_name or cluster_name_from_nodes(nodes) or "cluster",
        provider=provider(nodes, eks),
        region=_most_common(regions),
        is_eks=eks,
        eks_support="standard",
        source=source,
    )
