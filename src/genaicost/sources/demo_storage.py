"""The demo cluster's storage (StorageClasses, EBS PersistentVolumes and claims) and Services."""

from __future__ import annotations

from datetime import datetime, timedelta

from genaicost.sources.demo_objects import Obj, metadata, suffix, uid


def storage_class(name: str, params: dict[str, str], now: datetime, *, default: bool = False) -> Obj:
    annotations = {"storageclass.kubernetes.io/is-default-class": "true"} if default else None
    return {
        "allowVolumeExpansion": True,
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": metadata(name, now, timedelta(days=200), annotations=annotations),
        "parameters": params,
        "provisioner": "ebs.csi.aws.com",
        "reclaimPolicy": "Delete",
        "volumeBindingMode": "WaitForFirstConsumer",
    }


def volume_pair(
    claim: tuple[str, str] | None,
    size: str,
    sc: str,
    zone: str,
    now: datetime,
    age: timedelta,
    pv_name: str | None = None,
) -> list[Obj]:
    """A dynamically provisioned EBS PV and, when `claim` = (namespace, name), its bound PVC."""
    name = pv_name or "pvc-" + uid(*(claim or ("", sc, zone)))
    pv: Obj = {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": metadata(
            name,
            now,
            age,
            annotations={
                "pv.kubernetes.io/provisioned-by": "ebs.csi.aws.com",
                "volume.kubernetes.io/provisioner-deletion-secret-name": "",
                "volume.kubernetes.io/provisioner-deletion-secret-namespace": "",
            },
        ),
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            "capacity": {"storage": size},
            "csi": {
                "driver": "ebs.csi.aws.com",
                "fsType": "ext4",
                "volumeAttributes": {
                    "storage.kubernetes.io/csiProvisionerIdentity": "1735689600000-8081-ebs.csi.aws.com"
                },
                "volumeHandle": "vol-0" + suffix(name, 16),
            },
            "nodeAffinity": {
                "required": {
                    "nodeSelectorTerms": [
                        {
                            "matchExpressions": [
                                {"key": "topology.kubernetes.io/zone", "operator": "In", "values": [zone]}
                            ]
                        }
                    ]
                }
            },
            "persistentVolumeReclaimPolicy": "Retain" if claim is None else "Delete",
            "storageClassName": sc,
            "volumeMode": "Filesystem",
        },
        "status": {"phase": "Available" if claim is None else "Bound"},
    }
    if claim is None:
        return [pv]
    ns, claim_name = claim
    pv["spec"]["claimRef"] = {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "name": claim_name,
        "namespace": ns,
        "uid": uid(ns, claim_name),
    }
    pvc = {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": metadata(
            claim_name,
            now,
            age,
            namespace=ns,
            annotations={
                "pv.kubernetes.io/bind-completed": "yes",
                "pv.kubernetes.io/bound-by-controller": "yes",
                "volume.beta.kubernetes.io/storage-provisioner": "ebs.csi.aws.com",
                "volume.kubernetes.io/selected-node": "",
                "volume.kubernetes.io/storage-provisioner": "ebs.csi.aws.com",
            },
        ),
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": size}},
            "storageClassName": sc,
            "volumeMode": "Filesystem",
            "volumeName": name,
        },
        "status": {"accessModes": ["ReadWriteOnce"], "capacity": {"storage": size}, "phase": "Bound"},
    }
    return [pv, pvc]


def service(
    namespace: str,
    name: str,
    selector: dict[str, str],
    now: datetime,
    *,
    load_balancer: bool = False,
    port: int = 8000,
) -> Obj:
    annotations = (
        {
            "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
            "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
        }
        if load_balancer
        else None
    )
    spec: Obj = {
        "clusterIP": f"172.20.{len(name) * 7 % 250}.{len(namespace) * 11 % 250}",
        "ports": [
            {"name": "http", "port": 443 if load_balancer else port, "protocol": "TCP", "targetPort": port}
        ],
        "selector": selector,
        "sessionAffinity": "None",
        "type": "LoadBalancer" if load_balancer else "ClusterIP",
    }
    status: Obj = {"loadBalancer": {}}
    if load_balancer:
        host = f"a{suffix(namespace + name, 24)}-{suffix(name, 8)}.elb.us-east-1.amazonaws.com"
        status = {"loadBalancer": {"ingress": [{"hostname": host}]}}
        spec.update({"externalTrafficPolicy": "Cluster", "allocateLoadBalancerNodePorts": True})
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata(name, now, timedelta(days=30), namespace=namespace, annotations=annotations),
        "spec": spec,
        "status": status,
    }


def storage(now: datetime) -> list[Obj]:
    out = [
        storage_class("gp2", {"type": "gp2", "fsType": "ext4"}, now),
        storage_class("gp3", {"type": "gp3", "fsType": "ext4"}, now, default=True),
        storage_class("gp3-fast", {"type": "gp3", "iops": "6000", "throughput": "500"}, now),
        storage_class("io2-models", {"type": "io2", "iops": "8000"}, now),
    ]
    claims = [
        (("monitoring", "prometheus-data-prometheus-k8s-0"), "200Gi", "gp3", "us-east-1c"),
        *(
            (("llm-serving", f"model-cache-vllm-qwen2-5-32b-{i}"), "200Gi", "gp3-fast", z)
            for i, z in enumerate(["us-east-1a", "us-east-1a", "us-east-1b"])
        ),
        *(
            (("llm-serving", f"model-cache-vllm-llama-3-1-70b-{i}"), "300Gi", "io2-models", "us-east-1a")
            for i in range(2)
        ),
        *(
            (("ml-dev", f"workspace-notebook-{u}-0"), "50Gi", "gp3", "us-east-1c")
            for u in ("alice", "bob", "chen")
        ),
        (("ml-dev", "scratch-dave"), "100Gi", "gp3", "us-east-1b"),
    ]  # bound, mounted by no pod
    for claim, size, sc, zone in claims:
        out += volume_pair(claim, size, sc, zone, now, timedelta(days=12))
    out += volume_pair(
        None,
        "500Gi",
        "gp2",
        "us-east-1a",
        now,
        timedelta(days=90),
        pv_name="pvc-3f9b2c1e-llama-2-70b-retained",
    )  # unbound, left behind
    return out


def services(now: datetime) -> list[Obj]:
    return [
        service(
            "llm-gateway",
            "llm-gateway",
            {"app.kubernetes.io/name": "llm-gateway"},
            now,
            load_balancer=True,
            port=4000,
        ),
        service("llm-serving", "vllm-llama-3-1-8b", {"model": "llama-3.1-8b-instruct"}, now),
        service("llm-serving", "vllm-qwen2-5-32b", {"model": "qwen2.5-32b-instruct"}, now),
        service("llm-serving", "vllm-llama-3-1-70b", {"model": "llama-3.1-70b-instruct"}, now),
        service("kube-system", "kube-dns", {"k8s-app": "kube-dns"}, now, port=53),
    ]
