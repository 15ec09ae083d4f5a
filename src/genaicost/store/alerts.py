"""Alert state and delivery records in the history store (tables from migration 0002).

`save_alert_state` replaces the whole state in one transaction (the state is small: one row per firing alert
key), so a crash leaves the previous state and the next evaluation re-notifies at worst once.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, delete, insert, select

from genaicost.domain.alert import Alert, AlertState, AlertStateEntry
from genaicost.store.store import HistoryStore

_meta = MetaData()
alert_state = Table(
    "alert_state", _meta,
    Column("key", String(512), primary_key=True),
    Column("alert", Text, nullable=False),
    Column("severity", String(16), nullable=False),
    Column("starts_at", Float, nullable=False),
    Column("last_notified_at", Float),
    Column("updated_at", Float, nullable=False),
)
alert_deliveries = Table(
    "alert_deliveries", _meta,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", Float, nullable=False),
    Column("target", String(253), nullable=False),
    Column("alert_keys", Text, nullable=False),
    Column("ok", Integer, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("error", Text),
)


def _ts(moment: datetime | None) -> float | None:
    return None if moment is None else moment.timestamp()


def load_alert_state(store: HistoryStore) -> AlertState:
    with store.engine.connect() as conn:
        rows = conn.execute(select(alert_state.c.key, alert_state.c.alert, alert_state.c.last_notified_at)).all()
    return AlertState(entries={
        key: AlertStateEntry(alert=Alert.model_validate_json(payload),
                             last_notified_at=None if last is None else datetime.fromtimestamp(last, UTC))
        for key, payload, last in rows
    })


def save_alert_state(store: HistoryStore, state: AlertState) -> None:
    now = time.time()
    rows = [{"key": key, "alert": e.alert.model_dump_json(), "severity": e.alert.severity,
             "starts_at": e.alert.starts_at.timestamp(), "last_notified_at": _ts(e.last_notified_at),
             "updated_at": now} for key, e in state.entries.items()]
    with store.engine.begin() as conn:
        conn.execute(delete(alert_state))
        if rows:
            conn.execute(insert(alert_state), rows)


def record_deliveries(store: HistoryStore, records: Iterable[Any]) -> None:
    """Append DeliveryRecords (target, alert_keys, ok, attempts, error, at)."""
    rows = [{"at": r.at.timestamp(), "target": r.target, "alert_keys": json.dumps(list(r.alert_keys)),
             "ok": int(r.ok), "attempts": r.attempts, "error": r.error} for r in records]
    if rows:
        with store.engine.begin() as conn:
            conn.execute(insert(alert_deliveries), rows)


def recent_deliveries(store: HistoryStore, limit: int = 100) -> list[dict[str, Any]]:
    """The latest `limit` delivery records, newest first."""
    query = select(alert_deliveries).order_by(alert_deliveries.c.at.desc(), alert_deliveries.c.id.desc()).limit(limit)
    with store.engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [{"at": datetime.fromtimestamp(r["at"], UTC).isoformat(), "target": r["target"],
             "alert_keys": json.loads(r["alert_keys"]), "ok": bool(r["ok"]), "attempts": r["attempts"],
             "error": r["error"]} for r in rows]
