#!/usr/bin/env bash
# Set up everything and show the cost report of the bundled demo GenAI EKS cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/genaicost report --demo "$@"
