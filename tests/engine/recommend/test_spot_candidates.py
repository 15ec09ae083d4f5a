"""spot-candidates: pod cost × (1 − spot ÷ node price); c.test is $0.26/h on-demand, $0.078/h spot."""

from __future__ import annotations

from dataclasses import replace

import pytest
from tests.engine.recommend.helpers import run_one
from tests.engine.recommend.rec_factory import typed_node
from tests.engine.snapshot_factory import GIB, container, make_snapshot

from genaicost.domain.snapshot import Snapshot, table_from_rows

PDB = table_from_rows("disruption_budgets", [{"namespace": "web", "name": "api", "match_labels": '{"app": "api"}',
                                              "min_available": "1"}])


def _snap(replicas: int = 2, mounts: tuple[tuple[str, str, str], ...] = (), pdb: bool = True) -> Snapshot:
    pods = [container("web", f"api-{i}", node="od", controller_kind="Deployment", controller="api",
                      cpu_request_cores=1, ram_request_bytes=2 * GIB) for i in range(replicas)]
    snap = make_snapshot([typed_node("od", "c.test"), typed_node("sp", "c.test", capacity_type="spot")], pods,
                         labels=[(f"web/api-{i}", "app", "api") for i in range(replicas)], mounts=mounts)
    return replace(snap, disruption_budgets=PDB) if pdb else snap


def test_stateless_replicated_with_pdb_saves_at_spot_price() -> None:
    (rec,) = run_one("spot-candidates", _snap()).recommendations
    # per pod 1 × 0.045 + 2 × 0.005 = $0.055/h; 2 pods × (1 − 0.078 / 0.26) × 730 = 0.11 × 0.7 × 730
    assert rec.monthly_savings_usd == pytest.approx(56.21)
    assert rec.evidence["pod_disruption_budget"] == "api"
    assert rec.evidence["spot_usd_per_hour"] == 0.078 and rec.confidence == "medium"
    assert "node/od" in rec.resources


def test_not_candidates() -> None:
    assert run_one("spot-candidates", _snap(replicas=1)).recommendations == []
    assert run_one("spot-candidates", _snap(mounts=(("web/api-0", "web", "data"),))).recommendations == []


def test_no_pdb_data_skips_with_reason_or_runs_at_low_confidence() -> None:
    rs = run_one("spot-candidates", _snap(pdb=False))
    assert rs.recommendations == [] and "PodDisruptionBudget" in rs.skipped[0].reason
    (rec,) = run_one("spot-candidates", _snap(pdb=False), require_pdb=False).recommendations
    assert rec.confidence == "low" and rec.monthly_savings_usd == pytest.approx(56.21)


def test_pdb_selecting_other_pods_does_not_qualify() -> None:
    other = table_from_rows("disruption_budgets", [{"namespace": "web", "name": "x", "match_labels": '{"app": "x"}'}])
    assert run_one("spot-candidates", replace(_snap(), disruption_budgets=other)).recommendations == []
