"""De-duplication, re-notification and resolution of alerts between evaluations (docs/budgets.md).

`dedupe(alerts_now, previous, now, renotify)`:
- a new key fires and is notified;
- a key already firing is notified again only when `renotify` has passed since its last notification, or its
  severity changed; it keeps its first starts_at;
- a key that was firing and is absent now is notified once as resolved (ends_at = now) and leaves the state.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from genaicost.domain.alert import Alert, AlertState, AlertStateEntry


def dedupe(alerts_now: Sequence[Alert], previous: AlertState, now: datetime,
           renotify: timedelta) -> tuple[list[Alert], AlertState]:
    to_notify: list[Alert] = []
    entries: dict[str, AlertStateEntry] = {}
    for alert in alerts_now:
        if alert.key in entries:
            continue                          # the same key twice in one evaluation: keep the first
        before = previous.entries.get(alert.key)
        if before is None:
            current, last = alert, None
        else:
            current, last = alert.model_copy(update={"starts_at": before.alert.starts_at}), before.last_notified_at
        due = (before is None or last is None or now - last >= renotify
               or before.alert.severity != alert.severity)
        if due:
            to_notify.append(current)
            last = now
        entries[alert.key] = AlertStateEntry(alert=current, last_notified_at=last)
    for key, before in previous.entries.items():
        if key not in entries:
            to_notify.append(before.alert.model_copy(update={"status": "resolved", "ends_at": now}))
    return to_notify, AlertState(entries=entries)
