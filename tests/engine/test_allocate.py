"""Allocation per container row, the clamp, idle per node, volumes and load balancers — by hand.

The example cluster is snapshot_factory.example_snapshot() (docs/cost-model.md §3–6), window 2 h.
"""

from __future__ import annotations

import polars as pl
import pytest
from snapshot_factory import (
    EXAMPLE_NLB_HOURLY,
    EXAMPLE_RATES,
    EXAMPLE_VOLUME_HOURLY,
    GIB,
    container,
    example_snapshot,
    make_snapshot,
    node,
    priced_items,
    priced_nodes,
    volume,
)

from genaicost.engine.allocate import allocate_containers
from genaicost.engine.attach import attach
from genaicost.engine.idle import node_idle, node_table


def _allocated(snap, rates):  # type: ignore[no-untyped-def]
    nodes = node_table(priced_nodes(snap, rates))
    return nodes, allocate_containers(snap.containers, nodes)


def _row(rows: pl.DataFrame, pod: str, name: str = "main") -> dict[str, object]:
    found = rows.filter((pl.col("pod") == pod) & (pl.col("container") == name))
    assert found.height == 1
    return found.row(0, named=True)


def test_gpu_node_whole_gpus_max_of_request_and_usage() -> None:
    _, alloc = _allocated(example_snapshot(), EXAMPLE_RATES)
    vllm = _row(alloc.rows, "vllm-a", "vllm")
    # cpu max(4, 6) = 6 cores × 2 h = 12 core-h × $0.02; ram request 16 GiB (no usage) × 2 h × $0.005
    assert vllm["cpu_core_hours"] == pytest.approx(12.0)
    assert vllm["cpu_usd"] == pytest.approx(0.24)
    assert vllm["cpu_request_core_hours"] == pytest.approx(8.0)
    assert vllm["cpu_usage_core_hours"] == pytest.approx(12.0)
    assert vllm["ram_gib_hours"] == pytest.approx(32.0)
    assert vllm["ram_usd"] == pytest.approx(0.16)
    assert vllm["ram_usage_gib_hours"] is None
    assert vllm["gpu_hours"] == pytest.approx(2.0)
    assert vllm["gpu_usd"] == pytest.approx(2.0)
    b = _row(alloc.rows, "vllm-b")
    # cpu max(8, 2) = 8 → 16 core-h → $0.32; ram max(32, 40) = 40 GiB → 80 GiB-h → $0.40
    # 2 GPUs → 4 GPU-h → $4
    assert (b["cpu_usd"], b["ram_usd"], b["gpu_usd"]) == pytest.approx((0.32, 0.40, 4.0))


def test_time_sliced_gpu_is_a_fraction_of_the_card() -> None:
    _, alloc = _allocated(example_snapshot(), EXAMPLE_RATES)
    # replicas 4: 1 replica = 0.25 GPU × 2 h = 0.5 GPU-h × $0.8 = $0.40; 2 replicas = $0.80
    assert _row(alloc.rows, "chat-0")["gpu_hours"] == pytest.approx(0.5)
    assert _row(alloc.rows, "chat-0")["gpu_usd"] == pytest.approx(0.40)
    assert _row(alloc.rows, "chat-1")["gpu_usd"] == pytest.approx(0.80)


def test_mig_slices_are_a_fraction_of_the_card() -> None:
    _, alloc = _allocated(example_snapshot(), EXAMPLE_RATES)
    # 3g.20gb: 3/7 card × 2 h × $7 = $6; 2 × 1g.5gb: 2/7 × 2 h × $7 = $4
    assert _row(alloc.rows, "embed-0")["gpu_hours"] == pytest.approx(6 / 7)
    assert _row(alloc.rows, "embed-0")["gpu_usd"] == pytest.approx(6.0)
    assert _row(alloc.rows, "rerank-0")["gpu_usd"] == pytest.approx(4.0)


def test_neuron_cores_are_a_fraction_of_the_device() -> None:
    snap = make_snapshot(
        [node("inf", vcpu=4, ram_gib=16, gpu_count=1, neuron_cores_per_device=2)],
        [container("ml", "p", node="inf", neuroncore_request=1)],
    )
    _, alloc = _allocated(snap, {"inf": (0.0, 0.0, 0.6)})
    assert _row(alloc.rows, "p")["gpu_usd"] == pytest.approx(0.3)  # 1 of 2 cores × 1 h × $0.60
    assert alloc.warnings == []


