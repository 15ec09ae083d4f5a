"""Log notifier: one structured (JSON) log line per alert on the `genaicost.alerts` logger."""

from __future__ import annotations

import json
import logging
from typing import Literal

from pydantic import Field

from genaicost.actions.notifiers.base import Notifier, NotifierSettings
from genaicost.actions.notifiers.webhook import alert_json
from genaicost.domain.alert import Alert

LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}


class LogSettings(NotifierSettings):
    level: Literal["debug", "info", "warning", "error"] = "warning"
    logger: str = Field(default="genaicost.alerts", min_length=1)


class LogNotifier(Notifier):
    name = "log"
    Settings = LogSettings
    settings: LogSettings

    def send(self, alerts: list[Alert]) -> None:
        logger = logging.getLogger(self.settings.logger)
        for alert in alerts:
            line = {"event": "genaicost.alert", "target": self.target, **alert_json(alert)}
            logger.log(LEVELS[self.settings.level], json.dumps(line, sort_keys=True))
