"""`genaicost budgets validate|check`: budgets files, their status and their alerts (docs/budgets.md)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from genaicost.app.budget_costs import CostSource, CsvCosts, StoreCosts
from genaicost.app.budgets import (
    CheckResult,
    JsonStateFile,
    StateStore,
    StoreAlertState,
    action_runner,
    evaluate,
    run_check,
    scope_warnings,
    validate_config,
)
from genaicost.app.cost_history import read_history_csv
from genaicost.budgets.loader import LoadedBudgets, load_budgets
from genaicost.cli.errors import handle_errors
from genaicost.domain.errors import InputError
from genaicost.store import HistoryStore, open_store

budgets_app = typer.Typer(help="Validate budgets files and check budgets and alert rules against the spend.",
                          no_args_is_help=True)
_err = Console(stderr=True, highlight=False)


class CheckFormat(StrEnum):
    table = "table"
    json = "json"


FileArg = Annotated[Path, typer.Argument(metavar="FILE", help="Budgets YAML file (docs/budgets.md).")]
HistoryOption = Annotated[Path | None, typer.Option("--history", metavar="FILE.csv",
                                                    help="Daily cost CSV: date,cost_usd[,key].")]
StoreUrlOption = Annotated[str | None, typer.Option("--store", metavar="URL",
                                                    help="History store of genaicost serve / collect.")]


def _source(history: Path | None, store: HistoryStore | None) -> CostSource | None:
    if history is not None:
        return CsvCosts(read_history_csv(history), name=f"history {history}")
    if store is not None:
        return StoreCosts(store, today=datetime.now(UTC).date(), name="store")
    return None


def _open(history: Path | None, store_url: str | None) -> HistoryStore | None:
    if history is not None and store_url is not None:
        raise InputError("give --history or --store, not both", field="--history")
    return open_store(store_url) if store_url is not None else None


def _warn(lines: list[str]) -> None:
    for line in lines:
        _err.print(f"[yellow]warning:[/] {line}", soft_wrap=True)


@budgets_app.command("validate")
@handle_errors
def validate_command(file: FileArg, history: HistoryOption = None, store: StoreUrlOption = None) -> None:
    """Check a budgets file against its JSON schema and the notifier / action settings; with --history or
    --store also warn about scopes not in the data. Exit 0 when valid, 2 with the line and field when not."""
    loaded = load_budgets(file)
    validate_config(loaded)
    opened = _open(history, store)
    try:
        costs = _source(history, opened)
        if costs is not None:
            _warn(scope_warnings(loaded, costs))
    finally:
        if opened is not None:
            opened.close()
    c = loaded.config
    typer.echo(f"{file}: valid ({len(c.budgets)} budget(s), {len(c.rules)} rule(s), {len(c.notifiers)} notifier(s))")


def _state(loaded: LoadedBudgets, file: Path, state: Path | None, store: HistoryStore | None) -> StateStore:
    if state is not None or store is None:
        return JsonStateFile(state or file.with_name(f"{file.stem}.alert-state.json"))
    return StoreAlertState(store)


@budgets_app.command("check")
@handle_errors
def check_command(
    file: FileArg,
    history: HistoryOption = None,
    store: StoreUrlOption = None,
    apply: Annotated[bool, typer.Option("--apply", help="Execute the actions of budgets with enforce: true "
                                                         "(otherwise every action is a dry run).")] = False,
    state: Annotated[Path | None, typer.Option("--state", metavar="FILE", help=(
        "Alert state JSON file (default: FILE's name + .alert-state.json next to it; in the store with --store)."
    ))] = None,
    audit_log: Annotated[Path | None, typer.Option("--audit-log", metavar="FILE", help=(
        "Action audit log (JSON lines; default FILE's name + .audit.jsonl next to it)."))] = None,
    kubeconfig: Annotated[str | None, typer.Option("--kubeconfig", metavar="PATH",
                                                   help="Kubeconfig for the budgets' actions.")] = None,
    context: Annotated[str | None, typer.Option("--context", metavar="NAME", help="Kubeconfig context.")] = None,
    fmt: Annotated[CheckFormat, typer.Option("--format", help="Output format.")] = CheckFormat.table,
) -> None:
    """Each budget's status over its current period (actual, forecast, % used, thresholds crossed) and the
    alerts of budgets and rules; notifies the configured targets (de-duplicated, re-notified after
    renotify_interval_hours) and plans the budgets' actions (dry-run unless --apply and enforce: true)."""
    from genaicost.sources.kube_live import make_api_client

    loaded = load_budgets(file)
    validate_config(loaded)
    if history is None and store is None:
        raise InputError("give the spend: --history FILE.csv or --store URL", field="--history")
    opened = _open(history, store)
    try:
        costs = _source(history, opened)
        assert costs is not None
        warnings = scope_warnings(loaded, costs)
        now = datetime.now(UTC)
        ev = evaluate(loaded.config, costs, now=now)
        ev.warnings = warnings + ev.warnings
        runner = action_runner(loaded.config, now=now, apply=apply,
                               audit_path=audit_log or file.with_name(f"{file.stem}.audit.jsonl"),
                               api_client=lambda: make_api_client(kubeconfig, context))
        result = run_check(loaded.config, ev, now=now, state=_state(loaded, file, state, opened), act=runner)
    finally:
        if opened is not None:
            opened.close()
    _warn(ev.warnings)
    if fmt is CheckFormat.json:
        typer.echo(json.dumps(result.to_json(), indent=2))
    else:
        _table(result)


def _money(value: float | None) -> str:
    return "—" if value is None else f"${value:,.2f}"


def _table(result: CheckResult) -> None:
    out = Console(width=160, emoji=False, highlight=False)
    ev = result.evaluation
    table = Table(title=f"Budgets as of {ev.as_of or 'no data'}")
    for column in ("budget", "scope", "period", "amount", "actual", "% used", "forecast", "% forecast",
                   "thresholds crossed"):
        table.add_column(column, justify="right" if column in ("amount", "actual", "forecast") else "left")
    for s in ev.statuses:
        crossed = ", ".join(f"{t.percent:g}% {t.of}" for t in s.thresholds if t.crossed) or "none"
        table.add_row(s.name, s.scope, f"{s.period_start} to {s.period_end}", _money(s.amount_usd),
                      _money(s.actual_usd), f"{s.percent_used:.1f}%", _money(s.forecast_usd),
                      "—" if s.percent_forecast is None else f"{s.percent_forecast:.1f}%", crossed)
    out.print(table)
    for alert in ev.alerts:
        out.print(f"[{alert.severity}] {alert.key}: {alert.summary}", markup=False, soft_wrap=True)
    if not ev.alerts:
        out.print("no alerts firing")
    for d in result.deliveries:
        out.print(f"notified {d.target}: {'ok' if d.ok else 'FAILED ' + (d.error or '')} "
                  f"({len(d.alert_keys)} alert(s), {d.attempts} attempt(s))", markup=False)
    for a in result.actions:
        out.print(f"action {a['action']} on {a['target']}: {a['result']}"
                  f"{' (dry run)' if a['dry_run'] else ''} {a.get('reason', '')}", markup=False)
    for note in ev.notes:
        out.print(f"note: {note}", markup=False)
