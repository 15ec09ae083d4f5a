#!/usr/bin/env bash
# Debian packages of the real components the tests start on loopback (docs/testing.md):
# prometheus + promtool (history backfilled with `promtool tsdb create-blocks-from openmetrics`).
# Installs only what is missing; the tests start and stop every service themselves.
set -euo pipefail
missing=()
command -v prometheus >/dev/null && command -v promtool >/dev/null || missing+=(prometheus)
command -v chromium >/dev/null || missing+=(chromium)   # headless browser of the dashboard tests
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)   # store tests: throw-away cluster per run
command -v prometheus-alertmanager >/dev/null || missing+=(prometheus-alertmanager)   # notifier tests: Alertmanager API v2
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
