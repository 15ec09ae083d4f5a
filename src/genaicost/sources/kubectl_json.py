"""Kubernetes objects (`kubectl get … -o json` output or API list items) → Snapshot.

    kubectl get nodes,pods,pv,pvc,storageclasses,services,replicasets,jobs -A -o json \\
        > cluster.json
    kubectl get --raw /apis/metrics.k8s.io/v1beta1/pods > pod-metrics.json      # optional, instant usage
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from genaicost.domain.errors import InputError
from genaicost.domain.snapshot import Snapshot
from genaicost.domain.window import Window
from genaicost.sources.k8s.cluster import cluster_info
from genaicost.sources.k8s.common import Context, Obj, TableBuilder, describe, name_of
from genaicost.sources.k8s.controllers import Owners
from genaicost.sources.k8s.nodes import add_node, fargate_capacity
from genaicost.sources.k8s.pods import PodTables, add_pod, pod_usage
from genaicost.sources.k8s.services import SELECTOR_SCHEMA, add_service, load_balancers, service_pods
from genaicost.sources.k8s.volumes import add_volume, claim_classes, storage_classes

USED_KINDS = (
    "Node",
    "Pod",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "StorageClass",
    "Service",
    "ReplicaSet",
    "Job",
    "PodMetrics",
)
MAX_LISTED_WARNINGS = 20
KUBECTL_HINT = "expected the JSON printed by `kubectl get nodes,pods,… -A -o json` (see docs/inventory.md)"


def snapshot_from_objects(
    items: list[dict[str, Any]],
    *,
    source: str,
    now: datetime,
    window_hours: float = 1.0,
    cluster_name: str | None = None,
) -> Snapshot:
    """Kubernetes objects (as the API / kubectl print them; Lists are flattened) → Snapshot."""
    return build_snapshot(
        items, ctx=Context(source=source), now=now, window_hours=window_hours, cluster_name=cluster_name
    )


def load_kubectl_json(
    paths: Sequence[Path], *, now: datetime, window_hours: float = 1.0, cluster_name: str | None = None
) -> Snapshot:
    """Read `kubectl get … -o json` files (Lists, *List kinds or single objects) and merge them."""
    items: list[dict[str, Any]] = []
    origins: dict[int, str] = {}
    for path in paths:
        document = read_json_document(Path(path))
        items.append(document)
        origins[id(document)] = str(path)
    ctx = Context(source="kubectl-json", origins=origins)
    return build_snapshot(items, ctx=ctx, now=now, window_hours=window_hours, cluster_name=cluster_name)


def read_json_document(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise InputError(f"cannot read the file ({err.strerror}); {KUBECTL_HINT}", source=str(path)) from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(
            f"not valid JSON at line {err.lineno}, column {err.colno}: {err.msg}; {KUBECTL_HINT}",
            source=str(path),
        ) from None
    if not isinstance(document, dict) or not document.get("kind"):
        raise InputError(
            f"the top level is not a Kubernetes object or List (no 'kind'); {KUBECTL_HINT}", source=str(path)
        )
    return document


def flatten(items: Iterable[Any], ctx: Context, origins: dict[int, str], where: str = "items") -> list[Obj]:
    """Expand List / NodeList / PodMetricsList …; items of a typed list get the list's item kind."""
    out: list[Obj] = []
    for index, item in enumerate(items):
        origin = ctx.origin(item) if isinstance(item, dict) else ctx.source
        if not isinstance(item, dict) or not item.get("kind"):
            raise InputError(
                f"{where}[{index}] is not a Kubernetes object (no 'kind'); {KUBECTL_HINT}", source=origin
            )
        kind = str(item["kind"])
        if kind.endswith("List") and isinstance(item.get("items"), list):
            children = [
                c
                if not isinstance(c, dict) or c.get("kind") or kind == "List"
                else {**c, "kind": kind.removesuffix("List")}
                for c in item["items"]
            ]
            for child in children:
                origins[id(child)] = origin
            out.extend(flatten(children, Context(ctx.source, origins), origins, f"{where}[{index}].items"))
        else:
            origins[id(item)] = origin
            out.append(item)
    return out


