"""Use case `budgets check` (and serve's evaluation after each collection): validate → evaluate → dedupe →
notify → plan / execute actions. docs/budgets.md.

`evaluate` is pure given a CostSource: each budget's status over its current period (as of the source's last
complete day) and the alerts of every budget threshold and rule. `run_check` adds the side effects: alert state
(a JSON file or the store), notifications through the configured notifiers (actions.notifiers.deliver) and the
budgets' Kubernetes actions (actions.k8s; dry-run unless apply and the budget's enforce: true).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from genaicost.actions.notifiers import DeliveryRecord, Notifier, build_notifiers, deliver
from genaicost.app.budget_costs import CostSource
from genaicost.app.output import write_atomic
from genaicost.budgets.loader import LoadedBudgets
from genaicost.domain.alert import Alert, AlertState
from genaicost.domain.budget import BudgetsFile, BudgetStatus, Scope
from genaicost.domain.errors import InputError
from genaicost.engine.budgets import evaluate_budget, threshold_alerts
from genaicost.engine.budgets_dedupe import dedupe
from genaicost.engine.budgets_rules import burn_rate_alert, idle_gpu_alert, spend_change_alert, token_price_alert
from genaicost.engine.forecast import projected_period_total
from genaicost.engine.forecast_backtest import detect_anomalies
from genaicost.store import HistoryStore
from genaicost.store.alerts import load_alert_state, record_deliveries, save_alert_state


@dataclass
class Evaluation:
    as_of: date | None
    statuses: list[BudgetStatus] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class CheckResult:
    evaluation: Evaluation
    notified: list[Alert] = field(default_factory=list)
    deliveries: list[DeliveryRecord] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        ev = self.evaluation
        return {
            "as_of": ev.as_of.isoformat() if ev.as_of else None,
            "budgets": [s.model_dump(mode="json") for s in ev.statuses],
            "alerts": [a.model_dump(mode="json") for a in ev.alerts],
            "notified": [a.model_dump(mode="json") for a in self.notified],
            "deliveries": [d.model_dump(mode="json", exclude={"history"}) for d in self.deliveries],
            "actions": self.actions,
            "warnings": ev.warnings,
            "notes": ev.notes,
        }


def scope_warnings(loaded: LoadedBudgets, costs: CostSource) -> list[str]:
    """A scope naming a namespace / label value / model / cluster that is not in the data: a warning."""
    out = []
    items: list[tuple[str, int, Scope]] = [("budgets", i, b.scope) for i, b in enumerate(loaded.config.budgets)]
    items += [("rules", i, r.scope) for i, r in enumerate(loaded.config.rules)]
    with_tokens = any(r.type == "token-price" for r in loaded.config.rules) and costs.token_usage() is not None
    for i, rule in enumerate(loaded.config.rules):
        if rule.type == "token-price" and rule.model is not None and with_tokens:
            items.append(("rules", i, Scope(kind="model", value=rule.model)))
    for section, i, scope in items:
        known = costs.known(scope)
        if known is not None and scope.value not in known:
            shown = ", ".join(sorted(known)[:10]) or "none"
            out.append(f"{loaded.where([section, i, 'scope'])}: {scope.describe()} is not in the {costs.name} "
                       f"data (seen: {shown}); its spend counts as $0")
    return out


def evaluate(config: BudgetsFile, costs: CostSource, *, now: datetime) -> Evaluation:
    as_of = costs.last_day()
    ev = Evaluation(as_of=as_of)
    if as_of is None:
        ev.notes.append(f"no complete day of cost data in the {costs.name}; nothing evaluated")
        return ev
    series = {b.name: costs.series(b.scope) for b in config.budgets}
    for budget in config.budgets:
        status = evaluate_budget(budget, series[budget.name], today=as_of, scope=budget.scope.describe(),
                                 projector=projected_period_total)
        ev.statuses.append(status)
        ev.alerts += threshold_alerts(budget, status, now=now)
    budgets = {b.name: b for b in config.budgets}
    for rule in config.rules:
        alert: Alert | None = None
        if rule.type == "burn-rate" and rule.budget is not None:
            budget = budgets[rule.budget]
            alert = burn_rate_alert(rule, budget, series[budget.name], through=as_of,
                                    scope=budget.scope.describe(), now=now)
        elif rule.type == "spend-change":
            history = costs.series(rule.scope)
            if history.height >= rule.baseline_days + 1:
                alert = spend_change_alert(rule, history, through=as_of, scope=rule.scope.describe(), now=now,
                                           detect=detect_anomalies)
            else:
                ev.notes.append(f"rule {rule.name}: {history.height} day(s) of history, fewer than baseline_days + 1")
        elif rule.type == "idle-gpu":
            idle = costs.idle_gpu()
            if idle is None:
                ev.notes.append(f"rule {rule.name}: the {costs.name} has no idle GPU cost (needs --store)")
            else:
                alert = idle_gpu_alert(rule, idle, through=as_of, now=now)
        elif rule.type == "token-price":
            usage = costs.token_usage()
            if usage is None:
                ev.notes.append(f"rule {rule.name}: the {costs.name} has no token counts (needs --store)")
            else:
                alert = token_price_alert(rule, usage, through=as_of, now=now)
        if alert is not None:
            ev.alerts.append(alert)
    return ev


class StateStore(Protocol):
    def load(self) -> AlertState: ...

    def save(self, state: AlertState) -> None: ...

    def record(self, deliveries: list[DeliveryRecord]) -> None: ...


class JsonStateFile:
    """Alert state in a JSON file (`budgets check --history` without a store); written atomically."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def load(self) -> AlertState:
        if not self.path.exists():
            return AlertState()
        try:
            return AlertState.model_validate_json(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise InputError(f"not an alert state file ({str(err).splitlines()[0]}); delete it to start afresh",
                             source=str(self.path), field="--state") from None

    def save(self, state: AlertState) -> None:
        write_atomic(self.path, json.dumps(state.model_dump(mode="json"), indent=2, sort_keys=True) + "\n")

    def record(self, deliveries: list[DeliveryRecord]) -> None:
        return None            # delivery records are in the command's output


class StoreAlertState:
    """Alert state and delivery records in the history store (store.alerts)."""

    def __init__(self, store: HistoryStore) -> None:
        self.store = store

    def load(self) -> AlertState:
        return load_alert_state(self.store)

    def save(self, state: AlertState) -> None:
        save_alert_state(self.store, state)

    def record(self, deliveries: list[DeliveryRecord]) -> None:
        record_deliveries(self.store, deliveries)


def targets_by_owner(config: BudgetsFile) -> dict[str, list[str]]:
    return {**{b.name: b.notify for b in config.budgets}, **{r.name: r.notify for r in config.rules}}


def route(alerts: list[Alert], config: BudgetsFile) -> dict[str, list[Alert]]:
    """Alerts per notifier name: a budget's alerts go to its notify list, a rule's to the rule's."""
    owners = targets_by_owner(config)
    out: dict[str, list[Alert]] = {}
    for alert in alerts:
        for target in owners.get(alert.labels.get("owner", ""), []):
            out.setdefault(target, []).append(alert)
    return out


def run_check(config: BudgetsFile, ev: Evaluation, *, now: datetime, state: StateStore,
              notifiers: dict[str, Notifier] | None = None,
              act: Callable[[Evaluation], list[dict[str, Any]]] | None = None,
              sleep: Callable[[float], None] | None = None) -> CheckResult:
    """Dedupe against the saved state, notify, run the actions, save the new state."""
    built = notifiers if notifiers is not None else build_notifiers(config.notifiers)
    to_notify, new_state = dedupe(ev.alerts, state.load(), now, timedelta(hours=config.renotify_interval_hours))
    kwargs: dict[str, Any] = {} if sleep is None else {"sleep": sleep}
    deliveries = deliver(built, route(to_notify, config), **kwargs)
    state.save(new_state)
    state.record(deliveries)
    actions = act(ev) if act is not None else []
    return CheckResult(ev, to_notify, deliveries, actions)


def validate_config(loaded: LoadedBudgets) -> None:
    """Start-up checks beyond the schema: every notifier builds, every action's settings parse."""
    from genaicost.actions.k8s import validate_actions

    build_notifiers(loaded.config.notifiers, source=loaded.source)
    for budget in loaded.config.budgets:
        validate_actions(budget, source=loaded.source)


def action_runner(config: BudgetsFile, *, now: datetime, apply: bool, audit_path: Path,
                  api_client: Callable[[], Any]) -> Callable[[Evaluation], list[dict[str, Any]]]:
    """Plan every budget's actions against the cluster and execute them (dry-run unless apply and enforce);
    every plan is written to the audit log. Budgets without actions never touch the Kubernetes API."""
    from genaicost.actions.k8s import AuditLog, execute, plan_actions

    def run(ev: Evaluation) -> list[dict[str, Any]]:
        with_actions = [b for b in config.budgets if b.actions]
        if not with_actions:
            return []
        client = api_client()
        audit = AuditLog(audit_path)
        statuses = {s.name: s for s in ev.statuses}
        entries = []
        for budget in with_actions:
            if budget.name not in statuses:
                continue
            plans = plan_actions(budget, ev.alerts, now=now, state=statuses[budget.name], api_client=client)
            entries += execute(plans, api_client=client, apply=apply, audit=audit)
        return [e.model_dump(mode="json") for e in entries]

    return run
