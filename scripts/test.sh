#!/usr/bin/env bash
# Set up everything and run the whole test suite (what CI runs): lint, type check, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/install-services.sh
echo "== ruff"; .venv/bin/ruff check src tests bench tools
echo "== mypy"; .venv/bin/mypy
echo "== pytest"; .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
