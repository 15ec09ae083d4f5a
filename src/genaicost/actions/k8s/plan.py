"""Validate → plan → act: plan_actions reads the cluster and says what each budget action would change;
execute writes (only with apply=True and the budget's enforce: true) and audits every plan."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from genaicost.actions.k8s.audit import AuditEntry, AuditLog
from genaicost.actions.k8s.base import ActionPlan, PlanContext, dig
from genaicost.actions.k8s.kube import KubeError, patch_object
from genaicost.actions.k8s.registry import parse_settings
from genaicost.domain.alert import Alert
from genaicost.domain.budget import Budget


class SpendState(Protocol):
    """What plan_actions needs of the budget's evaluation (domain.budget.BudgetStatus has it)."""

    @property
    def percent_used(self) -> float: ...


def _alert_key(budget: Budget, alerts: list[Alert]) -> str | None:
    firing = [a for a in alerts if a.budget == budget.name and a.status == "firing"]
    return max(firing, key=lambda a: (a.threshold, a.key)).key if firing else None


def plan_actions(budget: Budget, alerts: list[Alert], *, now: datetime, state: SpendState,
                 api_client: Any) -> list[ActionPlan]:
    """Each budget action whose at_percent is reached (actual spend, state.percent_used), and each mark-then-act
    whose mark can be cancelled, planned against the objects as the API returns them now. No write."""
    plans: list[ActionPlan] = []
    key = _alert_key(budget, alerts)
    for index, spec in enumerate(budget.actions):
        action, settings = parse_settings(budget, index)
        ctx = PlanContext(budget=budget.name, alert_key=key, enforce=budget.enforce, now=now,
                          percent_used=state.percent_used, at_percent=spec.at_percent, api_client=api_client)
        if ctx.triggered or action.acts_on_recovery:
            plans.extend(action.plan(settings, ctx))
    return plans


def _utcnow() -> datetime:
    return datetime.now(UTC)


def execute(plans: list[ActionPlan], *, api_client: Any, apply: bool, audit: AuditLog,
            clock: Callable[[], datetime] = _utcnow) -> list[AuditEntry]:
    """Dry-run unless apply=True and the plan's budget has enforce: true. Every plan gets one audit entry;
    API failures are results, not exceptions."""
    entries = [_execute_one(plan, api_client, apply, clock) for plan in plans]
    audit.append(entries)
    return entries


def _execute_one(plan: ActionPlan, api_client: Any, apply: bool,
                 clock: Callable[[], datetime]) -> AuditEntry:
    dry_run = not (apply and plan.enforce)
    after = plan.after
    if plan.error is not None:
        result = f"error: {plan.error}"
    elif plan.patch is None:
        result = "no change"
    elif dry_run:
        why = "--apply not given" if not apply else f"budget {plan.budget} has enforce: false"
        result = f"dry-run ({why}): would PATCH {plan.path} {plan.patch}"
    else:
        assert plan.ref is not None
        try:
            written = patch_object(api_client, plan.ref, plan.patch)
        except KubeError as err:
            result, after = f"error: {err}", None
        else:
            result = "applied"
            after = {k: dig(written, path) for k, path in plan.fields.items()}
    return AuditEntry(time=clock(), budget=plan.budget, alert_key=plan.alert_key, action=plan.action,
                      target=plan.target, path=plan.path, before=plan.before, after=after, dry_run=dry_run,
                      result=result, reason=plan.reason)
