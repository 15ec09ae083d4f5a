"""The alertmanager notifier against a real Alertmanager 0.25 (Debian prometheus-alertmanager) on loopback."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from action_servers import AlertmanagerServer, Recorder, make_alert

from genaicost.actions.notifiers import build_notifiers, deliver
from genaicost.domain.budget import NotifierConfig

pytestmark = pytest.mark.slow


def _notifiers(am: AlertmanagerServer) -> Any:
    return build_notifiers({"am": NotifierConfig(type="alertmanager", settings={
        "url": am.url, "generator_url": "http://genaicost.costs:8080/", "labels": {"cluster": "prod-eks"}})})


def _wait_for(predicate: Any, timeout_s: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def test_alert_arrives_with_labels_then_resolves(alertmanager: AlertmanagerServer, receiver: Recorder) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    firing = make_alert(1, starts_at=now - timedelta(minutes=5), severity="critical")
    [record] = deliver(_notifiers(alertmanager), {"am": [firing]}, sleep=lambda s: None)
    assert record.ok and record.attempts == 1, record.error

    [got] = httpx.get(f"{alertmanager.url}/api/v2/alerts").json()
    assert got["labels"] == {
        "alertname": "genaicost-threshold", "severity": "critical", "budget": "llm-monthly",
        "alert_key": "budget:llm-monthly:threshold:81:actual", "source": "genaicost", "cluster": "prod-eks",
        "namespace": "llm", "team_name": "search"}
    assert got["annotations"] == {"summary": "llm-monthly at 81% of $1,000.00 (actual)", "value": "801",
                                  "threshold": "81"}
    assert got["status"]["state"] == "active" and got["generatorURL"] == "http://genaicost.costs:8080/"
    assert datetime.fromisoformat(got["startsAt"]) == firing.starts_at
    # no endsAt sent: Alertmanager gives a firing alert now + resolve_timeout (5 min by default)
    assert datetime.fromisoformat(got["endsAt"]) > now + timedelta(minutes=4)

    # Alertmanager routed it to its webhook receiver (our recorder) as firing
    first = _wait_for(lambda: [r.json() for r in receiver.requests if r.path == "/alertmanager-webhook"])[0]
    assert first["status"] == "firing" and first["alerts"][0]["labels"]["alert_key"] == firing.key

    # resolved with an end 3 s ahead: the API shows the alert with that endsAt until then
    ended = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=3)
    resolved = firing.model_copy(update={"status": "resolved", "ends_at": ended})
    [record] = deliver(_notifiers(alertmanager), {"am": [resolved]}, sleep=lambda s: None)
    assert record.ok, record.error
    [got] = httpx.get(f"{alertmanager.url}/api/v2/alerts").json()
    assert datetime.fromisoformat(got["endsAt"]) == ended and got["labels"]["alert_key"] == firing.key

    def resolved_notification() -> list[dict[str, Any]]:
        return [b for r in receiver.requests if r.path == "/alertmanager-webhook"
                for b in [r.json()] if b["status"] == "resolved"]

    [note] = _wait_for(resolved_notification)
    [alert] = note["alerts"]
    assert alert["status"] == "resolved" and datetime.fromisoformat(alert["endsAt"]) == ended
    assert alert["labels"]["alert_key"] == firing.key
    # once endsAt has passed, the API no longer lists it as an active alert
    _wait_for(lambda: httpx.get(f"{alertmanager.url}/api/v2/alerts?active=true").json() == [])


def test_unreachable_alertmanager_is_recorded(alertmanager: AlertmanagerServer) -> None:
    alertmanager.process.terminate()
    alertmanager.process.wait(timeout=10)
    slept: list[float] = []
    [record] = deliver(_notifiers(alertmanager), {"am": [make_alert()]}, retries=2, backoff_s=0.25,
                       sleep=slept.append)
    assert (record.ok, record.attempts, slept) == (False, 3, [0.25, 0.5])
    assert "ConnectError" in (record.error or "")


def test_invalid_alert_is_a_permanent_400(alertmanager: AlertmanagerServer) -> None:
    # endsAt before startsAt: Alertmanager refuses the batch (400), which is not retried
    bad = make_alert(status="resolved", ends_at=datetime(2026, 11, 28, 9, 0, tzinfo=UTC))
    [record] = deliver(_notifiers(alertmanager), {"am": [bad]}, sleep=lambda s: pytest.fail("no retry"))
    assert (record.ok, record.attempts, record.history[0].status_code) == (False, 1, 400)
    assert "start time must be before end time" in (record.error or "")
