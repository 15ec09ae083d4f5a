"""mark-then-act against the recorded API: mark now, wait out the grace period, act; or cancel on recovery."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from test_k8s_actions import ALERTS, DEPLOYMENT, NOW, SCALE, Kube, Spend, budget, writes

from genaicost.actions.k8s import AuditLog, execute, plan_actions

MARK = {"type": "mark-then-act", "at_percent": 100.0, "settings": {
    "grace_minutes": 30, "then": {"type": "scale", "settings": {"namespace": "llm", "name": "vllm-70b",
                                                                 "replicas": 0}}}}
MARK_ANNOTATIONS = {"genaicost.io/marked-at": "2026-11-28T10:00:00Z", "genaicost.io/act-after": "2026-11-28T10:30:00Z",
                    "genaicost.io/planned-action": "scale to 0 replicas", "genaicost.io/marked-by": "llm-monthly"}


def step(kube: Kube, audit: AuditLog, minutes: float, percent: float, *, enforce: bool = True) -> list[Any]:
    now = NOW + timedelta(minutes=minutes)
    plans = plan_actions(budget(MARK, enforce=enforce), ALERTS, now=now, state=Spend(percent), api_client=kube[2])
    return execute(plans, api_client=kube[2], apply=True, audit=audit, clock=lambda: now)


def annotations(kube: Kube) -> dict[str, str]:
    found: dict[str, str] = kube[0].objects[DEPLOYMENT]["metadata"]["annotations"]
    return found


def test_mark_wait_then_act(kube: Kube, tmp_path: Path) -> None:
    audit = AuditLog(tmp_path / "audit.jsonl")
    [marked] = step(kube, audit, 0, 101.0)
    assert marked.result == "applied" and marked.target == "Deployment llm/vllm-70b"
    assert writes(kube) == [("PATCH", f"{DEPLOYMENT}?fieldManager=genaicost", "application/merge-patch+json",
                             {"metadata": {"annotations": MARK_ANNOTATIONS}})]
    assert marked.reason == "mark: llm-monthly at 101.0% ≥ 100%; scale to 0 replicas after 2026-11-28T10:30:00Z"
    assert {k: annotations(kube)[k] for k in MARK_ANNOTATIONS} == MARK_ANNOTATIONS

    [waiting] = step(kube, audit, 29.9, 103.0)
    assert waiting.result == "no change" and waiting.reason.startswith("waiting: marked at 2026-11-28T10:00:00Z")
    assert len(writes(kube)) == 1

    [acted] = step(kube, audit, 30, 103.0)
    assert (acted.action, acted.path, acted.result) == ("mark-then-act", SCALE, "applied")
    assert (acted.before, acted.after) == ({"replicas": 4}, {"replicas": 0})
    assert writes(kube)[1] == ("PATCH", f"{SCALE}?fieldManager=genaicost", "application/merge-patch+json",
                               {"spec": {"replicas": 0}})
    assert acted.reason.startswith("grace period over (marked at 2026-11-28T10:00:00Z, due 2026-11-28T10:30:00Z)")
    assert [e.result for e in audit.read()] == ["applied", "no change", "applied"]


def test_recovery_cancels_the_mark(kube: Kube, tmp_path: Path) -> None:
    audit = AuditLog(tmp_path / "audit.jsonl")
    step(kube, audit, 0, 100.0)
    [cancel] = step(kube, audit, 10, 97.5)
    assert cancel.reason == "cancel: llm-monthly recovered to 97.5% < 100%" and cancel.result == "applied"
    assert writes(kube)[1] == ("PATCH", f"{DEPLOYMENT}?fieldManager=genaicost", "application/merge-patch+json",
                               {"metadata": {"annotations": dict.fromkeys(MARK_ANNOTATIONS)}})
    assert not set(MARK_ANNOTATIONS) & set(annotations(kube))
    assert annotations(kube)["deployment.kubernetes.io/revision"] == "5"  # other annotations untouched
    # recovered and unmarked: nothing to plan; past the old grace period nothing is scaled
    assert step(kube, audit, 45, 90.0) == []
    assert [w[1].split("?")[0] for w in writes(kube)] == [DEPLOYMENT, DEPLOYMENT]
    # over again later: a new mark with a new grace period
    [again] = step(kube, audit, 60, 100.0)
    assert annotations(kube)["genaicost.io/act-after"] == "2026-11-28T11:30:00Z" and again.result == "applied"


def test_dry_run_never_marks(kube: Kube, tmp_path: Path) -> None:
    audit = AuditLog(tmp_path / "audit.jsonl")
    [first] = step(kube, audit, 0, 120.0, enforce=False)
    [later] = step(kube, audit, 90, 120.0, enforce=False)
    assert first.dry_run and later.dry_run and "genaicost.io/marked-at" in first.result
    assert later.reason.startswith("mark: ")  # never marked, so never due
    assert writes(kube) == []


def test_a_mark_of_another_budget_is_left_alone(kube: Kube, tmp_path: Path) -> None:
    annotations(kube).update({**MARK_ANNOTATIONS, "genaicost.io/marked-by": "cluster-monthly"})
    audit = AuditLog(tmp_path / "audit.jsonl")
    [entry] = step(kube, audit, 0, 80.0)
    assert entry.result == "no change"
    assert entry.reason == "no change: marked by budget cluster-monthly, not llm-monthly"
    assert writes(kube) == []
