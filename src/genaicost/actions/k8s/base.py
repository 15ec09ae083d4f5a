"""Kubernetes action interface: declared RBAC permissions, settings, and the plan each action makes."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from genaicost.actions.k8s.kube import KubeError, ObjectRef, read_object


class PolicyRule(BaseModel):
    """One RBAC rule (rbac.authorization.k8s.io/v1 PolicyRule)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    api_groups: list[str]
    resources: list[str]
    verbs: list[str]


def rule_triples(rules: list[PolicyRule]) -> set[tuple[str, str, str]]:
    """(apiGroup, resource, verb) of every rule: the comparable form of a set of permissions."""
    return {(g, r, v) for rule in rules for g in rule.api_groups for r in rule.resources for v in rule.verbs}


class ActionPlan(BaseModel):
    """What one action would change on one object: fields before → after, and the merge patch that does it
    (`patch` None: nothing to write; `error`: the plan could not be made)."""

    model_config = ConfigDict(extra="forbid")

    budget: str
    alert_key: str | None
    action: str
    target: str
    path: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    patch: dict[str, Any] | None = None
    fields: dict[str, list[str]] = Field(default_factory=dict, description="field → JSON path, read back after")
    reason: str = ""
    enforce: bool = False
    error: str | None = None
    ref: ObjectRef | None = None


def dig(obj: Any, path: list[str]) -> Any:
    for part in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(part)
    return obj


@dataclass(frozen=True)
class PlanContext:
    budget: str
    alert_key: str | None
    enforce: bool
    now: datetime
    percent_used: float
    at_percent: float
    api_client: Any

    @property
    def triggered(self) -> bool:
        return self.percent_used >= self.at_percent

    def plan(self, action: str, ref: ObjectRef, **values: Any) -> ActionPlan:
        return ActionPlan(budget=self.budget, alert_key=self.alert_key, action=action, target=ref.describe(),
                          path=ref.path(), enforce=self.enforce, ref=ref, **values)


class Action(ABC):
    name: ClassVar[str]
    Settings: ClassVar[type[BaseModel]]
    permissions: ClassVar[tuple[PolicyRule, ...]]
    # planned only while spend is at or above the action's at_percent, unless it also acts on recovery
    acts_on_recovery: ClassVar[bool] = False

    @abstractmethod
    def plan(self, settings: Any, ctx: PlanContext) -> list[ActionPlan]:
        """Read the current state from the API and say what would change (no write)."""


def field_change(ctx: PlanContext, action: str, ref: ObjectRef, fields: dict[str, list[str]],
                 target: dict[str, Any], reason: str, current: dict[str, Any] | None = None) -> ActionPlan:
    """Plan setting `fields` (name → JSON path) of `ref` to `target` values; no patch when already there.
    `current`: the object when the caller has read it already."""
    if current is None:
        try:
            current = read_object(ctx.api_client, ref)
        except KubeError as err:
            return ctx.plan(action, ref, error=str(err), reason=reason)
    before = {k: dig(current, path) for k, path in fields.items()}
    if all(before[k] == v for k, v in target.items()):
        return ctx.plan(action, ref, before=before, after=before, fields=fields,
                        reason=f"no change: already {_show(target)}")
    patch: dict[str, Any] = {}
    for key, value in target.items():
        node = patch
        for part in fields[key][:-1]:
            node = node.setdefault(part, {})
        node[fields[key][-1]] = value
    return ctx.plan(action, ref, before=before, after={**before, **target}, patch=patch, fields=fields,
                    reason=reason)


def _show(values: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in values.items())
