"""Pod objects → `containers`, `pod_labels`, `pod_annotations` and `mounts` rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from genaicost.sources.k8s.common import (
    Context,
    Obj,
    TableBuilder,
    annotations_of,
    labels,
    meta,
    name_of,
    namespace_of,
)
from genaicost.sources.k8s.controllers import Owners
from genaicost.sources.k8s.gpus import (
    MIG_PREFIX,
    NEURON_CORE,
    NEURON_DEVICES,
    NVIDIA_GPU,
    NVIDIA_SHARED,
    GpuInfo,
)

Usage = Mapping[
    tuple[str, str, str], tuple[float | None, float | None]
]  # (ns, pod, container) → (cores, bytes)


@dataclass
class PodTables:
    containers: TableBuilder = field(default_factory=lambda: TableBuilder("containers"))
    pod_labels: TableBuilder = field(default_factory=lambda: TableBuilder("pod_labels"))
    pod_annotations: TableBuilder = field(default_factory=lambda: TableBuilder("pod_annotations"))
    mounts: TableBuilder = field(default_factory=lambda: TableBuilder("mounts"))
    unknown_nodes: list[tuple[str, str]] = field(default_factory=list)  # (namespace/pod, node)


def pod_uid(pod: Obj) -> str:
    return str(meta(pod).get("uid") or f"{namespace_of(pod)}/{name_of(pod)}")


def started(status: Mapping[str, Any] | None) -> bool:
    """Running now, or terminated (now or before a restart) after having started."""
    if not status:
        return False
    state = status.get("state") or {}
    if "running" in state:
        return True
    return any(((s or {}).get("terminated") or {}).get("startedAt") for s in (state, status.get("lastState")))


def effective_requests(container: Mapping[str, Any], index: int) -> dict[str, tuple[Any, str]]:
    """Request per resource; a limit without a request counts as the request (Kubernetes defaults it)."""
    resources = container.get("resources") or {}
    base = f"spec.containers[{index}].resources"
    result = {k: (v, f"{base}.limits.{k}") for k, v in (resources.get("limits") or {}).items()}
    result.update({k: (v, f"{base}.requests.{k}") for k, v in (resources.get("requests") or {}).items()})
    return result


def _accelerators(
    pod: Obj, requests: Mapping[str, tuple[Any, str]], ctx: Context, gpus: GpuInfo | None
) -> dict[str, Any]:
    def q(key: str) -> float:
        return ctx.quantity(pod, *requests[key]) if key in requests else 0.0

    out: dict[str, Any] = {
        "gpu_request": q(NVIDIA_GPU) + q(NVIDIA_SHARED) + sum(q(k) for k in NEURON_DEVICES),
        "neuroncore_request": q(NEURON_CORE),
        "mig_profile": None,
        "mig_count": 0.0,
    }
    migs = sorted(k for k in requests if k.startswith(MIG_PREFIX) and q(k) > 0)
    if migs:
        out["mig_profile"], out["mig_count"] = migs[0].removeprefix(MIG_PREFIX), q(migs[0])
        if len(migs) > 1:
            ctx.warnings.append(
                f"pod {namespace_of(pod)}/{name_of(pod)} requests several MIG profiles {migs}; "
                f"only {migs[0]} is counted"
            )
    elif gpus is not None and gpus.single_mig_profile and q(NVIDIA_GPU) > 0:
        out["mig_profile"], out["mig_count"] = gpus.single_mig_profile, q(NVIDIA_GPU)
        out["gpu_request"] -= q(NVIDIA_GPU)
    return out


def add_pod(
    tables: PodTables,
    pod: Obj,
    ctx: Context,
    hours: float,
    owners: Owners,
    node_gpus: Mapping[str, GpuInfo],
    usage: Usage,
) -> None:
    uid, ns, name = pod_uid(pod), namespace_of(pod), name_of(pod)
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    node = spec.get("nodeName") or None
    if node is not None and node not in node_gpus:
        tables.unknown_nodes.append((f"{ns}/{name}", node))
    kind, controller = owners.resolve(pod)
    statuses = {s.get("name"): s for s in status.get("containerStatuses") or []}
    for index, container in enumerate(spec.get("containers") or []):
        cname = str(container.get("name") or "")
        requests = effective_requests(container, index)
        cpu_use, ram_use = usage.get((ns, name, cname), (None, None))
        tables.containers.add(
            pod_uid=uid,
            namespace=ns,
            pod=name,
            container=cname,
            node=node,
            phase=status.get("phase") or "Unknown",
            started=started(statuses.get(cname)),
            controller_kind=kind,
            controller=controller,
            cpu_request_cores=ctx.quantity(pod, *requests["cpu"]) if "cpu" in requests else 0.0,
            ram_request_bytes=ctx.quantity(pod, *requests["memory"]) if "memory" in requests else 0.0,
            cpu_usage_cores=cpu_use,
            ram_usage_bytes=ram_use,
            hours=hours,
            **_accelerators(pod, requests, ctx, node_gpus.get(node) if node else None),
        )
    for key, value in labels(pod).items():
        tables.pod_labels.add(pod_uid=uid, key=key, value=str(value))
    for key, value in annotations_of(pod).items():
        tables.pod_annotations.add(pod_uid=uid, key=key, value=str(value))
    _add_mounts(tables.mounts, pod, uid, ns, name)


def _add_mounts(mounts: TableBuilder, pod: Obj, uid: str, ns: str, name: str) -> None:
    for volume in (pod.get("spec") or {}).get("volumes") or []:
        claim = (volume.get("persistentVolumeClaim") or {}).get("claimName")
        if claim is None and volume.get("ephemeral"):
            claim = f"{name}-{volume.get('name')}"  # generic ephemeral volume: PVC named <pod>-<volume>
        if claim:
            mounts.add(pod_uid=uid, claim_namespace=ns, claim_name=str(claim))


def pod_usage(
    metrics: list[Obj], ctx: Context
) -> dict[tuple[str, str, str], tuple[float | None, float | None]]:
    """PodMetrics (metrics.k8s.io/v1beta1) → instant usage per (namespace, pod, container)."""
    usage: dict[tuple[str, str, str], tuple[float | None, float | None]] = {}
    for item in metrics:
        for index, container in enumerate(item.get("containers") or []):
            values = container.get("usage") or {}
            path = f"containers[{index}].usage"
            cpu = ctx.quantity(item, values["cpu"], f"{path}.cpu") if "cpu" in values else None
            ram = ctx.quantity(item, values["memory"], f"{path}.memory") if "memory" in values else None
            usage[(namespace_of(item), name_of(item), str(container.get("name") or ""))] = (cpu, ram)
    return usage
