"""Kubernetes actions against recorded API objects served on loopback: plans read the API, dry-run writes nothing,
applied actions send exactly the expected merge patches, every plan is audited."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
from action_servers import RecordedKubeApi, Recorder, make_alert

from genaicost.actions.k8s import ACTIONS, AuditLog, execute, plan_actions, validate_actions
from genaicost.domain.budget import Budget
from genaicost.domain.errors import InputError

DATA = Path(__file__).resolve().parents[1] / "data" / "k8s" / "actions"
NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
SCALE = "/apis/apps/v1/namespaces/llm/deployments/vllm-70b/scale"
DEPLOYMENT = "/apis/apps/v1/namespaces/llm/deployments/vllm-70b"
HPA = "/apis/autoscaling/v2/namespaces/llm/horizontalpodautoscalers/vllm-70b"
Kube = tuple[RecordedKubeApi, Recorder, Any]


@dataclass
class Spend:
    percent_used: float


def budget(*actions: dict[str, Any], enforce: bool = True) -> Budget:
    return Budget.model_validate({
        "name": "llm-monthly", "scope": {"kind": "namespace", "value": "llm"}, "period": "monthly",
        "amount_usd": 1000.0, "thresholds": [{"percent": 80}, {"percent": 100, "severity": "critical"}],
        "actions": list(actions), "enforce": enforce})


SCALE_TO_0 = {"type": "scale", "settings": {"namespace": "llm", "name": "vllm-70b", "replicas": 0}}
ALERTS = [make_alert(0, key="budget:llm-monthly:threshold:80:actual", threshold=80.0),
          make_alert(0, key="budget:llm-monthly:threshold:100:actual", threshold=100.0, severity="critical"),
          make_alert(0, key="budget:other:threshold:100:actual", budget="other", threshold=100.0)]


def writes(kube: Kube) -> list[tuple[str, str, str, Any]]:
    return [(r.method, r.path, r.headers["content-type"], r.json()) for r in kube[1].requests if r.method != "GET"]


@pytest.mark.parametrize("file", sorted(p.name for p in DATA.glob("*.json") if "Status" not in p.read_text()))
def test_recorded_objects_are_valid_kubernetes_api_objects(file: str) -> None:
    obj = json.loads((DATA / file).read_text())
    kubernetes_validate.validate(obj, kubernetes_validate.latest_version(), strict=True)


def test_scale_dry_run_reads_but_writes_nothing(kube: Kube, tmp_path: Path) -> None:
    plans = plan_actions(budget(SCALE_TO_0), ALERTS, now=NOW, state=Spend(104.2), api_client=kube[2])
    [plan] = plans
    assert (plan.action, plan.target, plan.path) == ("scale", "Deployment llm/vllm-70b (scale)", SCALE)
    assert (plan.before, plan.after, plan.patch) == ({"replicas": 4}, {"replicas": 0}, {"spec": {"replicas": 0}})
    assert plan.alert_key == "budget:llm-monthly:threshold:100:actual"  # the highest firing threshold of the budget
    audit = AuditLog(tmp_path / "audit.jsonl")
    [entry] = execute(plans, api_client=kube[2], apply=False, audit=audit, clock=lambda: NOW)
    assert entry.dry_run and entry.result.startswith(f"dry-run (--apply not given): would PATCH {SCALE}")
    assert writes(kube) == []
    assert [(r.method, r.path.split("?")[0]) for r in kube[1].requests] == [("GET", SCALE)]
    assert kube[0].objects[SCALE]["spec"]["replicas"] == 4


def test_scale_applied_sends_the_merge_patch_and_audits(kube: Kube, tmp_path: Path) -> None:
    plans = plan_actions(budget(SCALE_TO_0), ALERTS, now=NOW, state=Spend(100.0), api_client=kube[2])
    audit = AuditLog(tmp_path / "audit.jsonl")
    [entry] = execute(plans, api_client=kube[2], apply=True, audit=audit, clock=lambda: NOW)
    assert writes(kube) == [("PATCH", f"{SCALE}?fieldManager=genaicost", "application/merge-patch+json",
                             {"spec": {"replicas": 0}})]
    assert (entry.dry_run, entry.result, entry.before, entry.after) == (False, "applied", {"replicas": 4},
                                                                        {"replicas": 0})
    [line] = (tmp_path / "audit.jsonl").read_text().splitlines()
    assert json.loads(line) == {
        "time": "2026-11-28T10:00:00Z", "budget": "llm-monthly", "alert_key": "budget:llm-monthly:threshold:100:actual",
        "action": "scale", "target": "Deployment llm/vllm-70b (scale)", "path": SCALE, "before": {"replicas": 4},
        "after": {"replicas": 0}, "dry_run": False, "result": "applied",
        "reason": "llm-monthly at 100.0% ≥ 100%"}
    # a second evaluation finds it done: nothing to write, still audited
    again = plan_actions(budget(SCALE_TO_0), ALERTS, now=NOW, state=Spend(101.0), api_client=kube[2])
    execute(again, api_client=kube[2], apply=True, audit=audit, clock=lambda: NOW)
    assert [e.result for e in audit.read()] == ["applied", "no change"] and len(writes(kube)) == 1


def test_apply_without_enforce_stays_a_dry_run(kube: Kube, tmp_path: Path) -> None:
    plans = plan_actions(budget(SCALE_TO_0, enforce=False), ALERTS, now=NOW, state=Spend(120.0), api_client=kube[2])
    [entry] = execute(plans, api_client=kube[2], apply=True, audit=AuditLog(tmp_path / "a.jsonl"))
    assert entry.dry_run and "budget llm-monthly has enforce: false" in entry.result
    assert writes(kube) == []


def test_below_at_percent_plans_nothing(kube: Kube) -> None:
    spec = {**SCALE_TO_0, "at_percent": 110.0}
    assert plan_actions(budget(spec), ALERTS, now=NOW, state=Spend(109.9), api_client=kube[2]) == []
    assert kube[1].requests == []


def test_statefulset_scale(kube: Kube, tmp_path: Path) -> None:
    spec = {"type": "scale", "settings": {"kind": "StatefulSet", "namespace": "batch-inference", "name": "sglang-8b",
                                          "replicas": 1}}
    plans = plan_actions(budget(spec), [], now=NOW, state=Spend(100.0), api_client=kube[2])
    [entry] = execute(plans, api_client=kube[2], apply=True, audit=AuditLog(tmp_path / "a.jsonl"))
    path = "/apis/apps/v1/namespaces/batch-inference/statefulsets/sglang-8b/scale"
    assert writes(kube) == [("PATCH", f"{path}?fieldManager=genaicost", "application/merge-patch+json",
                             {"spec": {"replicas": 1}})]
    assert (entry.before, entry.after, entry.alert_key) == ({"replicas": 2}, {"replicas": 1}, None)


@pytest.mark.parametrize(("cap", "patch", "after"), [
    (3, {"spec": {"maxReplicas": 3}}, {"maxReplicas": 3, "minReplicas": 2}),
    (1, {"spec": {"maxReplicas": 1, "minReplicas": 1}}, {"maxReplicas": 1, "minReplicas": 1}),
    (10, None, {"maxReplicas": 8, "minReplicas": 2}),  # only lowers
])
def test_cap_hpa(kube: Kube, tmp_path: Path, cap: int, patch: Any, after: dict[str, int]) -> None:
    spec = {"type": "cap-hpa", "settings": {"namespace": "llm", "name": "vllm-70b", "max_replicas": cap}}
    [plan] = plan_actions(budget(spec), ALERTS, now=NOW, state=Spend(100.0), api_client=kube[2])
    assert (plan.path, plan.before, plan.patch) == (HPA, {"maxReplicas": 8, "minReplicas": 2}, patch)
    [entry] = execute([plan], api_client=kube[2], apply=True, audit=AuditLog(tmp_path / "a.jsonl"))
    assert entry.after == after
    expected = [] if patch is None else [("PATCH", f"{HPA}?fieldManager=genaicost", "application/merge-patch+json",
                                          patch)]
    assert writes(kube) == expected
    assert entry.result == ("no change" if patch is None else "applied")


def test_annotate_and_label(kube: Kube, tmp_path: Path) -> None:
    annotate = {"type": "annotate", "settings": {
        "target": {"kind": "Deployment", "namespace": "llm", "name": "vllm-70b"},
        "annotations": {"genaicost.io/over-budget": "llm-monthly", "meta.helm.sh/release-namespace": None}}}
    label = {"type": "label", "settings": {"target": {"kind": "Namespace", "name": "llm"},
                                           "labels": {"genaicost.io/budget-state": "exceeded", "team": "search"}}}
    plans = plan_actions(budget(annotate, label), ALERTS, now=NOW, state=Spend(100.0), api_client=kube[2])
    assert [p.before for p in plans] == [
        {"genaicost.io/over-budget": None, "meta.helm.sh/release-namespace": "llm"},
        {"genaicost.io/budget-state": None, "team": "search"}]
    execute(plans, api_client=kube[2], apply=True, audit=AuditLog(tmp_path / "a.jsonl"))
    assert writes(kube) == [
        ("PATCH", f"{DEPLOYMENT}?fieldManager=genaicost", "application/merge-patch+json",
         {"metadata": {"annotations": {"genaicost.io/over-budget": "llm-monthly",
                                       "meta.helm.sh/release-namespace": None}}}),
        ("PATCH", "/api/v1/namespaces/llm?fieldManager=genaicost", "application/merge-patch+json",
         {"metadata": {"labels": {"genaicost.io/budget-state": "exceeded", "team": "search"}}})]
    annotations = kube[0].objects[DEPLOYMENT]["metadata"]["annotations"]
    assert annotations["genaicost.io/over-budget"] == "llm-monthly"
    assert "meta.helm.sh/release-namespace" not in annotations


def test_api_errors_are_audited_not_raised(kube: Kube, tmp_path: Path) -> None:
    missing = {"type": "cap-hpa", "settings": {"namespace": "llm", "name": "llama-8b", "max_replicas": 2}}
    kube[0].failures[("PATCH", SCALE)] = (403, "forbidden_patch_scale.json")
    plans = plan_actions(budget(missing, SCALE_TO_0), ALERTS, now=NOW, state=Spend(100.0), api_client=kube[2])
    assert plans[0].error is not None and "404 Not Found" in plans[0].error and plans[0].patch is None
    entries = execute(plans, api_client=kube[2], apply=True, audit=AuditLog(tmp_path / "a.jsonl"))
    assert entries[0].result.startswith("error: read HorizontalPodAutoscaler llm/llama-8b at http://127.0.0.1:")
    assert 'cannot patch resource \\"deployments/scale\\"' not in entries[1].result
    assert 'cannot patch resource "deployments/scale"' in entries[1].result
    assert "grant `patch` on deployments/scale.apps" in entries[1].result and entries[1].after is None
    assert [w[1].split("?")[0] for w in writes(kube)] == [SCALE]  # only the refused PATCH was attempted


@pytest.mark.parametrize(("spec", "field", "message"), [
    ({"type": "scale", "settings": {"namespace": "llm", "name": "x", "replicas": -1}}, "settings.replicas",
     "greater than or equal to 0"),
    ({"type": "scale", "settings": {"namespace": "llm", "replicas": 1}}, "settings.name", "Field required"),
    ({"type": "cap-hpa", "settings": {"namespace": "llm", "name": "x", "max_replicas": 0}}, "settings.max_replicas",
     "greater than or equal to 1"),
    ({"type": "label", "settings": {"target": {"kind": "Namespace", "name": "llm"}, "labels": {"team": "a b"}}},
     "settings.labels", "not a valid label value"),
    ({"type": "annotate", "settings": {"target": {"kind": "Deployment", "name": "x"}, "annotations": {"a": "b"}}},
     "settings.target", "a Deployment needs namespace"),
    ({"type": "mark-then-act", "settings": {"then": {"type": "scale", "settings": {"namespace": "llm"}}}},
     "settings", "then.settings.name: Field required (action mark-then-act)"),
    ({"type": "delete", "settings": {}}, "type", "unknown action type 'delete'"),
])
def test_bad_settings_name_the_budget_action_and_field(spec: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        validate_actions(budget(SCALE_TO_0, spec), source="budgets.yaml")
    assert (info.value.obj, info.value.field) == ("budgets.llm-monthly.actions[1]", field)
    assert message in str(info.value)


def test_every_action_declares_settings_and_permissions() -> None:
    assert sorted(ACTIONS) == ["annotate", "cap-hpa", "label", "mark-then-act", "scale"]
    for cls in ACTIONS.values():
        assert cls.permissions and all(set(r.verbs) == {"get", "patch"} for r in cls.permissions)


def test_audit_log_appends_and_rejects_a_bad_path(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="the audit log must be a file in an existing directory"):
        AuditLog(tmp_path / "missing" / "audit.jsonl")
    with pytest.raises(InputError, match="audit log"):
        AuditLog(tmp_path)
    log = AuditLog(tmp_path / "audit.jsonl")
    assert log.read() == []
    log.append([])
    assert not log.path.exists()
