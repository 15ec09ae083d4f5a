"""kube-state-metrics v2 and cAdvisor series of a scenario, shaped like the real expositions.

Label names and order follow kube-state-metrics' own test expectations (pkg/app/server_test.go,
internal/store/node_test.go) and its docs (docs/metrics/workload/pod-metrics.md, node-metrics.md,
storage/persistentvolume-metrics.md ...); `label_*` series exist only for labels on the allow-list
(`--metric-labels-allowlist`), as on a real cluster. Empty label values are left out (Prometheus drops them).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from .counters import counter
from .model import Container, LoadBalancer, Node, Pod, Scenario
from .promgen import Block, Family, render_labels

GIB = 1024.0**3
PHASES = ("Pending", "Running", "Succeeded", "Failed", "Unknown")
KSM_SCRAPE = {"job": "kube-state-metrics", "instance": "10.0.0.5:8080"}

F = {name: Family(name, kind, help_) for name, kind, help_ in [
    ("kube_node_info", "gauge", "[STABLE] Information about a cluster node."),
    ("kube_node_labels", "gauge", "[STABLE] Kubernetes labels converted to Prometheus labels."),
    ("kube_node_status_capacity", "gauge", "[STABLE] The capacity for different resources of a node."),
    ("kube_node_status_allocatable", "gauge",
     "[STABLE] The allocatable for different resources of a node that are available for scheduling."),
    ("kube_pod_info", "gauge", "[STABLE] Information about pod."),
    ("kube_pod_owner", "gauge", "[STABLE] Information about the Pod's owner."),
    ("kube_pod_labels", "gauge", "[STABLE] Kubernetes labels converted to Prometheus labels."),
    ("kube_pod_status_phase", "gauge", "[STABLE] The pods current phase."),
    ("kube_pod_container_resource_requests", "gauge",
     "The number of requested request resource by a container. It is recommended to use the "
     "kube_pod_resource_requests metric exposed by kube-scheduler instead, as it is more precise."),
    ("kube_pod_spec_volumes_persistentvolumeclaims_info", "gauge",
     "[STABLE] Information about persistentvolumeclaim volumes in a pod."),
    ("kube_persistentvolume_info", "gauge", "[STABLE] Information about persistentvolume."),
    ("kube_persistentvolume_capacity_bytes", "gauge", "[STABLE] Persistentvolume capacity in bytes."),
    ("kube_persistentvolume_claim_ref", "gauge", "[STABLE] Information about the Persistent Volume Claim Reference."),
    ("kube_persistentvolumeclaim_info", "gauge", "[STABLE] Information about persistent volume claim."),
    ("kube_persistentvolumeclaim_resource_requests_storage_bytes", "gauge",
     "[STABLE] The capacity of storage requested by the persistent volume claim."),
    ("kube_storageclass_info", "gauge", "[STABLE] Information about storageclass."),
    ("kube_service_spec_type", "gauge", "[STABLE] Type about service."),
    ("kube_service_annotations", "gauge", "Kubernetes annotations converted to Prometheus labels."),
    ("kube_endpoint_address", "gauge", "Information about Endpoint available and non available addresses."),
    ("container_cpu_usage_seconds", "counter", "Cumulative cpu time consumed in seconds."),
    ("container_memory_working_set_bytes", "gauge", "Current working set in bytes."),
]}


def ksm_block(name: str, labels: dict[str, str], idx: np.ndarray, values: np.ndarray | float = 1.0) -> Block:
    vals = np.broadcast_to(np.asarray(values, dtype=np.float64), (len(idx),))[None, :]
    return Block(F[name], [render_labels({**labels, **KSM_SCRAPE})], idx, vals)


def sanitize(key: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in key)


def node_labels(node: Node) -> dict[str, str]:
    labels = {
        "node.kubernetes.io/instance-type": node.instance_type,
        "topology.kubernetes.io/region": node.region,
        "topology.kubernetes.io/zone": node.zone,
        "kubernetes.io/arch": "amd64",
    }
    if node.managed_by == "karpenter":
        labels |= {"karpenter.sh/capacity-type": node.capacity_type, "karpenter.sh/nodepool": node.pool}
    else:
        labels |= {"eks.amazonaws.com/capacityType": "SPOT" if node.capacity_type == "spot" else "ON_DEMAND",
                   "eks.amazonaws.com/nodegroup": node.pool}
    if node.gpus:
        labels |= {"nvidia.com/gpu.product": node.gpu_product or "", "nvidia.com/gpu.count": str(node.gpus)}
        if node.gpu_replicas > 1:
            labels |= {"nvidia.com/gpu.replicas": str(node.gpu_replicas),
                       "nvidia.com/gpu.sharing-strategy": "time-slicing"}
        if node.mig_layout:
            labels |= {"nvidia.com/mig.strategy": "mixed", "nvidia.com/mig.config": "all-balanced"}
    return {"node": node.name} | {f"label_{sanitize(k)}": v for k, v in labels.items()}


def node_resources(node: Node) -> list[tuple[str, str, float]]:
    res = [("cpu", "core", node.vcpu), ("memory", "byte", node.ram_bytes), ("pods", "integer", 110.0)]
    if node.mig_layout:
        per_profile: dict[str, int] = {}
        for profile, _gi, _fb in node.mig_layout:
            per_profile[profile] = per_profile.get(profile, 0) + node.gpus
        res += [(f"nvidia_com_mig_{sanitize(p)}", "integer", float(c)) for p, c in per_profile.items()]
    elif node.gpus:
        res.append(("nvidia_com_gpu", "integer", float(node.gpus * node.gpu_replicas)))
    return res


def node_blocks(scn: Scenario, node: Node) -> Iterator[Block]:
    idx = scn.timeline.span(node.from_h, node.to_h)
    az = node.zone
    yield ksm_block("kube_node_info", {
        "container_runtime_version": "containerd://1.7.22", "kernel_version": "6.1.112-124.190.amzn2023.x86_64",
        "kubelet_version": "v1.31.2-eks-94953ac", "kubeproxy_version": "deprecated", "node": node.name,
        "os_image": "Amazon Linux 2023.6.20241111", "pod_cidr": "", "provider_id": f"aws:///{az}/{node.instance_id}",
        "internal_ip": node.internal_ip, "system_uuid": f"ec2{node.instance_id[2:10]}-0000-0000-0000-000000000000",
    }, idx)
    yield ksm_block("kube_node_labels", node_labels(node), idx)
    for resource, unit, value in node_resources(node):
        lab = {"node": node.name, "resource": resource, "unit": unit}
        yield ksm_block("kube_node_status_capacity", lab, idx, value)
        allocatable = value * 0.95 if resource in ("cpu", "memory") else value
        yield ksm_block("kube_node_status_allocatable", lab, idx, allocatable)


def pod_listed(scn: Scenario, pod: Pod) -> np.ndarray:
    return scn.timeline.span(pod.from_h, pod.succeeded_to_h or pod.to_h)


def pod_blocks(scn: Scenario, pod: Pod) -> Iterator[Block]:
    tl = scn.timeline
    listed = pod_listed(scn, pod)
    key = {"namespace": pod.namespace, "pod": pod.name, "uid": pod.uid}
    created_kind = "ReplicaSet" if pod.owner_kind == "Deployment" else pod.owner_kind
    created_name = f"{pod.owner_name}-6d4cf56db6" if pod.owner_kind == "Deployment" else pod.owner_name
    node = scn.node(pod.node)
    yield ksm_block("kube_pod_info", key | {
        "host_ip": node.internal_ip, "pod_ip": pod.pod_ip, "node": pod.node, "created_by_kind": created_kind,
        "created_by_name": created_name, "priority_class": "", "host_network": "false"}, listed)
    yield ksm_block("kube_pod_owner", key | {
        "owner_kind": created_kind, "owner_name": created_name, "owner_is_controller": "true"}, listed)
    yield ksm_block("kube_pod_labels", key | {f"label_{sanitize(k)}": v for k, v in pod.labels.items()}, listed)
    running = (listed >= tl.k(pod.from_h)) & (listed < tl.k(pod.to_h))
    for phase in PHASES:
        value = running if phase == "Running" else (~running if phase == "Succeeded" else np.zeros_like(running))
        yield ksm_block("kube_pod_status_phase", key | {"phase": phase}, listed, value.astype(np.float64))
    for c in pod.containers:
        yield from request_blocks(key | {"container": c.name, "node": pod.node}, c, listed)
    if pod.pvc:
        yield ksm_block("kube_pod_spec_volumes_persistentvolumeclaims_info",
                        key | {"volume": pod.pvc, "persistentvolumeclaim": pod.pvc}, listed)


def request_blocks(labels: dict[str, str], c: Container, idx: np.ndarray) -> Iterator[Block]:
    yield ksm_block("kube_pod_container_resource_requests", labels | {"resource": "cpu", "unit": "core"},
                    idx, c.cpu_request)
    yield ksm_block("kube_pod_container_resource_requests", labels | {"resource": "memory", "unit": "byte"},
                    idx, c.ram_request)
    if c.gpu_resource:
        yield ksm_block("kube_pod_container_resource_requests",
                        labels | {"resource": c.gpu_resource, "unit": "integer"}, idx, c.gpu_count)


def storage_blocks(scn: Scenario) -> Iterator[Block]:
    classes = sorted({v.storage_class for v in scn.volumes})
    for sc in classes:
        yield ksm_block("kube_storageclass_info", {"storageclass": sc, "provisioner": "ebs.csi.aws.com",
                        "reclaim_policy": "Delete", "volume_binding_mode": "WaitForFirstConsumer"},
                        scn.timeline.span(0, scn.timeline.hours))
    for v in scn.volumes:
        idx = scn.timeline.span(v.from_h, v.to_h)
        pv = {"persistentvolume": v.pv}
        yield ksm_block("kube_persistentvolume_info", pv | {"storageclass": v.storage_class, "ebs_volume_id": "",
                        "csi_driver": "ebs.csi.aws.com", "csi_volume_handle": v.volume_id}, idx)
        yield ksm_block("kube_persistentvolume_capacity_bytes", pv, idx, v.capacity_bytes)
        yield ksm_block("kube_persistentvolume_claim_ref", pv | {"name": v.claim,
                        "claim_namespace": v.claim_namespace}, idx)
        claim = {"namespace": v.claim_namespace, "persistentvolumeclaim": v.claim}
        yield ksm_block("kube_persistentvolumeclaim_info", claim | {"storageclass": v.storage_class,
                        "volumename": v.pv}, idx)
        yield ksm_block("kube_persistentvolumeclaim_resource_requests_storage_bytes", claim, idx, v.capacity_bytes)


def service_blocks(scn: Scenario) -> Iterator[Block]:
    for s in scn.services:
        idx = scn.timeline.span(s.from_h, s.to_h)
        key = {"namespace": s.namespace, "service": s.name, "uid": s.uid}
        yield ksm_block("kube_service_spec_type", key | {"type": "LoadBalancer"}, idx)
        yield ksm_block("kube_service_annotations", key | {
            "annotation_service_beta_kubernetes_io_aws_load_balancer_type": s.lb_type}, idx)
        yield from endpoint_blocks(scn, s)


def endpoint_blocks(scn: Scenario, s: LoadBalancer) -> Iterator[Block]:
    """kube_endpoint_address of the Service's Endpoints object (same name): one series per port and address
    (KSM internal/store/endpoint.go: port_protocol, port_number, port_name, ip, ready), an address listed
    `ready="true"` while its pod is Running and the Service exists."""
    tl = scn.timeline
    for name in s.endpoints:
        pod = scn.pod(name)
        idx = tl.span(max(s.from_h, pod.from_h), min(s.to_h, pod.to_h))
        for port_name, port in s.ports:
            yield ksm_block("kube_endpoint_address", {
                "namespace": s.namespace, "endpoint": s.name, "port_protocol": "TCP", "port_number": str(port),
                "port_name": port_name, "ip": pod.pod_ip, "ready": "true"}, idx)


def ksm_blocks(scn: Scenario) -> Iterator[Block]:
    for node in scn.nodes:
        yield from node_blocks(scn, node)
    for pod in scn.pods:
        yield from pod_blocks(scn, pod)
    yield from storage_blocks(scn)
    yield from service_blocks(scn)


def cadvisor_segments(scn: Scenario, pod: Pod) -> list[np.ndarray]:
    """Running samples split at container restarts (each restart is a new container id, a new series)."""
    tl = scn.timeline
    run = tl.span(pod.from_h, pod.to_h)
    cuts = [tl.k(h) - tl.k(pod.from_h) for h in pod.restarts_h]
    return [seg for seg in np.split(run, cuts) if len(seg)]


def _usage(scn: Scenario, pod: Pod, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    tl = scn.timeline
    cpu = np.array([tl.step_values(c.cpu_usage, idx) for c in pod.containers])
    ram = np.array([tl.step_values(c.ram_usage, idx) for c in pod.containers])
    return cpu, ram


def cadvisor_blocks(scn: Scenario) -> Iterator[Block]:
    """container_cpu_usage_seconds_total / container_memory_working_set_bytes per container, plus the
    pod-level cgroup series (no container label) that real cAdvisor also exports (sum of its containers)."""
    step = scn.timeline.step_s
    for pod in scn.pods:
        node = scn.node(pod.node)
        scrape = {"instance": f"{node.internal_ip}:10250", "job": "kubelet", "metrics_path": "/metrics/cadvisor",
                  "node": pod.node, "namespace": pod.namespace, "pod": pod.name}
        cgroup = f"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod{pod.uid.replace('-', '_')}.slice"
        for n_seg, seg in enumerate(cadvisor_segments(scn, pod)):
            cpu, ram = _usage(scn, pod, seg)
            labels = [render_labels(scrape | {"container": c.name, "id": f"{cgroup}/cri-containerd-{n_seg}{i}.scope",
                                              "image": f"registry.example/{c.name}:1", "name": f"{n_seg}{i}"})
                      for i, c in enumerate(pod.containers)]
            yield Block(F["container_cpu_usage_seconds"], labels, seg, np.array([counter(r * step) for r in cpu]))
            yield Block(F["container_memory_working_set_bytes"], labels, seg, ram)
        run = scn.timeline.span(pod.from_h, pod.to_h)
        cpu, ram = _usage(scn, pod, run)
        pod_label = [render_labels(scrape | {"id": cgroup})]
        yield Block(F["container_cpu_usage_seconds"], pod_label, run, counter(cpu.sum(axis=0) * step)[None, :])
        yield Block(F["container_memory_working_set_bytes"], pod_label, run, ram.sum(axis=0)[None, :])
