"""Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat): {"text": ..., "blocks": [...]}."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from genaicost.actions.notifiers.base import Notifier
from genaicost.actions.notifiers.http_post import HttpSettings, post_json
from genaicost.domain.alert import Alert

MAX_ALERT_BLOCKS = 45  # Slack accepts at most 50 blocks per message
ICONS = {"info": ":information_source:", "warning": ":warning:", "critical": ":rotating_light:"}


class SlackSettings(HttpSettings):
    channel: str | None = Field(default=None, min_length=1, description="override the webhook's channel")
    username: str | None = Field(default=None, min_length=1)


def alert_line(alert: Alert) -> str:
    icon = ":white_check_mark:" if alert.status == "resolved" else ICONS[alert.severity]
    state = "RESOLVED" if alert.status == "resolved" else alert.severity.upper()
    return f"{icon} *{state}* {alert.summary}"


def slack_payload(alerts: list[Alert], settings: SlackSettings) -> dict[str, Any]:
    firing = sum(a.status == "firing" for a in alerts)
    text = f"genaicost: {firing} firing, {len(alerts) - firing} resolved — " + "; ".join(a.summary for a in alerts)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": f"genaicost: {len(alerts)} cost alert(s)"}}]
    for alert in alerts[:MAX_ALERT_BLOCKS]:
        context = f"key `{alert.key}` · since {alert.starts_at.isoformat()}"
        if alert.budget:
            context = f"budget *{alert.budget}* · " + context
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": alert_line(alert)}})
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": context}]})
    if len(alerts) > MAX_ALERT_BLOCKS:
        blocks.append({"type": "section", "text": {"type": "mrkdwn",
                                                    "text": f"… and {len(alerts) - MAX_ALERT_BLOCKS} more"}})
    payload: dict[str, Any] = {"text": text[:3000], "blocks": blocks}
    if settings.channel:
        payload["channel"] = settings.channel
    if settings.username:
        payload["username"] = settings.username
    return payload


class SlackNotifier(Notifier):
    name = "slack"
    Settings = SlackSettings
    settings: SlackSettings

    def send(self, alerts: list[Alert]) -> None:
        post_json(self.settings, str(self.settings.url), slack_payload(alerts, self.settings))