def test_unconvertible_gpu_requests_are_warned_and_billed_zero() -> None:
    snap = make_snapshot(
        [node("m", vcpu=4, ram_gib=16, gpu_count=1, gpu_sharing="mig")],  # no mig_slices_per_gpu
        [container("ml", "p", node="m", mig_profile="3g.20gb", mig_count=1)],
    )
    _, alloc = _allocated(snap, {"m": (0.0, 0.0, 1.0)})
    assert _row(alloc.rows, "p")["gpu_usd"] == 0.0
    assert len(alloc.warnings) == 1 and "m" in alloc.warnings[0] and "0 GPUs" in alloc.warnings[0]


def test_overcommitted_cpu_is_scaled_to_the_node_capacity() -> None:
    _, alloc = _allocated(example_snapshot(), EXAMPLE_RATES)
    # spot-d: 4 vCPU × 2 h = 8 core-h of capacity; demand 5×2 + 2×2 = 14 → scale 8/14
    api0, api1 = _row(alloc.rows, "api-0"), _row(alloc.rows, "api-1")
    assert api0["cpu_core_hours"] == pytest.approx(10 * 8 / 14)
    assert api0["cpu_usd"] == pytest.approx(10 * 8 / 14 * 0.01)
    assert api1["cpu_usd"] == pytest.approx(4 * 8 / 14 * 0.01)
    assert api0["cpu_usd"] + api1["cpu_usd"] == pytest.approx(0.08, abs=1e-12)  # the node's CPU cost
    assert api0["cpu_request_core_hours"] == pytest.approx(6.0)  # requests are reported unscaled
    assert api0["ram_usd"] == pytest.approx(0.04)  # RAM fits: not scaled (8 GiB × 2 h × $0.0025)
    assert [w for w in alloc.warnings if "CPU" in w and "spot-d" in w]


def test_only_started_scheduled_unfinished_containers_on_known_nodes_are_billed() -> None:
    _, alloc = _allocated(example_snapshot(), EXAMPLE_RATES)
    assert set(alloc.rows.get_column("pod")) == {
        "vllm-a",
        "vllm-b",
        "chat-0",
        "chat-1",
        "embed-0",
        "rerank-0",
        "api-0",
        "api-1",
    }
    reasons = dict(alloc.not_billed.iter_rows())
    assert reasons == {"finished (Succeeded/Failed)": 1, "not started": 1, "on a node not in the snapshot": 1}


def test_unpriced_node_costs_nothing_and_flags_its_containers() -> None:
    snap = make_snapshot([node("n", vcpu=2, ram_gib=8)], [container("a", "p", node="n", cpu_request_cores=1)])
    nodes, alloc = _allocated(snap, {"n": None})
    row = _row(alloc.rows, "p")
    assert row["unpriced"] is True and row["cpu_usd"] == 0.0 and row["cpu_core_hours"] == 1.0
    assert nodes.row(0, named=True)["hourly_usd"] is None


def test_node_idle_per_resource() -> None:
    snap = example_snapshot()
    nodes, alloc = _allocated(snap, EXAMPLE_RATES)
    idle = {r["node"]: r for r in node_idle(nodes, alloc.rows).iter_rows(named=True)}
    a = idle["gpu-a"]
    # gpu-a over 2 h: CPU 48 × 0.02 × 2 = 1.92 − (0.24 + 0.02 + 0.32) = 1.34
    #                 RAM 192 × 0.005 × 2 = 1.92 − (0.16 + 0.005 + 0.40) = 1.355;  GPU 8 − 6 = 2
    assert (a["cpu_usd"], a["ram_usd"], a["gpu_usd"], a["total_usd"]) == pytest.approx(
        (1.92, 1.92, 8.0, 11.84)
    )
    assert (a["idle_cpu_usd"], a["idle_ram_usd"], a["idle_gpu_usd"]) == pytest.approx((1.34, 1.355, 2.0))
    assert a["idle_usd"] == pytest.approx(4.695)
    assert idle["ts-b"]["idle_usd"] == pytest.approx(0.40 + 0.52 + 0.40)
    assert idle["mig-c"]["idle_usd"] == pytest.approx(1.45 + 1.04 + 4.0)
    d = idle["spot-d"]
    assert d["idle_cpu_usd"] == pytest.approx(0.0, abs=1e-12) and d["idle_ram_usd"] == pytest.approx(0.02)


