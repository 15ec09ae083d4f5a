"""idle-gpus and gpu-family on g5.12xlarge at $4.92/h (4 GPUs at $0.45/GPU-hour under aws-scad)."""

from __future__ import annotations

import pytest
from tests.engine.recommend.helpers import run_one
from tests.engine.recommend.rec_factory import typed_node
from tests.engine.snapshot_factory import GIB, container, make_snapshot

DS = {"controller_kind": "DaemonSet", "controller": "dcgm", "cpu_request_cores": 0.1}


def test_gpu_node_with_only_daemonsets_is_removed_at_its_price() -> None:
    snap = make_snapshot([typed_node("g", "g5.12xlarge")], [container("monitoring", "dcgm-0", node="g", **DS)])
    (rec,) = run_one("idle-gpus", snap).recommendations
    assert rec.monthly_savings_usd == pytest.approx(4.92 * 730)
    assert rec.evidence["gpus_allocated"] == 0 and rec.target == "node/g"


def test_one_of_four_gpus_used_moves_to_the_one_gpu_type() -> None:
    snap = make_snapshot([typed_node("g", "g5.12xlarge")], [
        container("ml", "vllm-0", node="g", gpu_request=1, cpu_request_cores=4, ram_request_bytes=16 * GIB)])
    rs = run_one("idle-gpus", snap)
    (rec,) = rs.recommendations
    assert rec.evidence["replacement"] == "g5.2xlarge"
    assert rec.monthly_savings_usd == pytest.approx((4.92 - 0.97) * 730)
    assert any("DCGM" in s.reason for s in rs.skipped)


def test_dcgm_underused_gpu_is_shared() -> None:
    snap = make_snapshot([typed_node("g", "g5.12xlarge")], [
        container("ml", f"vllm-{i}", node="g", gpu_request=1, gpu_utilization=0.1, controller_kind="Deployment",
                  controller="vllm") for i in range(4)])
    recs = run_one("idle-gpus", snap).recommendations
    (share,) = [r for r in recs if r.target == "ml/Deployment/vllm"]
    # need max(0.1 / 0.8, 1/7) = 1/7 of the GPUs: 4 × $0.45 × (1 − 1/7) × 730
    assert share.monthly_savings_usd == pytest.approx(4 * 0.45 * (6 / 7) * 730)
    assert share.evidence["dcgm_gpu_utilization"] == pytest.approx(0.1)


def test_gpu_family_picks_the_cheapest_type_with_enough_gpu_memory() -> None:
    snap = make_snapshot([typed_node("g", "g5.12xlarge")], [
        container("ml", f"vllm-{i}", node="g", gpu_request=1, cpu_request_cores=8, ram_request_bytes=32 * GIB)
        for i in range(4)])
    (rec,) = run_one("gpu-family", snap).recommendations
    # g4dn.12xlarge ($1.00) has 16 GiB per GPU < A10G's 24: not enough; g6.12xlarge ($3.00, 4 × 24 GiB L4) is
    assert rec.evidence["replacement"] == "g6.12xlarge"
    assert rec.monthly_savings_usd == pytest.approx((4.92 - 3.0) * 730)
    assert rec.confidence == "low"


def test_gpu_family_with_measured_memory_may_go_smaller() -> None:
    snap = make_snapshot([typed_node("g", "g5.12xlarge")], [
        container("ml", f"vllm-{i}", node="g", gpu_request=1, gpu_memory_used_bytes=10 * GIB) for i in range(4)])
    (rec,) = run_one("gpu-family", snap).recommendations
    # needs 10 × 1.1 = 11 GiB per GPU: the T4's 16 GiB suffice
    assert rec.evidence["replacement"] == "g4dn.12xlarge" and rec.confidence == "medium"
    assert rec.monthly_savings_usd == pytest.approx((4.92 - 1.0) * 730)
