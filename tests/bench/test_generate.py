"""The synthetic cluster generator used by the engine benchmark (bench/generate.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from bench.generate import MIG_MODELS, UNKNOWN_INSTANCE_TYPE, main, synthetic_snapshot
from polars.testing import assert_frame_equal

from genaicost.domain.snapshot import TABLE_SCHEMAS, Snapshot, conform
from genaicost.sources.snapshot_file import load_snapshot

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def snap() -> Snapshot:
    return synthetic_snapshot(120, 3000, seed=7, now=NOW)


def test_every_table_conforms_to_its_schema(snap: Snapshot) -> None:
    for name, table in snap.tables().items():
        assert dict(table.schema) == TABLE_SCHEMAS[name], name
        assert_frame_equal(conform(name, table), table)


def test_sizes_window_and_keys(snap: Snapshot) -> None:
    assert snap.nodes.height == 120
    assert snap.nodes["name"].n_unique() == 120
    pods = snap.containers.unique("pod_uid")
    assert pods.height == 3000
    assert pods.select("namespace", "pod").n_unique() == 3000
    assert snap.containers.select("pod_uid", "container").n_unique() == snap.containers.height
    assert snap.containers.group_by("pod_uid").len()["len"].is_between(1, 3).all()
    assert snap.window.hours == 1.0 and snap.window.end == NOW
    assert set(snap.containers["node"].drop_nulls()) <= set(snap.nodes["name"])


def test_determinism_by_seed() -> None:
    a = synthetic_snapshot(40, 800, seed=3, now=NOW)
    b = synthetic_snapshot(40, 800, seed=3, now=NOW)
    c = synthetic_snapshot(40, 800, seed=4, now=NOW)
    for name in TABLE_SCHEMAS:
        assert_frame_equal(getattr(a, name), getattr(b, name))
    assert not a.containers.equals(c.containers)


def test_realistic_mix(snap: Snapshot) -> None:
    nodes, containers = snap.nodes, snap.containers
    assert set(nodes["capacity_type"]) == {"on-demand", "spot"}
    assert set(nodes["managed_by"]) == {"karpenter", "eks-nodegroup"}
    assert {"none", "time-slicing", "mig"} <= set(nodes["gpu_sharing"])
    assert UNKNOWN_INSTANCE_TYPE in set(nodes["instance_type"])
    assert (nodes.filter(pl.col("gpu_sharing") == "time-slicing")["gpu_replicas"] == 4).all()
    assert set(nodes.filter(pl.col("gpu_sharing") == "mig")["gpu_model"]) <= set(MIG_MODELS)
    assert containers["mig_profile"].drop_nulls().n_unique() >= 3
    assert {"Running", "Pending", "Succeeded"} <= set(containers["phase"])
    assert containers["cpu_usage_cores"].null_count() > 0
    assert {"team", "model", "app"} <= set(snap.pod_labels["key"])
    assert {"gp3", "gp2", "io2"} <= set(snap.volumes["volume_type"])
    assert snap.mounts.height > 0 and snap.services.height > 0 and snap.service_pods.height > 0


def test_pending_pods_never_started(snap: Snapshot) -> None:
    pending = snap.containers.filter(pl.col("phase") == "Pending")
    assert pending.height > 0
    assert not pending["started"].any()
    assert pending["cpu_usage_cores"].is_null().all()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gpu_requests_never_exceed_node_capacity(seed: int) -> None:
    snap = synthetic_snapshot(300, 6000, seed=seed, now=NOW)
    c = snap.containers.with_columns(
        slices=pl.col("mig_profile").str.extract(r"^(\d+)g\.", 1).cast(pl.Float64).fill_null(0.0))
    used = c.filter(pl.col("node").is_not_null()).group_by("node").agg(
        gpu=pl.col("gpu_request").sum(), cores=pl.col("neuroncore_request").sum(),
        slices=(pl.col("slices") * pl.col("mig_count")).sum())
    n = snap.nodes.join(used, left_on="name", right_on="node", how="left").with_columns(
        pl.col("gpu", "cores", "slices").fill_null(0.0))
    assert n.filter(pl.col("gpu") + pl.col("cores") + pl.col("slices") > 0).height > 10
    ts = pl.col("gpu_count") * pl.col("gpu_replicas")
    neuron_devices = pl.col("cores") / pl.col("neuron_cores_per_device").fill_null(1)
    over = n.filter(
        (pl.col("gpu") + neuron_devices > ts)
        | (pl.col("slices") > pl.col("gpu_count") * pl.col("mig_slices_per_gpu").fill_null(0)))
    assert over.height == 0, over
    mig_nodes = set(n.filter(pl.col("gpu_sharing") == "mig")["name"])
    assert set(c.filter(pl.col("mig_count") > 0)["node"].drop_nulls()) <= mig_nodes
    assert set(c.filter(pl.col("gpu_request") > 0)["node"].drop_nulls()).isdisjoint(mig_nodes)
    assert (c["gpu_request"].filter(c["gpu_request"] > 0).is_in([1.0, 2.0, 4.0, 8.0])).all()


def test_cpu_and_memory_requests_fit_their_nodes(snap: Snapshot) -> None:
    sums = snap.containers.group_by("node").agg(pl.col("cpu_request_cores").sum(),
                                                pl.col("ram_request_bytes").sum())
    n = snap.nodes.join(sums, left_on="name", right_on="node")
    assert (n["cpu_request_cores"] <= n["vcpu"]).all()
    assert (n["ram_request_bytes"] <= n["ram_gib"] * 1024**3).all()


def test_tiny_cluster() -> None:
    snap = synthetic_snapshot(1, 1, seed=0, now=NOW)
    assert snap.nodes.height == 1 and snap.containers["pod_uid"].n_unique() == 1


def test_cli_writes_a_snapshot_file_that_round_trips(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "synthetic.json"
    main(["--nodes", "30", "--pods", "500", "--seed", "5", "--now", NOW.isoformat(), "--out", str(out)])
    assert "30 nodes, 500 pods" in capsys.readouterr().out
    loaded = load_snapshot(out)
    expected = synthetic_snapshot(30, 500, seed=5, now=NOW)
    for name in TABLE_SCHEMAS:
        assert_frame_equal(getattr(loaded, name), getattr(expected, name))
    assert loaded.window == expected.window