def group_by_kind(objects: list[Obj]) -> tuple[dict[str, list[Obj]], Counter[str], int]:
    """Objects per used kind (duplicates by kind/namespace/name dropped), ignored kinds, duplicates."""
    seen: set[tuple[str, str, str]] = set()
    groups: dict[str, list[Obj]] = {kind: [] for kind in USED_KINDS}
    ignored: Counter[str] = Counter()
    duplicates = 0
    for obj in objects:
        kind = str(obj["kind"])
        key = (kind, str((obj.get("metadata") or {}).get("namespace") or ""), name_of(obj))
        if key in seen:
            duplicates += 1
            continue
        seen.add(key)
        if kind in groups:
            groups[kind].append(obj)
        else:
            ignored[kind] += 1
    return groups, ignored, duplicates


def build_snapshot(
    items: list[dict[str, Any]], *, ctx: Context, now: datetime, window_hours: float, cluster_name: str | None
) -> Snapshot:
    if not window_hours > 0:
        raise InputError(
            f"window_hours must be a positive number of hours, got {window_hours!r}", field="window_hours"
        )
    origins = dict(ctx.origins)
    objects = flatten(items, ctx, origins)
    ctx = Context(ctx.source, origins, ctx.warnings, ctx.notes)
    groups, ignored, duplicates = group_by_kind(objects)
    hours = float(window_hours)

    fargate = {}
    for pod in groups["Pod"]:
        node_name = (pod.get("spec") or {}).get("nodeName")
        capacity = fargate_capacity(pod, ctx) if node_name else None
        if capacity is not None:
            fargate[str(node_name)] = capacity
    nodes = TableBuilder("nodes")
    node_gpus = {name_of(node): add_node(nodes, node, ctx, hours, fargate) for node in groups["Node"]}
    node_table = nodes.frame()
    cluster = cluster_info(groups["Node"], node_table, source=ctx.source, cluster_name=cluster_name)

    pods = PodTables()
    owners = Owners(groups["ReplicaSet"], groups["Job"])
    usage = pod_usage(groups["PodMetrics"], ctx)
    for pod in groups["Pod"]:
        add_pod(pods, pod, ctx, hours, owners, node_gpus, usage)

    volumes = TableBuilder("volumes")
    classes, claim_class = (
        storage_classes(groups["StorageClass"]),
        claim_classes(groups["PersistentVolumeClaim"]),
    )
    for pv in groups["PersistentVolume"]:
        add_volume(volumes, pv, ctx, hours, classes, claim_class, cluster.region)

    services, selectors = TableBuilder("services"), TableBuilder("selectors", SELECTOR_SCHEMA)
    for service in load_balancers(groups["Service"]):
        add_service(services, selectors, service, cluster.region, hours)
    containers = pods.containers.frame()
    pod_labels = pods.pod_labels.frame()
    pod_namespaces = containers.select("pod_uid", "namespace").unique()
    _note_inputs(ctx, groups, ignored, duplicates, pods.unknown_nodes)
    return Snapshot(
        cluster=cluster,
        window=Window.ending_at(now, hours),
        collected_at=now,
        nodes=node_table,
        containers=containers,
        pod_labels=pod_labels,
        pod_annotations=pods.pod_annotations.frame(),
        volumes=volumes.frame(),
        mounts=pods.mounts.frame(),
        services=services.frame(),
        service_pods=service_pods(selectors.frame(), pod_labels, pod_namespaces),
        notes=tuple(ctx.notes),
        warnings=tuple(ctx.warnings),
    )


def _note_inputs(
    ctx: Context,
    groups: Mapping[str, list[Obj]],
    ignored: Counter[str],
    duplicates: int,
    unknown_nodes: list[tuple[str, str]],
) -> None:
    if ignored:
        listed = ", ".join(
            f"{kind}={n}" for kind, n in sorted(ignored.items(), key=lambda kv: (-kv[1], kv[0]))
        )
        ctx.notes.append(
            f"ignored {sum(ignored.values())} objects of kinds the report does not use: {listed}"
        )
    if duplicates:
        ctx.notes.append(f"dropped {duplicates} duplicate objects (same kind, namespace and name)")
    if groups["PodMetrics"]:
        ctx.notes.append(
            f"instant usage from {len(groups['PodMetrics'])} PodMetrics objects (metrics.k8s.io)"
        )
    for pod, node in unknown_nodes[:MAX_LISTED_WARNINGS]:
        ctx.warnings.append(f"pod {pod} is bound to node {node}, which is not in the inventory")
    if len(unknown_nodes) > MAX_LISTED_WARNINGS:
        ctx.warnings.append(
            f"… and {len(unknown_nodes) - MAX_LISTED_WARNINGS} more pods bound to nodes "
            "that are not in the inventory"
        )


__all__ = ["build_snapshot", "describe", "load_kubectl_json", "snapshot_from_objects"]
