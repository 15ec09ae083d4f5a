"""storage (gp2 $0.10, gp3 $0.08/GB-month, $0.005/IOPS above 3,000, $0.04/MiBps above 125) and savings-plans."""

from __future__ import annotations

import pytest
from tests.engine.recommend.helpers import run_one
from tests.engine.recommend.rec_factory import typed_node
from tests.engine.snapshot_factory import container, make_snapshot, volume


def test_gp2_to_gp3_keeps_iops_and_throughput() -> None:
    snap = make_snapshot(volumes=[
        volume("small", capacity_gib=100, volume_type="gp2", claim=("a", "s")),
        volume("mid", capacity_gib=1000, volume_type="gp2", claim=("a", "m")),
        volume("big", capacity_gib=2000, volume_type="gp2", claim=("a", "b")),
    ], mounts=[("a/p", "a", "s"), ("a/p", "a", "m"), ("a/p", "a", "b")])
    recs = {r.target: r for r in run_one("storage", snap).recommendations}
    # 100 GiB: 300 IOPS (free), 128 MiB/s → 3 extra × 0.04: 100 × 0.02 − 0.12
    assert recs["volume/small"].monthly_savings_usd == pytest.approx(1.88)
    # 1000 GiB: 3000 IOPS (free), 250 MiB/s → 125 × 0.04 = 5: 20 − 5
    assert recs["volume/mid"].monthly_savings_usd == pytest.approx(15.0)
    # 2000 GiB: 6000 IOPS → 3000 × 0.005 = 15, + 5: 40 − 20
    assert recs["volume/big"].monthly_savings_usd == pytest.approx(20.0)
    assert recs["volume/big"].evidence["gp3_provisioned_iops"] == 6000


def test_unbound_and_unmounted_volumes() -> None:
    snap = make_snapshot(volumes=[volume("orphan", capacity_gib=50), volume("idle", capacity_gib=10, claim=("a", "c"))])
    recs = {r.target: r for r in run_one("storage", snap).recommendations}
    assert recs["volume/orphan"].monthly_savings_usd == pytest.approx(4.0)
    assert recs["volume/idle"].monthly_savings_usd == pytest.approx(0.8)
    assert recs["volume/idle"].confidence == "low"   # one instant snapshot


def test_savings_plans_only_with_a_configured_rate() -> None:
    snap = make_snapshot([typed_node("a", "c.test"), typed_node("b", "c.test", capacity_type="spot"),
                          typed_node("c", "c.test", hours=0.5)], [container("x", "p", node="a")])
    rs = run_one("savings-plans", snap)
    assert rs.recommendations == [] and "discount_rate" in rs.skipped[0].reason
    (rec,) = run_one("savings-plans", snap, discount_rate=0.3).recommendations
    # only "a" is on-demand for the whole window: 0.26 × 0.3 × 730
    assert rec.monthly_savings_usd == pytest.approx(56.94)
    assert rec.resources == ("node/a",) and rec.confidence == "low"
