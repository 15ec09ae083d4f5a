"""Alembic migrations of the history store, run to head programmatically by `genaicost.store.open_store`."""
