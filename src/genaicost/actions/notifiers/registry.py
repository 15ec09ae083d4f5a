"""The notifier registry and its start-up validation."""

from __future__ import annotations

from pydantic import ValidationError

from genaicost.actions.notifiers.alertmanager import AlertmanagerNotifier
from genaicost.actions.notifiers.base import Notifier
from genaicost.actions.notifiers.log import LogNotifier
from genaicost.actions.notifiers.slack import SlackNotifier
from genaicost.actions.notifiers.webhook import WebhookNotifier
from genaicost.domain.budget import NotifierConfig
from genaicost.domain.errors import InputError

NOTIFIERS: dict[str, type[Notifier]] = {
    cls.name: cls for cls in (WebhookNotifier, SlackNotifier, AlertmanagerNotifier, LogNotifier)
}


def build_notifiers(configs: dict[str, NotifierConfig], *, source: str = "budgets file") -> dict[str, Notifier]:
    """One notifier per configured name; InputError naming the notifier and the field on any misconfiguration
    (unknown type, bad URL, missing field, unreadable token file), so a bad file fails at start-up."""
    built: dict[str, Notifier] = {}
    for target, config in configs.items():
        cls = NOTIFIERS.get(config.type)
        if cls is None:
            raise InputError(f"unknown notifier type {config.type!r}; known: {', '.join(sorted(NOTIFIERS))}",
                             source=source, obj=f"notifiers.{target}", field="type")
        try:
            settings = cls.Settings.model_validate(config.settings)
        except ValidationError as err:
            first = err.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "settings"
            raise InputError(f"{first['msg']} (notifier type {config.type})", source=source,
                             obj=f"notifiers.{target}", field=f"settings.{field}") from None
        built[target] = cls(target, settings)
    return built
