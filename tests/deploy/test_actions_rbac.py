"""The chart's opt-in actions ClusterRole grants exactly what the registered Kubernetes actions declare."""

from __future__ import annotations

import pytest
from chart_objects import KUBE_VERSIONS, NAMESPACE, by_kind, render, validate

from genaicost.actions.k8s import ACTIONS, required_permissions
from genaicost.actions.k8s.base import rule_triples

ACTIONS_ROLE = "genaicost-actions"


def triples(rules: list[dict[str, list[str]]]) -> set[tuple[str, str, str]]:
    return {(g, r, v) for rule in rules for g in rule["apiGroups"] for r in rule["resources"] for v in rule["verbs"]}


def test_actions_role_is_off_by_default() -> None:
    objects = render()
    assert [o["metadata"]["name"] for o in by_kind(objects, "ClusterRole")] == ["genaicost"]
    assert [o["metadata"]["name"] for o in by_kind(objects, "ClusterRoleBinding")] == ["genaicost"]


@pytest.mark.parametrize("kube_version", KUBE_VERSIONS)
def test_actions_role_matches_the_registry(kube_version: str) -> None:
    objects = render({"actions": {"enabled": True}})
    [role] = [o for o in by_kind(objects, "ClusterRole") if o["metadata"]["name"] == ACTIONS_ROLE]
    [binding] = [o for o in by_kind(objects, "ClusterRoleBinding") if o["metadata"]["name"] == ACTIONS_ROLE]
    validate(role, kube_version)
    validate(binding, kube_version)
    declared = rule_triples([rule for cls in ACTIONS.values() for rule in cls.permissions])
    assert triples(role["rules"]) == declared
    assert rule_triples(required_permissions()) == declared
    assert role["rules"] == [{"apiGroups": r.api_groups, "resources": r.resources, "verbs": r.verbs}
                             for r in required_permissions()]
    assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                                  "name": ACTIONS_ROLE}
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "genaicost", "namespace": NAMESPACE}]
    # the read-only role is unchanged: no write verb anywhere else
    [reader] = [o for o in by_kind(objects, "ClusterRole") if o["metadata"]["name"] == "genaicost"]
    assert {v for _, _, v in triples(reader["rules"])} == {"get", "list", "watch"}


def test_actions_role_follows_the_service_account_name() -> None:
    objects = render({"actions": {"enabled": True}, "serviceAccount": {"create": False, "name": "finops-bot"}})
    [binding] = [o for o in by_kind(objects, "ClusterRoleBinding") if o["metadata"]["name"] == ACTIONS_ROLE]
    assert binding["subjects"][0]["name"] == "finops-bot"
