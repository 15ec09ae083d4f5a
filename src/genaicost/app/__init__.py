"""Use cases wiring sources → engine → render; shared by the CLI and (later) the API."""
