from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime

import polars as pl
import pytest

from genaicost.domain.snapshot import Snapshot
from genaicost.sources.demo import CLUSTER_NAME, demo_objects, demo_snapshot

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def snap() -> Snapshot:
    return demo_snapshot(NOW, window_hours=2.0)


def test_objects_are_deterministic_and_kubectl_shaped() -> None:
    first, second = demo_objects(NOW), demo_objects(NOW)
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
    kinds = Counter(o["kind"] for o in first)
    assert kinds["Node"] == 13 and kinds["StorageClass"] == 4 and kinds["ReplicaSet"] > 0
    assert kinds["PodMetrics"] == kinds["Pod"] - 2  # no metrics for the Succeeded and Pending pods
    assert all({"apiVersion", "kind", "metadata"} <= set(o) for o in first)
    assert len({o["metadata"]["uid"] for o in first if "uid" in o["metadata"]}) == sum(
        1 for o in first if "uid" in o["metadata"]
    )  # uids are unique
    shifted = demo_objects(datetime(2025, 6, 2, 12, 0, tzinfo=UTC))
    assert shifted[0]["metadata"]["creationTimestamp"] != first[0]["metadata"]["creationTimestamp"]


def test_cluster_and_window(snap: Snapshot) -> None:
    assert snap.cluster.name == CLUSTER_NAME and snap.cluster.source == "demo"
    assert snap.cluster.region == "us-east-1"
    assert snap.window.hours == 2.0 and snap.window.end == NOW
    assert set(snap.nodes["hours"].to_list()) == {2.0}


def test_nodes(snap: Snapshot) -> None:
    nodes = snap.nodes
    assert nodes.height == 13
    assert nodes["gpu_count"].sum() == 33  # 2×4 A10G + 2×4 L40S + 8 A100 + 8 A100 (MIG) + 1 L4
    by_type = Counter(nodes["instance_type"].to_list())
    assert by_type == {
        "m6i.xlarge": 3,
        "c6i.2xlarge": 2,
        "m6a.2xlarge": 1,
        "g5.12xlarge": 2,
        "g6e.12xlarge": 2,
        "p4d.24xlarge": 2,
        "g6.xlarge": 1,
    }
    sharing = dict(zip(nodes["name"], nodes["gpu_sharing"], strict=True))
    assert Counter(sharing.values()) == {"none": 11, "mig": 1, "time-slicing": 1}
    shared = nodes.filter(pl.col("gpu_sharing") == "time-slicing").row(0, named=True)
    assert (shared["gpu_replicas"], shared["gpu_count"], shared["instance_type"]) == (4, 1.0, "g6.xlarge")
    mig = nodes.filter(pl.col("gpu_sharing") == "mig").row(0, named=True)
    assert (mig["mig_slices_per_gpu"], mig["gpu_count"]) == (7, 8.0)
    system = nodes.filter(pl.col("managed_by") == "eks-nodegroup")
    assert system.height == 3 and set(system["capacity_type"]) == {"on-demand"}
    assert Counter(nodes.filter(pl.col("managed_by") == "karpenter")["capacity_type"]) == {
        "spot": 5,
        "on-demand": 5,
    }


def test_workloads(snap: Snapshot) -> None:
    c = snap.containers
    phases = Counter(c["phase"].to_list())
    assert phases["Succeeded"] == 1 and phases["Pending"] == 1
    pending = c.filter(pl.col("phase") == "Pending").row(0, named=True)
    assert pending["node"] is None and pending["started"] is False
    serving = c.filter(pl.col("namespace") == "llm-serving")
    assert serving["gpu_request"].sum() == 20  # 6×1 (8B) + 3×2 (32B TP=2) + 2×4 (70B TP=4)
    assert Counter(serving["mig_profile"].drop_nulls().to_list()) == {"3g.20gb": 4, "1g.5gb": 6}
    notebooks = c.filter(pl.col("namespace") == "ml-dev")
    assert notebooks["gpu_request"].sum() == 3  # 3 of the 4 time-slice replicas
    assert c.filter(pl.col("phase") == "Running")["cpu_usage_cores"].null_count() == 0
    controllers = set(zip(c["controller_kind"], c["controller"], strict=True))
    assert ("Deployment", "vllm-llama-3-1-8b") in controllers and ("DaemonSet", "aws-node") in controllers
    assert ("StatefulSet", "vllm-llama-3-1-70b") in controllers and (
        "Job",
        "eval-llama-3-1-8b-nightly",
    ) in controllers


def test_model_labels(snap: Snapshot) -> None:
    labels = snap.pod_labels
    models = set(labels.filter(pl.col("key") == "model")["value"])
    assert {"llama-3.1-8b-instruct", "qwen2.5-32b-instruct", "llama-3.1-70b-instruct"} <= models
    vllm = labels.filter((pl.col("key") == "app.kubernetes.io/name") & (pl.col("value") == "vllm"))
    assert vllm.height == 6 + 3 + 2 + 4 + 1


def test_storage_and_services(snap: Snapshot) -> None:
    v = snap.volumes
    assert v.height == 11
    unbound = v.filter(pl.col("claim_name").is_null())
    assert unbound.height == 1 and unbound["volume_type"][0] == "gp2"
    io2 = v.filter(pl.col("volume_type") == "io2")
    assert io2.height == 2 and set(io2["iops"]) == {8000.0}
    fast = v.filter(pl.col("storage_class") == "gp3-fast")
    assert set(fast["iops"]) == {6000.0} and set(fast["throughput_mibps"]) == {500.0}
    mounted = set(snap.mounts["claim_name"])
    assert "scratch-dave" not in mounted and "prometheus-data-prometheus-k8s-0" in mounted
    assert snap.services.select("name", "lb_kind").rows() == [("llm-gateway", "nlb")]
    assert snap.service_pods.height == 3
