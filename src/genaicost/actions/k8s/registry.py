"""The action registry, its declared permissions and settings validation."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from genaicost.actions.k8s.base import Action, PolicyRule, rule_triples
from genaicost.actions.k8s.cap_hpa import CapHpaAction
from genaicost.actions.k8s.mark import MarkThenActAction
from genaicost.actions.k8s.metadata import AnnotateAction, LabelAction
from genaicost.actions.k8s.scale import ScaleAction
from genaicost.domain.budget import Budget
from genaicost.domain.errors import InputError

ACTIONS: dict[str, type[Action]] = {
    cls.name: cls for cls in (ScaleAction, CapHpaAction, AnnotateAction, LabelAction, MarkThenActAction)
}


def required_permissions() -> list[PolicyRule]:
    """The union of every registered action's permissions, one rule per API group (sorted): what the chart's
    opt-in actions ClusterRole grants."""
    triples = rule_triples([rule for cls in ACTIONS.values() for rule in cls.permissions])
    rules = []
    for group in sorted({g for g, _, _ in triples}):
        resources = sorted({r for g, r, _ in triples if g == group})
        verbs = sorted({v for g, _, v in triples if g == group})
        assert all((group, r, v) in triples for r in resources for v in verbs), "verbs differ within a group"
        rules.append(PolicyRule(api_groups=[group], resources=resources, verbs=verbs))
    return rules


def parse_settings(budget: Budget, index: int, *, source: str = "budgets file") -> tuple[Action, BaseModel]:
    """The action and its validated settings for budget.actions[index]; InputError naming the budget, the action
    and the field otherwise."""
    spec = budget.actions[index]
    where = f"budgets.{budget.name}.actions[{index}]"
    cls = ACTIONS.get(spec.type)
    if cls is None:
        raise InputError(f"unknown action type {spec.type!r}; known: {', '.join(sorted(ACTIONS))}",
                         source=source, obj=where, field="type")
    try:
        settings = cls.Settings.model_validate(spec.settings)
    except ValidationError as err:
        first = err.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise InputError(f"{_message(first)} (action {spec.type})", source=source, obj=where,
                         field="settings" + (f".{field}" if field else "")) from None
    return cls(), settings


def _message(error: Any) -> str:
    return str(error["msg"]).removeprefix("Value error, ")


def validate_actions(budget: Budget, *, source: str = "budgets file") -> None:
    """Start-up check of every action of a budget."""
    for index in range(len(budget.actions)):
        parse_settings(budget, index, source=source)
