"""`genaicost budgets validate|check`: errors with their line and field, check JSON on a CSV history."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from typer.testing import CliRunner

from genaicost.budgets.schema import generate_schema, shipped_schema
from genaicost.cli.main import app

runner = CliRunner()

GOOD = """\
renotify_interval_hours: 24
notifiers:
  hook:
    type: webhook
    settings: {url: "URL"}
budgets:
  - name: llm-monthly
    scope: {kind: namespace, value: llm}
    period: monthly
    amount_usd: 1000
    thresholds:
      - {percent: 50}
      - {percent: 80}
      - {percent: 100, of: forecast, severity: critical}
    notify: [hook]
  - name: search-weekly
    scope: {kind: namespace, value: search}
    period: weekly
    amount_usd: 100
    thresholds: [{percent: 20}]
rules:
  - {name: llm-burn, type: burn-rate, budget: llm-monthly, factor: 1.1, notify: [hook]}
"""


def write(tmp_path: Path, text: str, name: str = "budgets.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def history(tmp_path: Path, llm_usd: float = 40.0, last: date = date(2026, 11, 18)) -> Path:
    """llm $40/day and search $7/day from Oct 1 to `last`."""
    lines = ["date,cost_usd,key"]
    day = date(2026, 10, 1)
    while day <= last:
        lines += [f"{day},{llm_usd},llm", f"{day},7.0,search"]
        day += timedelta(days=1)
    path = tmp_path / "history.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_shipped_schema_is_generated_from_the_models() -> None:
    assert shipped_schema() == json.loads(json.dumps(generate_schema()))


@pytest.mark.parametrize(("edit", "expected"), [
    (("amount_usd: 1000", "amount_usd: -5"),
     "budgets.yaml:10: budgets[0].amount_usd: -5 is less than or equal to the minimum of 0"),
    (("period: weekly", "period: yearly"),
     "budgets.yaml:18: budgets[1].period: 'yearly' is not one of ['monthly', 'weekly', 'custom']"),
    (("    amount_usd: 100\n", "    amount_usd: 100\n    amout: 3\n"),
     "budgets.yaml:20: budgets[1].amout: unknown field 'amout'; expected one of: actions, amount_usd"),
    (("{percent: 20}", "{percent: 20, of: spend}"),
     "budgets.yaml:20: budgets[1].thresholds[0].of: 'spend' is not one of ['actual', 'forecast']"),
    (("{kind: namespace, value: search}", "{kind: label, value: search}"),
     "budgets.yaml:17: budgets[1].scope.key: a label scope needs both key"),
    (("    period: weekly\n", "    period: weekly\n    reset_day: 9\n"),
     "budgets.yaml:19: budgets[1].reset_day: a weekly budget's reset_day is an ISO weekday"),
    (("notify: [hook]}", "notify: [pager]}"),
     "budgets.yaml:22: rules[0].notify[0]: 'pager' is not defined in notifiers (defined: hook)"),
    (("budget: llm-monthly,", "budget: llm,"),
     "budgets.yaml:22: rules[0].budget: 'llm' is not the name of a budget in this file"),
    (("    amount_usd: 100\n", "    amount_usd: [100\n"), "budgets.yaml:20: not valid YAML"),
])
def test_validate_names_line_and_field(tmp_path: Path, edit: tuple[str, str], expected: str) -> None:
    assert edit[0] in GOOD
    path = write(tmp_path, GOOD.replace(*edit).replace("URL", "http://127.0.0.1:9/"))
    result = runner.invoke(app, ["budgets", "validate", str(path)])
    assert result.exit_code == 2, result.output
    assert expected in " ".join(result.output.split()).replace(f"{tmp_path}/", "")


def test_validate_ok_and_notifier_misconfiguration(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("URL", "http://127.0.0.1:9/"))
    result = runner.invoke(app, ["budgets", "validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "valid (2 budget(s), 1 rule(s), 1 notifier(s))" in result.output
    bad = write(tmp_path, GOOD.replace("URL", "not a url"), "bad.yaml")
    result = runner.invoke(app, ["budgets", "validate", str(bad)])
    assert result.exit_code == 2
    assert "notifiers.hook" in result.output and "settings.url" in result.output


def test_validate_warns_about_unknown_scopes(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("URL", "http://127.0.0.1:9/").replace("value: search", "value: serch"))
    result = runner.invoke(app, ["budgets", "validate", str(path), "--history", str(history(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "budgets.yaml:17: budgets[1].scope: namespace serch is not in the history" in result.output
    assert "(seen: llm, search)" in result.output


class Receiver(BaseHTTPRequestHandler):
    bodies: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        Receiver.bodies.append(json.loads(self.rfile.read(length)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def hook() -> Iterator[str]:
    Receiver.bodies = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/alerts"
    finally:
        server.shutdown()
        server.server_close()


def check(path: Path, hist: Path) -> dict[str, object]:
    result = runner.invoke(app, ["budgets", "check", str(path), "--history", str(hist), "--format", "json"])
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.stdout)
    return data


def test_check_json_on_a_csv_history(tmp_path: Path, hook: str) -> None:
    path = write(tmp_path, GOOD.replace("URL", hook))
    data = check(path, history(tmp_path))
    assert data["as_of"] == "2026-11-18"
    llm, search = data["budgets"]  # type: ignore[misc]
    # Nov 1..18: 18 × $40 = $720 of $1,000; constant spend → the forecast is 30 × $40 = $1,200
    assert (llm["period_start"], llm["period_end"], llm["days_elapsed"]) == ("2026-11-01", "2026-11-30", 18)
    assert llm["actual_usd"] == pytest.approx(720.0) and llm["percent_used"] == pytest.approx(72.0)
    assert llm["forecast_usd"] == pytest.approx(1200.0) and llm["percent_forecast"] == pytest.approx(120.0)
    assert [t["crossed"] for t in llm["thresholds"]] == [True, False, True]
    # weekly from Monday Nov 16: 3 × $7 = $21 of $100 → 21 % ≥ 20 %
    assert (search["period_start"], search["actual_usd"]) == ("2026-11-16", pytest.approx(21.0))
    keys = [a["key"] for a in data["alerts"]]  # type: ignore[index]
    assert keys == ["budget:llm-monthly:threshold:50:actual", "budget:llm-monthly:threshold:100:forecast",
                    "budget:search-weekly:threshold:20:actual", "rule:llm-burn:burn-rate"]
    burn = data["alerts"][3]  # type: ignore[index]
    assert burn["value"] == pytest.approx(40.0) and burn["threshold"] == pytest.approx(1.1 * 1000 / 30)
    # search-weekly has no notify: three alerts go to the hook in one batch
    assert [d["ok"] for d in data["deliveries"]] == [True]  # type: ignore[index]
    assert sorted(a["key"] for a in Receiver.bodies[0]["alerts"]) == sorted(  # type: ignore[index]
        k for k in keys if "search" not in k)
    state = json.loads((tmp_path / "budgets.alert-state.json").read_text())
    assert sorted(state["entries"]) == sorted(keys)

    # the same evaluation again: nothing notified (re-notify after 24 h)
    again = check(path, history(tmp_path))
    assert again["notified"] == [] and len(Receiver.bodies) == 1

    # spend falls to $10/day: 50 % actual (Nov 1..18 = $180) and the forecast and burn alerts resolve
    low = check(path, history(tmp_path, llm_usd=10.0))
    resolved = sorted(a["key"] for a in low["notified"] if a["status"] == "resolved")  # type: ignore[union-attr]
    assert resolved == ["budget:llm-monthly:threshold:100:forecast", "budget:llm-monthly:threshold:50:actual",
                        "rule:llm-burn:burn-rate"]
    assert len(Receiver.bodies) == 2 and all(a["status"] == "resolved" for a in Receiver.bodies[1]["alerts"])
    assert sorted(json.loads((tmp_path / "budgets.alert-state.json").read_text())["entries"]) == [
        "budget:search-weekly:threshold:20:actual"]


def test_check_needs_a_source(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("URL", "http://127.0.0.1:9/"))
    result = runner.invoke(app, ["budgets", "check", str(path)])
    assert result.exit_code == 2 and "--history FILE.csv or --store URL" in result.output


KUBECONFIG = """\
apiVersion: v1
kind: Config
clusters: [{name: rec, cluster: {server: "SERVER"}}]
users: [{name: rec, user: {token: TOKEN}}]
contexts: [{name: rec, context: {cluster: rec, user: rec}}]
current-context: rec
"""

ACTIONS = """\
budgets:
  - name: llm-monthly
    scope: {kind: namespace, value: llm}
    period: monthly
    amount_usd: 700
    thresholds: [{percent: 100, severity: critical}]
    enforce: ENFORCE
    actions:
      - {type: scale, at_percent: 100, settings: {namespace: llm, name: vllm-70b, replicas: 0}}
