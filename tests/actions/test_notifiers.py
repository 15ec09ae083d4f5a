"""Notifiers against a recording HTTP receiver on loopback: payloads, headers, retries, permanent failures."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from action_servers import Recorder, make_alert

from genaicost.actions.notifiers import NOTIFIERS, build_notifiers, deliver
from genaicost.domain.budget import NotifierConfig
from genaicost.domain.errors import InputError


def configs(**entries: dict[str, Any]) -> dict[str, NotifierConfig]:
    return {name: NotifierConfig.model_validate(c) for name, c in entries.items()}


def test_registry_names_are_kebab_case_and_complete() -> None:
    assert sorted(NOTIFIERS) == ["alertmanager", "log", "slack", "webhook"]


def test_webhook_posts_the_alerts_with_headers_and_bearer_token(receiver: Recorder, tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("s3cret\n")
    notifiers = build_notifiers(configs(ops={"type": "webhook", "settings": {
        "url": f"{receiver.url}/hook", "headers": {"X-Team": "finops"}, "bearer_token_file": str(token)}}))
    alerts = [make_alert(1), make_alert(2, status="resolved", ends_at=datetime(2026, 11, 28, 12, tzinfo=UTC))]
    [record] = deliver(notifiers, {"ops": alerts}, sleep=lambda s: None)
    assert record.ok and record.attempts == 1 and record.alert_keys == [a.key for a in alerts]
    [request] = receiver.requests
    assert (request.method, request.path) == ("POST", "/hook")
    assert request.headers["authorization"] == "Bearer s3cret" and request.headers["x-team"] == "finops"
    assert request.headers["content-type"] == "application/json"
    body = request.json()
    assert body["source"] == "genaicost"
    assert body["alerts"][0] == {
        "key": "budget:llm-monthly:threshold:81:actual", "rule": "threshold", "budget": "llm-monthly",
        "severity": "warning", "summary": "llm-monthly at 81% of $1,000.00 (actual)", "value": 801.0,
        "threshold": 81.0, "labels": {"namespace": "llm", "team-name": "search"},
        "starts_at": "2026-11-28T09:30:00Z", "status": "firing", "ends_at": None}
    assert body["alerts"][1]["status"] == "resolved" and body["alerts"][1]["ends_at"] == "2026-11-28T12:00:00Z"


def test_slack_payload_has_text_and_blocks(receiver: Recorder) -> None:
    notifiers = build_notifiers(configs(chat={"type": "slack", "settings": {
        "url": f"{receiver.url}/services/T000/B000/XXX", "channel": "#finops"}}))
    alerts = [make_alert(1, severity="critical"), make_alert(2, status="resolved")]
    [record] = deliver(notifiers, {"chat": alerts}, sleep=lambda s: None)
    assert record.ok
    body = receiver.requests[0].json()
    assert body["channel"] == "#finops"
    assert body["text"] == ("genaicost: 1 firing, 1 resolved — llm-monthly at 81% of $1,000.00 (actual); "
                            "llm-monthly at 82% of $1,000.00 (actual)")
    assert body["blocks"][0] == {"type": "header",
                                 "text": {"type": "plain_text", "text": "genaicost: 2 cost alert(s)"}}
    assert body["blocks"][1] == {"type": "section", "text": {
        "type": "mrkdwn", "text": ":rotating_light: *CRITICAL* llm-monthly at 81% of $1,000.00 (actual)"}}
    assert body["blocks"][2]["elements"][0]["text"] == (
        "budget *llm-monthly* · key `budget:llm-monthly:threshold:81:actual` · since 2026-11-28T09:30:00+00:00")
    assert body["blocks"][3]["text"]["text"].startswith(":white_check_mark: *RESOLVED* ")
    assert len(body["blocks"]) == 5


def test_failures_then_success_are_retried_with_exponential_backoff(receiver: Recorder) -> None:
    receiver.statuses = [503, 500]
    notifiers = build_notifiers(configs(ops={"type": "webhook", "settings": {"url": receiver.url}}))
    slept: list[float] = []
    [record] = deliver(notifiers, {"ops": [make_alert()]}, retries=3, backoff_s=0.5, sleep=slept.append)
    assert record.ok and record.attempts == 3 and record.error is None
    assert slept == [0.5, 1.0]
    assert [a.status_code for a in record.history] == [503, 500, None]
    assert [a.ok for a in record.history] == [False, False, True]
    assert len(receiver.requests) == 3


def test_permanent_failure_is_recorded_not_raised(receiver: Recorder) -> None:
    receiver.statuses = [500] * 10
    notifiers = build_notifiers(configs(ops={"type": "webhook", "settings": {"url": receiver.url}},
                                        chat={"type": "slack", "settings": {"url": receiver.url}}))
    slept: list[float] = []
    records = deliver(notifiers, {"ops": [make_alert()], "chat": [make_alert(2)]}, retries=2, backoff_s=1.0,
                      sleep=slept.append)
    assert [r.target for r in records] == ["ops", "chat"]
    assert [(r.ok, r.attempts) for r in records] == [(False, 3), (False, 3)]
    assert "answered 500 Internal Server Error" in (records[0].error or "")
    assert slept == [1.0, 2.0, 1.0, 2.0]
    assert len(receiver.requests) == 6


def test_client_error_is_not_retried(receiver: Recorder) -> None:
    receiver.statuses = [404]
    notifiers = build_notifiers(configs(ops={"type": "webhook", "settings": {"url": receiver.url}}))
    [record] = deliver(notifiers, {"ops": [make_alert()]}, sleep=lambda s: pytest.fail("must not wait"))
    assert (record.ok, record.attempts, record.history[0].status_code) == (False, 1, 404)


def test_unreachable_target_and_unknown_target_are_records() -> None:
    from prom.backfill import free_port

    notifiers = build_notifiers(configs(ops={"type": "webhook", "settings": {
        "url": f"http://127.0.0.1:{free_port()}/hook", "timeout_s": 2}}))
    records = deliver(notifiers, {"ops": [make_alert()], "nobody": [make_alert(2)]}, retries=1, sleep=lambda s: None)
    assert [(r.target, r.ok, r.attempts) for r in records] == [("ops", False, 2), ("nobody", False, 0)]
    assert "ConnectError" in (records[0].error or "")
    assert records[1].error == "no notifier named 'nobody' is configured"


def test_log_notifier_writes_one_json_line_per_alert(caplog: pytest.LogCaptureFixture) -> None:
    notifiers = build_notifiers(configs(audit={"type": "log", "settings": {"level": "error"}}))
    with caplog.at_level(logging.INFO, logger="genaicost.alerts"):
        [record] = deliver(notifiers, {"audit": [make_alert(1), make_alert(2)]})
    assert record.ok
    lines = [r for r in caplog.records if r.name == "genaicost.alerts"]
    assert [r.levelno for r in lines] == [logging.ERROR, logging.ERROR]
    first = json.loads(lines[0].getMessage())
    assert first["event"] == "genaicost.alert" and first["target"] == "audit"
    assert first["key"] == "budget:llm-monthly:threshold:81:actual" and first["value"] == 801.0


@pytest.mark.parametrize(("config", "field", "message"), [
    ({"type": "webhook", "settings": {}}, "settings.url", "Field required"),
    ({"type": "webhook", "settings": {"url": "ftp://example.com/x"}}, "settings.url", "URL scheme should be"),
    ({"type": "slack", "settings": {"url": "not a url"}}, "settings.url", "valid URL"),
    ({"type": "alertmanager", "settings": {"url": "http://am:9093", "labls": {}}}, "settings.labls",
     "Extra inputs are not permitted"),
    ({"type": "webhook", "settings": {"url": "http://x", "bearer_token_file": "/nonexistent/token"}},
     "settings.bearer_token_file", "is not a readable file"),
    ({"type": "log", "settings": {"level": "loud"}}, "settings.level", "Input should be"),
    ({"type": "pagerduty", "settings": {}}, "type", "unknown notifier type 'pagerduty'"),
])
def test_misconfiguration_names_the_notifier_and_field(config: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        build_notifiers(configs(oncall=config), source="budgets.yaml")
    assert info.value.obj == "notifiers.oncall" and info.value.field == field
    assert message in str(info.value) and str(info.value).startswith("budgets.yaml, object notifiers.oncall")
