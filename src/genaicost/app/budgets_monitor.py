"""Budgets inside `genaicost serve --budgets FILE`: validated at start-up, evaluated after each collection.

The file is loaded and its notifiers built when the server starts (a misconfiguration stops it with exit 2,
not at the first alert). After every successful collection the budgets and rules are evaluated on the store,
de-duplicated against the alert state in the store and notified; a failure is logged and kept for /budgets, it
never stops collecting. The budgets' Kubernetes actions are not run by serve: `genaicost budgets check --store
URL [--apply]` runs them (e.g. from a CronJob), so the API server needs no write permissions.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from pathlib import Path

from genaicost.app.budget_costs import StoreCosts
from genaicost.app.budgets import CheckResult, StoreAlertState, evaluate, run_check, scope_warnings, validate_config
from genaicost.app.collect import Collector
from genaicost.app.collector_thread import CollectorThread
from genaicost.app.serve_state import ServeState
from genaicost.budgets.loader import LoadedBudgets, load_budgets
from genaicost.store import HistoryStore

log = logging.getLogger("genaicost.budgets")


class BudgetsMonitor:
    def __init__(self, path: Path, store: HistoryStore) -> None:
        self.loaded: LoadedBudgets = load_budgets(path)
        validate_config(self.loaded)
        self.store = store
        self._lock = threading.Lock()
        self.last: CheckResult | None = None
        self.evaluated_at: datetime | None = None
        self.last_error: str | None = None

    def evaluate(self, now: datetime | None = None) -> CheckResult:
        moment = now or datetime.now(UTC)
        costs = StoreCosts(self.store, today=moment.date())
        ev = evaluate(self.loaded.config, costs, now=moment)
        ev.warnings = scope_warnings(self.loaded, costs) + ev.warnings
        result = run_check(self.loaded.config, ev, now=moment, state=StoreAlertState(self.store))
        with self._lock:
            self.last, self.evaluated_at, self.last_error = result, moment, None
        for warning in ev.warnings:
            log.warning("%s", warning)
        return result

    def evaluate_safely(self, now: datetime | None = None) -> None:
        try:
            result = self.evaluate(now)
        except Exception as err:  # keep serving; /budgets shows the error
            log.exception("budget evaluation failed")
            with self._lock:
                self.last_error = f"{type(err).__name__}: {err}"
            return
        log.info("budgets evaluated: %d alert(s) firing, %d notified", len(result.evaluation.alerts),
                 len(result.notified))

    def snapshot(self) -> tuple[CheckResult | None, datetime | None, str | None]:
        with self._lock:
            return self.last, self.evaluated_at, self.last_error


class BudgetsCollectorThread(CollectorThread):
    """The collector thread that evaluates the budgets after each successful collection."""

    def __init__(self, collector: Collector, state: ServeState, interval_s: float, monitor: BudgetsMonitor) -> None:
        super().__init__(collector, state, interval_s)
        self.monitor = monitor

    def collect_once(self) -> None:
        before = self.state.collections
        super().collect_once()
        if self.state.collections > before and self.state.last_error is None:    # this collection succeeded
            self.monitor.evaluate_safely()


def collector_thread(collector: Collector, state: ServeState, interval_s: float,
                     monitor: BudgetsMonitor | None) -> CollectorThread:
    if monitor is None:
        return CollectorThread(collector, state, interval_s)
    return BudgetsCollectorThread(collector, state, interval_s, monitor)
