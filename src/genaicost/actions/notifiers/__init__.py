"""Notifiers: where alerts go (docs/actions.md, "Notifiers")."""

from genaicost.actions.notifiers.base import DeliveryAttempt, DeliveryError, DeliveryRecord, Notifier
from genaicost.actions.notifiers.deliver import deliver
from genaicost.actions.notifiers.registry import NOTIFIERS, build_notifiers

__all__ = ["NOTIFIERS", "DeliveryAttempt", "DeliveryError", "DeliveryRecord", "Notifier", "build_notifiers",
           "deliver"]
