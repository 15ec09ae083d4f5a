"""History store of `genaicost serve`: hourly rollups in SQLite (WAL) or PostgreSQL (docs/serve.md)."""

from genaicost.store.store import HistoryStore, HourMeta, open_store

__all__ = ["HistoryStore", "HourMeta", "open_store"]
