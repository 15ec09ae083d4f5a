"""docs/actions.md documents every notifier, every action, their settings and the actions' permissions."""

from __future__ import annotations

from pathlib import Path

import pytest

from genaicost.actions.k8s import ACTIONS, required_permissions
from genaicost.actions.k8s.metadata import TargetSettings
from genaicost.actions.notifiers import NOTIFIERS

DOC = (Path(__file__).resolve().parents[2] / "docs" / "actions.md").read_text()


@pytest.mark.parametrize("name", sorted(NOTIFIERS))
def test_every_notifier_and_setting_is_documented(name: str) -> None:
    assert f"| `{name}` |" in DOC
    for field in NOTIFIERS[name].Settings.model_fields:
        assert f"`{field}`" in DOC, f"{name}.{field} is not in docs/actions.md"


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_every_action_setting_and_permission_is_documented(name: str) -> None:
    assert f"| `{name}` |" in DOC
    for field in [*ACTIONS[name].Settings.model_fields, *TargetSettings.model_fields]:
        assert f"`{field}`" in DOC, f"{name}.{field} is not in docs/actions.md"
    for rule in ACTIONS[name].permissions:
        for resource in rule.resources:
            assert resource in DOC


def test_the_documented_cluster_role_is_the_registry_union() -> None:
    quoted = '""'
    block = "".join(f"  - apiGroups: [{r.api_groups[0] or quoted}]\n"
                    f"    resources: [{', '.join(r.resources)}]\n    verbs: [{', '.join(r.verbs)}]\n"
                    for r in required_permissions())
    assert "rules:\n" + block in DOC
