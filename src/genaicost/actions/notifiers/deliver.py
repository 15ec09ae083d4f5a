"""Deliver alerts to their targets with retries and exponential backoff; failures are recorded, never raised."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

from genaicost.actions.notifiers.base import DeliveryAttempt, DeliveryError, DeliveryRecord, Notifier
from genaicost.domain.alert import Alert

log = logging.getLogger(__name__)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def deliver(
    notifiers: dict[str, Notifier],
    alerts_by_target: dict[str, list[Alert]],
    *,
    retries: int = 3,
    backoff_s: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], datetime] = _utcnow,
) -> list[DeliveryRecord]:
    """Send each target its alerts (one batch per target): up to 1 + `retries` attempts, waiting
    backoff_s × 2^(n−1) after the n-th failure; a permanent failure (e.g. HTTP 400/404) stops at once."""
    records = []
    for target, alerts in alerts_by_target.items():
        if alerts:
            records.append(_deliver_one(notifiers.get(target), target, alerts, retries, backoff_s, sleep, clock))
    return records


def _deliver_one(notifier: Notifier | None, target: str, alerts: list[Alert], retries: int, backoff_s: float,
                 sleep: Callable[[float], None], clock: Callable[[], datetime]) -> DeliveryRecord:
    keys = [a.key for a in alerts]
    if notifier is None:
        error = f"no notifier named {target!r} is configured"
        log.error("alert delivery to %s failed: %s", target, error)
        return DeliveryRecord(target=target, alert_keys=keys, ok=False, attempts=0, error=error, at=clock())
    history: list[DeliveryAttempt] = []
    for attempt in range(1, retries + 2):
        try:
            notifier.send(alerts)
        except DeliveryError as err:
            history.append(DeliveryAttempt(at=clock(), ok=False, error=str(err), status_code=err.status_code))
            if err.permanent or attempt > retries:
                break
            sleep(backoff_s * 2 ** (attempt - 1))
        except Exception as err:  # a notifier bug must not crash the service either
            history.append(DeliveryAttempt(at=clock(), ok=False, error=f"{type(err).__name__}: {err}"))
            break
        else:
            history.append(DeliveryAttempt(at=clock(), ok=True))
            return DeliveryRecord(target=target, alert_keys=keys, ok=True, attempts=attempt,
                                  at=history[-1].at, history=history)
    last = history[-1].error
    log.error("alert delivery to %s failed after %d attempt(s): %s", target, len(history), last)
    return DeliveryRecord(target=target, alert_keys=keys, ok=False, attempts=len(history), error=last,
                          at=history[-1].at, history=history)
