"""Generic JSON webhook: POST {"alerts": [...], "source": "genaicost"}."""

from __future__ import annotations

from typing import Any

from genaicost.actions.notifiers.base import Notifier
from genaicost.actions.notifiers.http_post import HttpSettings, post_json
from genaicost.domain.alert import Alert


def alert_json(alert: Alert) -> dict[str, Any]:
    data: dict[str, Any] = alert.model_dump(mode="json")
    return data


def webhook_payload(alerts: list[Alert]) -> dict[str, Any]:
    return {"alerts": [alert_json(a) for a in alerts], "source": "genaicost"}


class WebhookNotifier(Notifier):
    name = "webhook"
    Settings = HttpSettings
    settings: HttpSettings

    def send(self, alerts: list[Alert]) -> None:
        post_json(self.settings, str(self.settings.url), webhook_payload(alerts))
