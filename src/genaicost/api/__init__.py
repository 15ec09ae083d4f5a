"""HTTP API of `genaicost serve` (FastAPI): `create_app(settings)` in `genaicost.api.app`."""
