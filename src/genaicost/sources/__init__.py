"""Sources: adapters that collect a Snapshot (kubectl JSON, live API, saved snapshot files, demo)."""