def test_volumes_and_load_balancers_go_to_the_pods_that_use_them() -> None:
    snap = example_snapshot()
    _, alloc = _allocated(snap, EXAMPLE_RATES)
    att = attach(
        alloc.rows,
        priced_items(snap.volumes, EXAMPLE_VOLUME_HOURLY),
        snap.mounts,
        priced_items(snap.services, [EXAMPLE_NLB_HOURLY]),
        snap.service_pods,
    )
    # pv-models $0.01/h × 2 h = $0.02 over 2 pods → $0.01 per pod; vllm-a has 2 containers → $0.005 each
    assert _row(att.rows, "vllm-a", "vllm")["storage_usd"] == pytest.approx(0.005)
    assert _row(att.rows, "vllm-a", "sidecar")["storage_gib_hours"] == pytest.approx(50.0)  # 100 GiB×2 h/2/2
    assert _row(att.rows, "vllm-b")["storage_usd"] == pytest.approx(0.01)
    # NLB $0.0225/h × 2 h = $0.045 over 2 pods
    assert _row(att.rows, "vllm-b")["network_usd"] == pytest.approx(0.0225)
    assert _row(att.rows, "vllm-a", "vllm")["network_usd"] == pytest.approx(0.01125)
    assert _row(att.rows, "chat-0")["storage_usd"] == 0.0
    # pv-orphan has no claim: $0.005 × 2 h → unmounted
    assert att.unmounted_storage_usd == pytest.approx(0.01)
    assert att.unmounted_storage_gib_hours == pytest.approx(100.0)
    assert att.unmounted_network_usd == 0.0


def test_volume_of_a_finished_pod_is_unmounted_and_unpriced_volume_flags_pods() -> None:
    snap = make_snapshot(
        [node("n", vcpu=2, ram_gib=8)],
        [container("a", "done", node="n", phase="Succeeded"), container("a", "live", node="n")],
        volumes=[
            volume("v1", capacity_gib=10, claim=("a", "c1")),
            volume("v2", capacity_gib=10, claim=("a", "c2")),
        ],
        mounts=[("a/done", "a", "c1"), ("a/live", "a", "c2")],
    )
    _, alloc = _allocated(snap, {"n": (0.01, 0.001, 0.0)})
    att = attach(
        alloc.rows,
        priced_items(snap.volumes, [0.5, None]),
        snap.mounts,
        priced_items(snap.services, []),
        snap.service_pods,
    )
    assert att.unmounted_storage_usd == pytest.approx(0.5)
    live = _row(att.rows, "live")
    assert live["unpriced"] is True and live["storage_usd"] == 0.0 and live["storage_gib_hours"] == 10.0


def test_ram_in_bytes_is_converted_with_2_to_the_30() -> None:
    snap = make_snapshot(
        [node("n", vcpu=2, ram_gib=8)], [container("a", "p", node="n", ram_request_bytes=GIB / 2)]
    )
    _, alloc = _allocated(snap, {"n": (0.0, 0.01, 0.0)})
    assert _row(alloc.rows, "p")["ram_gib_hours"] == pytest.approx(0.5)


def test_history_billed_mean_replaces_max_of_request_and_usage() -> None:
    # A history source measured max(request, usage) per step: request 2 cores; usage 1 core half the time and
    # 4 cores the other half → mean of the max = (2 + 4) / 2 = 3 cores, although max(mean request 2,
    # mean usage 2.5) = 2.5. 3 cores × 2 h = 6 core-h; memory: billed mean 3 GiB × 2 h = 6 GiB-h.
    snap = make_snapshot(
        nodes=[node("node-1", vcpu=8, ram_gib=32, hours=2.0)],
        containers=[
            container(
                "ns", "p", hours=2.0, cpu_request_cores=2.0, cpu_usage_cores=2.5, cpu_billed_cores=3.0,
                ram_request_bytes=2 * GIB, ram_usage_bytes=2.5 * GIB, ram_billed_bytes=3 * GIB,
            ),
        ],
    )
    _, alloc = _allocated(snap, {"node-1": (0.02, 0.005, 0.0)})
    row = _row(alloc.rows, "p")
    assert row["cpu_core_hours"] == pytest.approx(6.0)
    assert row["cpu_usd"] == pytest.approx(0.12)
    assert row["ram_gib_hours"] == pytest.approx(6.0)
    assert row["cpu_usage_core_hours"] == pytest.approx(5.0)
