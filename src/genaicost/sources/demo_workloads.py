"""Demo cluster workloads as kubectl-shaped objects: pods (+ ReplicaSets, PodMetrics), storage, services."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from genaicost.domain.quantity import parse_quantity
from genaicost.sources.demo_objects import Obj, metadata, suffix, ts

GPU_TOLERATION = {"effect": "NoSchedule", "key": "nvidia.com/gpu", "operator": "Exists"}
DEFAULT_TOLERATIONS = [
    {
        "effect": "NoExecute",
        "key": "node.kubernetes.io/not-ready",
        "operator": "Exists",
        "tolerationSeconds": 300,
    },
    {
        "effect": "NoExecute",
        "key": "node.kubernetes.io/unreachable",
        "operator": "Exists",
        "tolerationSeconds": 300,
    },
]
API_FOR_KIND = {"ReplicaSet": "apps/v1", "DaemonSet": "apps/v1", "StatefulSet": "apps/v1", "Job": "batch/v1"}


@dataclass
class Workload:
    """One controller and its pods; `nodes` has one entry per pod (None: never scheduled)."""

    namespace: str
    name: str
    kind: str  # Deployment | DaemonSet | StatefulSet | Job
    image: str
    requests: dict[str, str]
    nodes: Sequence[str | None]
    limits: dict[str, str] | None = None  # None: same as the GPU requests only
    labels: dict[str, str] = field(default_factory=dict)
    claims: list[str | None] = field(default_factory=list)  # PVC per pod (index-aligned), optional
    usage: tuple[float, float] = (0.5, 0.6)  # CPU and memory usage as fractions of the requests
    phase: str = "Running"  # Running | Succeeded | Pending
    age: timedelta = timedelta(days=2)
    args: list[str] = field(default_factory=list)
    container: str = ""  # container name; default the workload name


def pod_names(w: Workload) -> list[str]:
    if w.kind == "StatefulSet":
        return [f"{w.name}-{i}" for i in range(len(w.nodes))]
    if w.kind == "Deployment":
        rs = f"{w.name}-{replicaset_hash(w)}"
        return [f"{rs}-{suffix(f'{w.namespace}/{rs}/{i}', 5)}" for i in range(len(w.nodes))]
    return [f"{w.name}-{suffix(f'{w.namespace}/{w.name}/{i}/{node}', 5)}" for i, node in enumerate(w.nodes)]


def replicaset_hash(w: Workload) -> str:
    return suffix(f"{w.namespace}/{w.name}/{w.image}", 10)


def owner_of(w: Workload) -> tuple[str, str, str]:
    if w.kind == "Deployment":
        return "apps/v1", "ReplicaSet", f"{w.name}-{replicaset_hash(w)}"
    return API_FOR_KIND[w.kind], w.kind, w.name


def _qos(requests: dict[str, str], limits: dict[str, str]) -> str:
    if not any(k in requests for k in ("cpu", "memory")):
        return "BestEffort"
    same = all(limits.get(k) == requests.get(k) for k in ("cpu", "memory"))
    return "Guaranteed" if same else "Burstable"


def _limits(w: Workload) -> dict[str, str]:
    if w.limits is not None:
        return w.limits
    return {k: v for k, v in w.requests.items() if k.startswith("nvidia.com/")}


def _status(w: Workload, node_name: str | None, index: int, now: datetime, qos: str) -> Obj:
    start = ts(now, w.age - timedelta(seconds=20))
    if w.phase == "Pending":
        return {
            "conditions": [
                {
                    "lastProbeTime": None,
                    "lastTransitionTime": ts(now, w.age),
                    "message": "0/16 nodes are available: 16 Insufficient nvidia.com/gpu. "
                    "preemption: 0/16 nodes are available.",
                    "reason": "Unschedulable",
                    "status": "False",
                    "type": "PodScheduled",
                }
            ],
            "phase": "Pending",
            "qosClass": qos,
        }
    cid = "containerd://" + suffix(f"{w.name}/{index}/container", 12) * 5
    if w.phase == "Succeeded":
        state = {
            "terminated": {
                "containerID": cid,
                "exitCode": 0,
                "finishedAt": ts(now, w.age - timedelta(minutes=42)),
                "reason": "Completed",
                "startedAt": start,
            }
        }
        ready, started = False, False
    else:
        state, ready, started = {"running": {"startedAt": start}}, True, True
    host_ip = (node_name or "ip-0-0-0-0").removeprefix("ip-").split(".")[0].replace("-", ".")
    return {
        "conditions": [
            {"lastProbeTime": None, "lastTransitionTime": start, "status": "True", "type": t}
            for t in ("Initialized", "Ready" if ready else "PodReadyToStartContainers", "PodScheduled")
        ],
        "containerStatuses": [
            {
                "containerID": cid,
                "image": w.image,
                "imageID": w.image.split(":")[0] + "@sha256:" + suffix(w.image, 16) * 4,
                "lastState": {},
                "name": w.container or w.name,
                "ready": ready,
                "restartCount": 0,
                "started": started,
                "state": state,
            }
        ],
        "hostIP": host_ip,
        "phase": w.phase,
        "podIP": host_ip.rsplit(".", 1)[0] + f".{(index * 37 + len(w.name)) % 250 + 2}",
        "qosClass": qos,
        "startTime": ts(now, w.age),
    }


def pod(w: Workload, index: int, name: str, now: datetime) -> Obj:
    node_name = w.nodes[index]
    limits = _limits(w)
    container: Obj = {
        "image": w.image,
        "imagePullPolicy": "IfNotPresent",
        "name": w.container or w.name,
        "resources": {"limits": limits, "requests": w.requests} if limits else {"requests": w.requests},
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
    }
    if w.args:
        container["args"] = w.args
    claim = w.claims[index] if index < len(w.claims) else None
    volumes: list[Obj] = []
    if claim:
        container["volumeMounts"] = [{"mountPath": "/models", "name": "model-cache"}]
        volumes.append({"name": "model-cache", "persistentVolumeClaim": {"claimName": claim}})
    labels = dict(w.labels)
    if w.kind == "Deployment":
        labels["pod-template-hash"] = replicaset_hash(w)
    spec: Obj = {
        "containers": [container],
        "dnsPolicy": "ClusterFirst",
        "enableServiceLinks": True,
        "preemptionPolicy": "PreemptLowerPriority",
        "priority": 0,
        "restartPolicy": "Never" if w.kind == "Job" else "Always",
        "schedulerName": "default-scheduler",
        "serviceAccountName": "default",
        "terminationGracePeriodSeconds": 30,
        "tolerations": DEFAULT_TOLERATIONS + ([GPU_TOLERATION] if _wants_gpu(w) else []),
        "volumes": volumes,
    }
    if node_name:
        spec["nodeName"] = node_name
    qos = _qos(w.requests, limits)
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": metadata(name, now, w.age, namespace=w.namespace, labels=labels, owner=owner_of(w)),
        "spec": spec,
        "status": _status(w, node_name, index, now, qos),
    }


def _wants_gpu(w: Workload) -> bool:
    return any(k.startswith("nvidia.com/") for k in w.requests)


def replicaset(w: Workload, now: datetime) -> Obj:
    rs_name = owner_of(w)[2]
    labels = {**w.labels, "pod-template-hash": replicaset_hash(w)}
    ready = sum(1 for n in w.nodes if n) if w.phase == "Running" else 0
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": metadata(
            rs_name,
            now,
            w.age,
            namespace=w.namespace,
            labels=labels,
            annotations={
                "deployment.kubernetes.io/desired-replicas": str(len(w.nodes)),
                "deployment.kubernetes.io/max-replicas": str(len(w.nodes) + 1),
                "deployment.kubernetes.io/revision": "1",
            },
            owner=("apps/v1", "Deployment", w.name),
        ),
        "spec": {
            "replicas": len(w.nodes),
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"image": w.image, "name": w.container or w.name}]},
            },
        },
        "status": {
            "availableReplicas": ready,
            "fullyLabeledReplicas": len(w.nodes),
            "observedGeneration": 1,
            "readyReplicas": ready,
            "replicas": len(w.nodes),
        },
    }


def pod_metrics(w: Workload, index: int, name: str, now: datetime) -> Obj:
    """metrics-server's PodMetrics: usage = requests × the workload's fractions, ±5 % by replica."""
    wobble = Decimal(1) + Decimal("0.05") * ((index % 3) - 1)
    cpu_cores = Decimal(str(parse_quantity(w.requests.get("cpu", "0")))) * Decimal(str(w.usage[0])) * wobble
    ram_bytes = (
        Decimal(str(parse_quantity(w.requests.get("memory", "0")))) * Decimal(str(w.usage[1])) * wobble
    )
    return {
        "apiVersion": "metrics.k8s.io/v1beta1",
        "kind": "PodMetrics",
        "metadata": {
            "creationTimestamp": ts(now, timedelta(0)),
            "labels": dict(sorted(w.labels.items())),
            "name": name,
            "namespace": w.namespace,
        },
        "timestamp": ts(now, timedelta(seconds=9)),
        "window": "15.008s",
        "containers": [
            {
                "name": w.container or w.name,
                "usage": {"cpu": f"{int(cpu_cores * 10**9)}n", "memory": f"{int(ram_bytes / 1024)}Ki"},
            }
        ],
    }


def workload_objects(w: Workload, now: datetime) -> list[Obj]:
    """Pods (+ the Deployment's ReplicaSet) and, for running pods, their PodMetrics."""
    names = pod_names(w)
    out = [replicaset(w, now)] if w.kind == "Deployment" else []
    out += [pod(w, i, name, now) for i, name in enumerate(names)]
    if w.phase == "Running":
        out += [pod_metrics(w, i, name, now) for i, name in enumerate(names) if w.nodes[i]]
    return out
