"""node-consolidation: first-fit-decreasing drains; a drained node saves its report price × 730."""

from __future__ import annotations

import pytest
from tests.engine.recommend.helpers import run_one
from tests.engine.recommend.rec_factory import OPTIONS, rec_catalog, typed_node
from tests.engine.snapshot_factory import GIB, WINDOW_END, container, make_snapshot

from genaicost.engine.report import compute_report


def _snap(cpus: tuple[float, ...]):  # one Deployment pod per node with these CPU requests, a DaemonSet everywhere
    nodes = [typed_node(f"n{i}", "c.test", nodepool="p") for i in range(len(cpus))]
    pods = [container("app", f"w-{i}", node=f"n{i}", controller_kind="Deployment", controller="w",
                      cpu_request_cores=c, ram_request_bytes=GIB) for i, c in enumerate(cpus)]
    daemons = [container("kube-system", f"ds-{i}", node=f"n{i}", controller_kind="DaemonSet", controller="ds",
                         cpu_request_cores=0.1) for i in range(len(cpus))]
    return make_snapshot(nodes, pods + daemons)


def test_one_node_drains_and_saves_exactly_its_report_price() -> None:
    snap = _snap((2.4, 1.4, 0.5))
    (rec,) = run_one("node-consolidation", snap).recommendations
    # capacity 4 × 0.9 = 3.6 vCPU; n2 (0.6 with its DaemonSet) moves its 0.5 to n0 (free 3.6 − 2.5 = 1.1);
    # n1 (1.4) then fits nowhere (n0 has 0.6 left)
    assert rec.evidence["drained_nodes"] == "n2"
    report = compute_report(snap, rec_catalog(), OPTIONS, generated_at=WINDOW_END)
    n2 = next(n for n in report.nodes if n.name == "n2")
    assert rec.monthly_savings_usd == pytest.approx(n2.hourly_usd * 730) == pytest.approx(0.26 * 730)


def test_two_nodes_drain_onto_one() -> None:
    (rec,) = run_one("node-consolidation", _snap((2.0, 1.0, 0.5))).recommendations
    assert rec.evidence["nodes_after"] == 1
    assert rec.monthly_savings_usd == pytest.approx(2 * 0.26 * 730)


def test_full_nodes_stay() -> None:
    assert run_one("node-consolidation", _snap((3.0, 3.0))).recommendations == []


def test_a_half_empty_node_moves_to_the_cheaper_type_of_its_family() -> None:
    snap = make_snapshot([typed_node("big", "c.big", nodepool="p")], [
        container("app", "w-0", node="big", controller_kind="Deployment", controller="w", cpu_request_cores=2,
                  ram_request_bytes=GIB)])
    (rec,) = run_one("node-consolidation", snap).recommendations
    # 2 vCPU, 1 GiB requested ≤ c.test's 4 × 0.9 vCPU, 16 × 0.9 GiB: (0.52 − 0.26) × 730
    assert rec.monthly_savings_usd == pytest.approx(189.8)
    assert rec.action == "replace big (c.big) with c.test"
    assert "c.big $0.5200/h → c.test $0.2600/h" in str(rec.evidence["downsized_nodes"])
    assert run_one("node-consolidation", snap, downsize=False).recommendations == []
