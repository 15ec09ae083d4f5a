"""Parsing is linear: a 60,000-pod List parses in a few seconds."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import pytest

from genaicost.sources.kubectl_json import snapshot_from_objects

PODS = 60_000
NODES = 600


def synthetic_items() -> list[dict[str, Any]]:
    nodes = [
        {
            "kind": "Node",
            "metadata": {
                "name": f"n{i}",
                "labels": {"karpenter.sh/capacity-type": "spot", "karpenter.sh/nodepool": "p"},
            },
            "status": {"capacity": {"cpu": "16", "memory": "64Gi"}},
        }
        for i in range(NODES)
    ]
    pods = [
        {
            "kind": "Pod",
            "metadata": {
                "name": f"web-abc12-{i}",
                "namespace": f"ns{i % 50}",
                "uid": f"u{i}",
                "labels": {"app": f"web{i % 50}", "pod-template-hash": "abc12"},
                "ownerReferences": [{"kind": "ReplicaSet", "name": "web-abc12", "controller": True}],
            },
            "spec": {
                "nodeName": f"n{i % NODES}",
                "containers": [
                    {"name": "c", "resources": {"requests": {"cpu": f"{i % 900 + 100}m", "memory": "256Mi"}}}
                ],
            },
            "status": {"phase": "Running", "containerStatuses": [{"name": "c", "state": {"running": {}}}]},
        }
        for i in range(PODS)
    ]
    services = [
        {
            "kind": "Service",
            "metadata": {"name": f"lb{n}", "namespace": f"ns{n}"},
            "spec": {"type": "LoadBalancer", "selector": {"app": f"web{n}"}},
        }
        for n in range(50)
    ]
    return nodes + pods + services


@pytest.mark.slow
def test_sixty_thousand_pods_parse_in_seconds(now: datetime) -> None:
    items = synthetic_items()
    started = time.perf_counter()
    snap = snapshot_from_objects(items, source="unit", now=now)
    elapsed = time.perf_counter() - started
    assert snap.containers.height == PODS
    assert snap.service_pods.height == PODS  # every pod is selected by its namespace's service
    assert snap.containers["cpu_request_cores"].sum() == pytest.approx(
        sum((i % 900 + 100) / 1000 for i in range(PODS))
    )
    assert snap.containers["controller"].unique().to_list() == ["web"]
    assert elapsed < 10.0, f"{elapsed:.1f}s"
