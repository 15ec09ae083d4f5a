"""Fixtures for source tests: our own kubectl/API-shaped files under tests/data/k8s/."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

K8S_DATA = Path(__file__).resolve().parents[1] / "data" / "k8s"
NOW = datetime(2025, 3, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def k8s_data() -> Path:
    return K8S_DATA


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def cluster_items() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads((K8S_DATA / "cluster_list.json").read_text())["items"]
    return items


@pytest.fixture
def metrics_items() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads((K8S_DATA / "pod_metrics.json").read_text())["items"]
    return [{**i, "kind": "PodMetrics"} for i in items]