"""


@pytest.fixture
def recorded_kube(tmp_path: Path) -> Iterator[tuple[Any, Any, Path]]:
    from tests.actions.action_servers import RecordedKubeApi, Recorder, serve

    data = Path(__file__).resolve().parents[1] / "data" / "k8s" / "actions"
    api = RecordedKubeApi(data)
    api.add("/apis/apps/v1/namespaces/llm/deployments/vllm-70b", "deployment_vllm-70b.json")
    api.add("/apis/apps/v1/namespaces/llm/deployments/vllm-70b/scale", "deployment_vllm-70b_scale.json")
    for recorder in serve(Recorder(handler=api.answer)):
        config = tmp_path / "kubeconfig"
        config.write_text(KUBECONFIG.replace("SERVER", recorder.url).replace("TOKEN", api.token))
        yield api, recorder, config


@pytest.mark.parametrize(("enforce", "apply", "dry_run"), [
    ("true", False, True), ("false", True, True), ("true", True, False)])
def test_check_runs_the_budget_actions_dry_unless_apply_and_enforce(
        tmp_path: Path, recorded_kube: tuple[Any, Any, Path], enforce: str, apply: bool, dry_run: bool) -> None:
    _, recorder, kubeconfig = recorded_kube
    path = write(tmp_path, ACTIONS.replace("ENFORCE", enforce))
    args = ["budgets", "check", str(path), "--history", str(history(tmp_path)), "--kubeconfig", str(kubeconfig),
            "--format", "json", *(["--apply"] if apply else [])]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    # Nov 1..18 at $40/day = $720 = 102.9 % of $700 ≥ at_percent 100 → the scale action is planned
    assert data["budgets"][0]["percent_used"] == pytest.approx(720 / 700 * 100)
    [entry] = data["actions"]
    assert (entry["action"], entry["dry_run"], entry["budget"]) == ("scale", dry_run, "llm-monthly")
    assert entry["alert_key"] == "budget:llm-monthly:threshold:100:actual"
    patches = [r for r in recorder.requests if r.method == "PATCH"]
    assert len(patches) == (0 if dry_run else 1)
    audit = [json.loads(line) for line in (tmp_path / "budgets.audit.jsonl").read_text().splitlines()]
    assert [(a["action"], a["dry_run"]) for a in audit] == [("scale", dry_run)]


def test_the_documented_example_is_valid(tmp_path: Path) -> None:
    import re

    docs = (Path(__file__).resolve().parents[2] / "docs" / "budgets.md").read_text()
    example = re.search(r"```yaml\n(.*?)```", docs, re.S)
    assert example is not None
    path = write(tmp_path, example[1])
    result = runner.invoke(app, ["budgets", "validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "valid (3 budget(s), 4 rule(s), 3 notifier(s))" in result.output


def test_check_table(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("[hook]", "[]").replace("URL", "http://127.0.0.1:9/"))
    result = runner.invoke(app, ["budgets", "check", str(path), "--history", str(history(tmp_path))])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Budgets as of 2026-11-18" in out
    row = next(line for line in out.splitlines() if "llm-monthly" in line and "2026-11-01" in line)
    for text in ("namespace llm", "$1,000.00", "$720.00", "72.0%", "$1,200.00", "120.0%", "50% actual, 100% forecast"):
        assert text in row, text
    assert "[critical] budget:llm-monthly:threshold:100:forecast:" in out
    assert "notified" not in out                                   # no notify targets
