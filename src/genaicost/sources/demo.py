"""The bundled demo cluster: a GenAI EKS cluster (Kubernetes 1.31, us-east-1) as kubectl would print it.

`demo_objects(now)` returns the objects of `kubectl get nodes,pods,persistentvolumes,
persistentvolumeclaims,storageclasses,services,replicasets -A -o json` plus metrics-server
`PodMetrics` for instant usage; `demo_snapshot` parses them like any other input. Nodes are in
`demo_cluster`, storage and services in `demo_storage`, object builders in `demo_objects` /
`demo_workloads`. Deterministic: the only input is `now`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from genaicost.domain.snapshot import Snapshot
from genaicost.sources import demo_cluster as c
from genaicost.sources import demo_storage
from genaicost.sources.demo_objects import Obj
from genaicost.sources.demo_workloads import Workload, workload_objects
from genaicost.sources.kubectl_json import snapshot_from_objects

CLUSTER_NAME = "genai-prod"
ECR = "602401143452.dkr.ecr.us-east-1.amazonaws.com"
VLLM = "vllm/vllm-openai:v0.8.5"


def _vllm(model: str, hf_id: str, team: str, tp: int) -> tuple[dict[str, str], list[str]]:
    labels = {
        "app.kubernetes.io/name": "vllm",
        "app.kubernetes.io/component": "inference",
        "model": model,
        "team": team,
    }
    args = [
        "--model",
        hf_id,
        "--tensor-parallel-size",
        str(tp),
        "--max-model-len",
        "8192",
        "--gpu-memory-utilization",
        "0.90",
        "--enable-prefix-caching",
        "--port",
        "8000",
    ]
    return labels, args


def _system_workloads() -> list[Workload]:
    every, gpus, s = c.ALL_NODES, c.GPU_NODES, c.SYSTEM
    ks = "kube-system"
    return [
        Workload(
            ks,
            "aws-node",
            "DaemonSet",
            f"{ECR}/amazon-k8s-cni:v1.19.2-eksbuild.1",
            {"cpu": "25m"},
            list(every),
            labels={"k8s-app": "aws-node"},
            usage=(1.6, 1.0),
        ),
        Workload(
            ks,
            "kube-proxy",
            "DaemonSet",
            f"{ECR}/eks/kube-proxy:v1.31.3-minimal-eksbuild.2",
            {"cpu": "100m"},
            list(every),
            labels={"k8s-app": "kube-proxy"},
            usage=(0.08, 1.0),
        ),
        Workload(
            ks,
            "ebs-csi-node",
            "DaemonSet",
            f"{ECR}/eks/aws-ebs-csi-driver:v1.38.1",
            {"cpu": "10m", "memory": "40Mi"},
            list(every),
            limits={"memory": "256Mi"},
            labels={"app": "ebs-csi-node"},
            usage=(0.9, 0.8),
        ),
        Workload(
            ks,
            "nvidia-device-plugin-daemonset",
            "DaemonSet",
            "nvcr.io/nvidia/k8s-device-plugin:v0.17.0",
            {},
            list(gpus),
            labels={"name": "nvidia-device-plugin-ds"},
        ),
        Workload(
            ks,
            "coredns",
            "Deployment",
            f"{ECR}/eks/coredns:v1.11.4-eksbuild.2",
            {"cpu": "100m", "memory": "70Mi"},
            [s[0], s[1]],
            limits={"memory": "170Mi"},
            labels={"k8s-app": "kube-dns", "eks.amazonaws.com/component": "coredns"},
            usage=(0.03, 0.45),
        ),
        Workload(
            ks,
            "karpenter",
            "Deployment",
            "public.ecr.aws/karpenter/controller:1.3.3",
            {"cpu": "1", "memory": "1Gi"},
            [s[0], s[1]],
            limits={"cpu": "1", "memory": "1Gi"},
            labels={"app.kubernetes.io/name": "karpenter", "app.kubernetes.io/instance": "karpenter"},
            usage=(0.12, 0.55),
            container="controller",
        ),
        Workload(
            ks,
            "ebs-csi-controller",
            "Deployment",
            f"{ECR}/eks/aws-ebs-csi-driver:v1.38.1",
            {"cpu": "10m", "memory": "40Mi"},
            [s[1], s[2]],
            limits={"memory": "256Mi"},
            labels={"app": "ebs-csi-controller"},
            usage=(0.5, 1.2),
            container="ebs-plugin",
        ),
        Workload(
            ks,
            "metrics-server",
            "Deployment",
            f"{ECR}/eks/metrics-server:v0.7.2-eksbuild.1",
            {"cpu": "100m", "memory": "200Mi"},
            [s[2]],
            labels={"k8s-app": "metrics-server"},
            usage=(0.06, 0.2),
        ),
        Workload(
            "monitoring",
            "prometheus-k8s",
            "StatefulSet",
            "quay.io/prometheus/prometheus:v3.2.1",
            {"cpu": "500m", "memory": "4Gi"},
            [s[2]],
            limits={"memory": "6Gi"},
            labels={"app.kubernetes.io/name": "prometheus"},
            claims=["prometheus-data-prometheus-k8s-0"],
            usage=(0.7, 0.9),
            container="prometheus",
        ),
        Workload(
            "monitoring",
            "grafana",
            "Deployment",
            "docker.io/grafana/grafana:11.5.2",
            {"cpu": "100m", "memory": "256Mi"},
            [s[0]],
            labels={"app.kubernetes.io/name": "grafana"},
            usage=(0.1, 0.6),
        ),
        Workload(
            "monitoring",
            "dcgm-exporter",
            "DaemonSet",
            "nvcr.io/nvidia/k8s/dcgm-exporter:3.3.9-3.6.1-ubuntu22.04",
            {"cpu": "100m", "memory": "128Mi"},
            list(gpus),
            limits={"memory": "512Mi"},
            labels={"app.kubernetes.io/name": "dcgm-exporter"},
            usage=(0.4, 1.6),
        ),
    ]


def _app_workloads() -> list[Workload]:
    cpu = c.CPU_SPOT
    gateway = {"app.kubernetes.io/name": "llm-gateway", "team": "platform"}
    return [
        Workload(
            "llm-gateway",
            "llm-gateway",
            "Deployment",
            "ghcr.io/berriai/litellm:main-v1.63.2",
            {"cpu": "1", "memory": "2Gi"},
            list(cpu),
            limits={"memory": "2Gi"},
            labels=gateway,
            usage=(1.35, 0.7),
            container="litellm",
        ),
        Workload(
            "apps",
            "chat-api",
            "Deployment",
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/chat-api:2.14.0",
            {"cpu": "500m", "memory": "1Gi"},
            [cpu[0], cpu[1]],
            labels={"app.kubernetes.io/name": "chat-api", "team": "product"},
            usage=(0.4, 0.5),
        ),
        Workload(
            "llm-batch",
            "embedding-preprocess",
            "Deployment",
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/embedding-preprocess:0.9.3",
            {"cpu": "2", "memory": "4Gi"},
            [cpu[1], cpu[2]],
            labels={"app.kubernetes.io/name": "embedding-preprocess", "team": "search"},
            usage=(0.85, 0.65),
        ),
        Workload(
            "llm-batch",
            "eval-llama-3-1-8b-nightly",
            "Job",
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/evals:1.4.0",
            {"cpu": "2", "memory": "4Gi"},
            [cpu[2]],
            labels={
                "app.kubernetes.io/name": "evals",
                "team": "chat",
                "job-name": "eval-llama-3-1-8b-nightly",
            },
            phase="Succeeded",
            age=timedelta(hours=5),
            container="eval",
        ),
    ]


def _model_workloads() -> list[Workload]:
    l8, a8 = _vllm("llama-3.1-8b-instruct", "meta-llama/Llama-3.1-8B-Instruct", "chat", 1)
    lq, aq = _vllm("qwen2.5-32b-instruct", "Qwen/Qwen2.5-32B-Instruct", "code-assist", 2)
    l70, a70 = _vllm("llama-3.1-70b-instruct", "meta-llama/Llama-3.1-70B-Instruct", "chat", 4)
    l3, a3 = _vllm("llama-3.2-3b-instruct", "meta-llama/Llama-3.2-3B-Instruct", "assistant", 1)
    lmx, amx = _vllm("mixtral-8x7b-instruct", "mistralai/Mixtral-8x7B-Instruct-v0.1", "research", 4)
    g5, g6e, sv = c.A10G, c.L40S, "llm-serving"
    return [
        Workload(
            sv,
            "vllm-llama-3-1-8b",
            "Deployment",
            VLLM,
            {"cpu": "4", "memory": "24Gi", "nvidia.com/gpu": "1"},
            [g5[0]] * 4 + [g5[1]] * 2,
            labels=l8,
            args=a8,
            usage=(0.55, 0.7),
            container="vllm",
        ),
        Workload(
            sv,
            "vllm-qwen2-5-32b",
            "StatefulSet",
            VLLM,
            {"cpu": "8", "memory": "64Gi", "nvidia.com/gpu": "2"},
            [g6e[0], g6e[0], g6e[1]],
            labels=lq,
            args=aq,
            usage=(0.4, 0.75),
            container="vllm",
            claims=[f"model-cache-vllm-qwen2-5-32b-{i}" for i in range(3)],
        ),
        Workload(
            sv,
            "vllm-llama-3-1-70b",
            "StatefulSet",
            VLLM,
            {"cpu": "40", "memory": "400Gi", "nvidia.com/gpu": "4"},
            [c.A100, c.A100],
            labels=l70,
            args=a70,
            usage=(0.2, 0.6),
            container="vllm",
            claims=[f"model-cache-vllm-llama-3-1-70b-{i}" for i in range(2)],
        ),
        Workload(
            sv,
            "vllm-llama-3-2-3b",
            "Deployment",
            VLLM,
            {"cpu": "4", "memory": "16Gi", "nvidia.com/mig-3g.20gb": "1"},
            [c.A100_MIG] * 4,
            labels=l3,
            args=a3,
            usage=(0.45, 0.8),
            container="vllm",
        ),
        Workload(
            sv,
            "tei-bge-m3",
            "Deployment",
            "ghcr.io/huggingface/text-embeddings-inference:1.6",
            {"cpu": "2", "memory": "8Gi", "nvidia.com/mig-1g.5gb": "1"},
            [c.A100_MIG] * 6,
            labels={
                "app.kubernetes.io/name": "text-embeddings-inference",
                "model": "bge-m3",
                "team": "search",
            },
            args=["--model-id", "BAAI/bge-m3", "--port", "8000"],
            usage=(0.6, 0.5),
            container="tei",
        ),
        Workload(
            "llm-batch",
            "vllm-mixtral-8x7b-batch",
            "Deployment",
            VLLM,
            {"cpu": "16", "memory": "128Gi", "nvidia.com/gpu": "4"},
            [None],
            labels=lmx,
            args=amx,
            phase="Pending",
            age=timedelta(minutes=47),
            container="vllm",
        ),
        *(
            Workload(
                "ml-dev",
                f"notebook-{user}",
                "StatefulSet",
                "quay.io/jupyter/pytorch-notebook:cuda12-2025-03-10",
                {"cpu": "500m", "memory": "3Gi", "nvidia.com/gpu": "1"},
                [c.L4_SHARED],
                labels={"app.kubernetes.io/name": "jupyter", "team": "research", "owner": user},
                claims=[f"workspace-notebook-{user}-0"],
                usage=(0.9, 0.85),
                container="notebook",
                age=timedelta(hours=6),
            )
            for user in ("alice", "bob", "chen")
        ),
    ]


def demo_objects(now: datetime) -> list[Obj]:
    """Every object of the demo cluster as `kubectl get … -o json` prints it, plus PodMetrics."""
    objects = c.nodes(now)
    for workload in [*_system_workloads(), *_app_workloads(), *_model_workloads()]:
        objects += workload_objects(workload, now)
    return objects + demo_storage.storage(now) + demo_storage.services(now)


def demo_snapshot(now: datetime, window_hours: float = 1.0) -> Snapshot:
    return snapshot_from_objects(
        demo_objects(now), source="demo", now=now, window_hours=window_hours, cluster_name=CLUSTER_NAME
    )
