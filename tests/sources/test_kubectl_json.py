"""kubectl JSON → Snapshot on our own EKS-shaped fixture; expected values worked out by hand."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from genaicost.domain.snapshot import TABLE_SCHEMAS, Snapshot
from genaicost.sources.kubectl_json import load_kubectl_json, snapshot_from_objects

GIB = 1024**3


@pytest.fixture
def snap(k8s_data: Path, now: datetime) -> Snapshot:
    return load_kubectl_json(
        [k8s_data / "cluster_list.json", k8s_data / "pod_metrics.json"], now=now, window_hours=2.0
    )


def row(df: pl.DataFrame, **match: Any) -> dict[str, Any]:
    found = df.filter(*[pl.col(k) == v for k, v in match.items()])
    assert found.height == 1, f"{match}: {found.height} rows"
    return found.row(0, named=True)


def test_tables_have_schemas_window_and_hours(snap: Snapshot, now: datetime) -> None:
    for name, df in snap.tables().items():
        assert dict(df.schema) == TABLE_SCHEMAS[name], name
    assert snap.window.end == now and snap.window.start == now - timedelta(hours=2)
    assert snap.collected_at == now
    for name in ("nodes", "containers", "volumes", "services"):
        assert getattr(snap, name)["hours"].unique().to_list() == [2.0]


def test_cluster_info(snap: Snapshot) -> None:
    c = snap.cluster
    assert (c.name, c.provider, c.region, c.is_eks, c.eks_support, c.source) == (
        "llm-prod",
        "aws",
        "us-west-2",
        True,
        "standard",
        "kubectl-json",
    )


def test_cluster_name_argument_wins(cluster_items: list[dict[str, Any]], now: datetime) -> None:
    snap = snapshot_from_objects(cluster_items, source="demo", now=now, cluster_name="mine")
    assert snap.cluster.name == "mine" and snap.cluster.source == "demo"


NODE_CASES = [
    # name, type, zone, capacity, compute, nodepool, managed_by, vcpu, GiB, gpus, model,
    # sharing, replicas, MIG slices per card, neuron cores per device
    (
        "ip-10-0-1-10",
        "g5.12xlarge",
        "us-west-2a",
        "spot",
        "ec2",
        "gpu",
        "karpenter",
        48.0,
        192.0,
        4.0,
        "NVIDIA-A10G",
        "none",
        1,
        None,
        None,
    ),
    (
        "ip-10-0-2-20",
        "m5.xlarge",
        "us-west-2b",
        "on-demand",
        "ec2",
        "system",
        "eks-nodegroup",
        4.0,
        16.0,
        0.0,
        None,
        "none",
        1,
        None,
        None,
    ),
    (
        "ip-10-0-3-30",
        "g5.xlarge",
        "us-west-2b",
        "on-demand",
        "ec2",
        "legacy",
        "karpenter",
        4.0,
        16.0,
        1.0,
        "NVIDIA-A10G",
        "time-slicing",
        4,
        None,
        None,
    ),
    (
        "ip-10-0-4-40",
        "p4d.24xlarge",
        "us-west-2a",
        "on-demand",
        "ec2",
        "mig",
        "karpenter",
        96.0,
        1152.0,
        8.0,
        "NVIDIA-A100-SXM4-40GB",
        "mig",
        1,
        7,
        None,
    ),
    (
        "ip-10-0-5-50",
        "p5.48xlarge",
        "us-west-2c",
        "on-demand",
        "ec2",
        "mig",
        "karpenter",
        192.0,
        2048.0,
        8.0,
        "NVIDIA-H100-80GB-HBM3",
        "mig",
        1,
        7,
        None,
    ),
    (
        "ip-10-0-6-60",
        "inf2.24xlarge",
        "us-west-2a",
        "spot",
        "ec2",
        "neuron",
        "eks-nodegroup",
        96.0,
        384.0,
        6.0,
        "Inferentia2",
        "none",
        1,
        None,
        2,
    ),
    (
        "fargate-ip-10-0-9-9",
        None,
        "us-west-2c",
        "fargate",
        "fargate",
        None,
        "fargate",
        0.25,
        0.5,
        0.0,
        None,
        "none",
        1,
        None,
        None,
    ),
]
NODE_COLUMNS = (
    "instance_type",
    "zone",
    "capacity_type",
    "compute_type",
    "nodepool",
    "managed_by",
    "vcpu",
    "ram_gib",
    "gpu_count",
    "gpu_model",
    "gpu_sharing",
    "gpu_replicas",
    "mig_slices_per_gpu",
    "neuron_cores_per_device",
)


@pytest.mark.parametrize("case", NODE_CASES, ids=[c[0] for c in NODE_CASES])
def test_nodes(snap: Snapshot, case: tuple[Any, ...]) -> None:
    found = snap.nodes.filter(pl.col("name").str.starts_with(case[0] + "."))
    assert found.height == 1
    got = found.row(0, named=True)
    assert tuple(got[c] for c in NODE_COLUMNS) == case[1:]
    assert got["region"] == "us-west-2"


CONTAINER_CASES = [
    # pod, container, node, phase, started, controller kind, controller, cpu, ram bytes, cpu use,
    # ram use, gpu, neuroncore, mig profile, mig count
    (
        "vllm-llama-7d9f8b6c5d-x2k4q",
        "vllm",
        "ip-10-0-1-10",
        "Running",
        True,
        "Deployment",
        "vllm-llama",
        8.0,
        32 * GIB,
        2.5,
        30 * GIB,
        2.0,
        0.0,
        None,
        0.0,
    ),
    (
        "vllm-llama-7d9f8b6c5d-x2k4q",
        "metrics-sidecar",
        "ip-10-0-1-10",
        "Running",
        True,
        "Deployment",
        "vllm-llama",
        0.1,
        128 * 1024**2,
        0.001234567,
        50 * 1024**2,
        0.0,
        0.0,
        None,
        0.0,
    ),
    (
        "tgi-5f6b7c8d9-abcde",
        "tgi",
        "ip-10-0-3-30",
        "Running",
        True,
        "Deployment",
        "tgi",
        2.0,
        8 * GIB,
        0.75,
        6 * GIB,
        1.0,
        0.0,
        None,
        0.0,
    ),
    (
        "embedder-0",
        "embedder",
        None,
        "Pending",
        False,
        "StatefulSet",
        "embedder",
        2.0,
        4e9,
        None,
        None,
        0.0,
        0.0,
        None,
        0.0,
    ),
    (
        "nightly-eval-28512345-q7w8e",
        "eval",
        "ip-10-0-2-20",
        "Succeeded",
        True,
        "CronJob",
        "nightly-eval",
        1.5,
        2 * GIB,
        None,
        None,
        0.0,
        0.0,
        None,
        0.0,
    ),
    (
        "adhoc-zz9yy",
        "eval",
        "ip-10-0-2-20",
        "Failed",
        False,
        "Job",
        "adhoc",
        0.5,
        1 * GIB,
        None,
        None,
        0.0,
        0.0,
        None,
        0.0,
    ),
    (
        "mig-single-0",
        "infer",
        "ip-10-0-4-40",
        "Running",
        True,
        "StatefulSet",
        "mig-single",
        4.0,
        16 * GIB,
        None,
        None,
        0.0,
        0.0,
        "1g.5gb",
        2.0,
    ),
    (
        "mig-mixed-0",
        "infer",
        "ip-10-0-5-50",
        "Running",
        True,
        "StatefulSet",
        "mig-mixed",
        2.0,
        10 * GIB,
        None,
        None,
        0.0,
        0.0,
        "1g.10gb",
        2.0,
    ),
    (
        "neuron-llm-0",
        "server",
        "ip-10-0-6-60",
        "Running",
        True,
        "StatefulSet",
        "neuron-llm",
        16.0,
        64 * GIB,
        None,
        None,
        0.0,
        4.0,
        None,
        0.0,
    ),
    (
        "neuron-llm-0",
        "helper",
        "ip-10-0-6-60",
        "Running",
        True,
        "StatefulSet",
        "neuron-llm",
        1.0,
        0.0,
        None,
        None,
        1.0,
        0.0,
        None,
        0.0,
    ),
    (
        "notebook",
        "jupyter",
        "fargate-ip-10-0-9-9",
        "Running",
        True,
        None,
        None,
        0.25,
        256 * 1024**2,
        None,
        None,
        0.0,
        0.0,
        None,
        0.0,
    ),
    (
        "node-exporter-8x7hq",
        "exporter",
        "ip-10-0-2-20",
        "Running",
        True,
        "DaemonSet",
        "node-exporter",
        0.1,
        64 * 1024**2,
        None,
        None,
        0.0,
        0.0,
        None,
        0.0,
    ),
]
CONTAINER_COLUMNS = (
    "phase",
    "started",
    "controller_kind",
    "controller",
    "cpu_request_cores",
    "ram_request_bytes",
    "cpu_usage_cores",
    "ram_usage_bytes",
    "gpu_request",
    "neuroncore_request",
    "mig_profile",
    "mig_count",
)


@pytest.mark.parametrize("case", CONTAINER_CASES, ids=[f"{c[0]}/{c[1]}" for c in CONTAINER_CASES])
def test_containers(snap: Snapshot, case: tuple[Any, ...]) -> None:
    got = row(snap.containers, pod=case[0], container=case[1])
    node = got["node"]
    assert (node.split(".")[0] if node else None) == case[2]
    assert tuple(got[c] for c in CONTAINER_COLUMNS) == case[3:]


def test_init_containers_are_not_rows_and_unknown_node_is_a_warning(snap: Snapshot) -> None:
    assert snap.containers.height == 13
    assert "download" not in snap.containers["container"].to_list()
    assert snap.warnings == (
        "pod llm/lost-pod is bound to node ip-10-9-9-9.us-west-2.compute.internal, "
        "which is not in the inventory",
    )


def test_notes_count_ignored_kinds(snap: Snapshot) -> None:
    assert snap.notes[0] == "ignored 3 objects of kinds the report does not use: ConfigMap=2, Secret=1"


def test_labels_annotations_and_mounts(snap: Snapshot) -> None:
    vllm_labels = snap.pod_labels.filter(pl.col("pod_uid") == "pod-vllm").sort("key")
    assert vllm_labels.select("key", "value").rows() == [
        ("app", "vllm-llama"),
        ("model", "llama-3-8b"),
        ("pod-template-hash", "7d9f8b6c5d"),
        ("team", "search"),
    ]
    assert snap.pod_annotations.filter(pl.col("pod_uid") == "pod-fargate").sort("key").rows() == [
        ("pod-fargate", "CapacityProvisioned", "0.25vCPU 0.5GB"),
        ("pod-fargate", "Logging", "LoggingEnabled"),
    ]
    assert snap.mounts.rows() == [("pod-vllm", "llm", "model-cache")]


VOLUME_CASES = [
    ("pvc-0001", "gp3-fast", "gp3", 200.0, 6000.0, 250.0, "us-west-2", "llm", "model-cache"),
    ("pvc-0002", "gp2", "gp2", 100.0, None, None, "us-west-2", "eval", "results"),
    ("pvc-0003", "io2-db", "io2", 500.0, 25000.0, None, "eu-west-1", "db", "data-postgres-0"),
    ("pvc-0004", "efs-sc", "efs", 5.0, None, None, "us-west-2", "tools", "shared"),
    ("static-ebs", None, "st1", 1024.0, None, None, "us-west-2", None, None),
    ("nfs-share", None, "unknown", 1000.0, None, None, "us-west-2", "tools", "nfs"),
]


@pytest.mark.parametrize("case", VOLUME_CASES, ids=[c[0] for c in VOLUME_CASES])
def test_volumes(snap: Snapshot, case: tuple[Any, ...]) -> None:
    got = row(snap.volumes, name=case[0])
    assert tuple(got[c] for c in list(TABLE_SCHEMAS["volumes"])[:-1]) == case


def test_load_balancers_and_selected_pods(snap: Snapshot) -> None:
    assert snap.services.sort("namespace", "name").select(
        "namespace", "name", "lb_kind", "region"
    ).rows() == [
        ("llm", "tgi-api", "nlb", "us-west-2"),
        ("llm", "tgi-legacy", "clb", "us-west-2"),
        ("llm", "vllm-public", "nlb", "us-west-2"),
        ("other", "vllm-elsewhere", "clb", "us-west-2"),
    ]
    assert snap.service_pods.rows() == [("llm", "tgi-legacy", "pod-tgi"), ("llm", "vllm-public", "pod-vllm")]


def test_typed_lists_single_objects_and_several_files(
    tmp_path: Path, now: datetime, cluster_items: list[dict[str, Any]]
) -> None:
    import json

    nodes = [{k: v for k, v in i.items() if k != "kind"} for i in cluster_items if i["kind"] == "Node"]
    (tmp_path / "nodes.json").write_text(json.dumps({"kind": "NodeList", "apiVersion": "v1", "items": nodes}))
    pod = next(i for i in cluster_items if i["kind"] == "Pod" and i["metadata"]["name"] == "notebook")
    (tmp_path / "pod.json").write_text(json.dumps(pod))
    snap = load_kubectl_json([tmp_path / "nodes.json", tmp_path / "pod.json", tmp_path / "pod.json"], now=now)
    assert snap.nodes.height == 7 and snap.containers.height == 1
    assert row(snap.nodes, compute_type="fargate")["vcpu"] == 0.25
    assert snap.notes == ("dropped 1 duplicate objects (same kind, namespace and name)",)


def test_objects_and_kubectl_file_agree(
    snap: Snapshot, cluster_items: list[dict[str, Any]], metrics_items: list[dict[str, Any]], now: datetime
) -> None:
    from polars.testing import assert_frame_equal

    again = snapshot_from_objects(
        cluster_items + metrics_items, source="kubectl-json", now=now, window_hours=2.0
    )
    for name, df in snap.tables().items():
        assert_frame_equal(df, again.tables()[name])
