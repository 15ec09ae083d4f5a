"""Alertmanager API v2: POST {url}/api/v2/alerts with a list of postable alerts."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from pydantic import AnyHttpUrl, Field

from genaicost.actions.notifiers.base import Notifier
from genaicost.actions.notifiers.http_post import HttpSettings, post_json
from genaicost.domain.alert import Alert

_INVALID_LABEL_CHARS = re.compile(r"[^a-zA-Z0-9_]")


class AlertmanagerSettings(HttpSettings):
    url: AnyHttpUrl = Field(description="Alertmanager base URL, e.g. http://alertmanager.monitoring:9093")
    generator_url: AnyHttpUrl | None = Field(default=None, description="link back, e.g. the genaicost dashboard")
    labels: dict[str, str] = Field(default_factory=dict, description="extra labels on every alert, e.g. cluster")


def label_name(name: str) -> str:
    """Alertmanager label names match [a-zA-Z_][a-zA-Z0-9_]*: other characters become `_`."""
    cleaned = _INVALID_LABEL_CHARS.sub("_", name)
    return cleaned if cleaned and not cleaned[0].isdigit() else f"_{cleaned}"


def _time(value: Any) -> str:
    return str(value.isoformat().replace("+00:00", "Z"))


def postable_alert(alert: Alert, settings: AlertmanagerSettings) -> dict[str, Any]:
    labels = {label_name(k): v for k, v in {**settings.labels, **alert.labels}.items() if v}
    labels.update({"alertname": f"genaicost-{alert.rule}", "severity": alert.severity, "alert_key": alert.key,
                   "source": "genaicost"})
    if alert.budget:
        labels["budget"] = alert.budget
    posted: dict[str, Any] = {
        "labels": labels,
        "annotations": {"summary": alert.summary, "value": f"{alert.value:g}", "threshold": f"{alert.threshold:g}"},
        "startsAt": _time(alert.starts_at),
    }
    if alert.status == "resolved":
        posted["endsAt"] = _time(alert.ends_at or datetime.now(UTC))
    if settings.generator_url is not None:
        posted["generatorURL"] = str(settings.generator_url)
    return posted


class AlertmanagerNotifier(Notifier):
    name = "alertmanager"
    Settings = AlertmanagerSettings
    settings: AlertmanagerSettings

    def send(self, alerts: list[Alert]) -> None:
        url = str(self.settings.url).rstrip("/") + "/api/v2/alerts"
        post_json(self.settings, url, [postable_alert(a, self.settings) for a in alerts])
