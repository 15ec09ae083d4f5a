"""Price catalogs: the bundled AWS snapshot, its file format, user overrides (and, later, refreshes)."""
