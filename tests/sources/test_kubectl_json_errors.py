"""Bad input → InputError naming file, object and field."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from genaicost.domain.errors import InputError, QuantityError
from genaicost.sources.kubectl_json import load_kubectl_json, snapshot_from_objects


def pod(requests: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "vllm-0", "namespace": "llm", "uid": "u1"},
        "spec": {
            "containers": [{"name": "a", "resources": {}}, {"name": "b", "resources": {"requests": requests}}]
        },
        "status": {"phase": "Pending"},
    }


def test_malformed_json_names_file_line_and_column(tmp_path: Path, now: datetime) -> None:
    bad = tmp_path / "cluster.json"
    bad.write_text('{\n  "kind": "List",\n  "items": [,]\n}\n')
    with pytest.raises(InputError) as info:
        load_kubectl_json([bad], now=now)
    assert str(bad) in str(info.value)
    assert "line 3, column 13" in str(info.value)


def test_malformed_quantity_names_file_object_and_field(tmp_path: Path, now: datetime) -> None:
    path = tmp_path / "pods.json"
    path.write_text(json.dumps({"kind": "List", "items": [pod({"cpu": "12GB"})]}))
    with pytest.raises(QuantityError) as info:
        load_kubectl_json([path], now=now)
    message = str(info.value)
    assert message.startswith(
        f"{path}, object Pod llm/vllm-0, field spec.containers[1].resources.requests.cpu:"
    )
    assert "'12GB' is not a Kubernetes quantity" in message


def test_malformed_node_capacity_names_the_node(now: datetime) -> None:
    node = {"kind": "Node", "metadata": {"name": "n1"}, "status": {"capacity": {"memory": "1.2.3"}}}
    with pytest.raises(QuantityError) as info:
        snapshot_from_objects([node], source="unit", now=now)
    assert str(info.value).startswith("unit, object Node n1, field status.capacity['memory']:")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("[1, 2]", "the top level is not a Kubernetes object"),
        ('{"items": []}', "the top level is not a Kubernetes object"),
        ('{"kind": "List", "items": [{"metadata": {}}]}', "items[0].items[0] is not a Kubernetes object"),
    ],
)
def test_not_kubernetes_objects(tmp_path: Path, now: datetime, content: str, expected: str) -> None:
    path = tmp_path / "x.json"
    path.write_text(content)
    with pytest.raises(InputError, match=re.escape(expected)):
        load_kubectl_json([path], now=now)


def test_missing_file(tmp_path: Path, now: datetime) -> None:
    with pytest.raises(InputError, match="cannot read the file"):
        load_kubectl_json([tmp_path / "nope.json"], now=now)


def test_window_must_be_positive(now: datetime) -> None:
    with pytest.raises(InputError, match="window_hours"):
        snapshot_from_objects([], source="unit", now=now, window_hours=0)


def test_empty_input_is_an_empty_snapshot(now: datetime) -> None:
    snap = snapshot_from_objects([], source="unit", now=now)
    assert all(df.is_empty() for df in snap.tables().values())
    assert (snap.cluster.name, snap.cluster.region, snap.cluster.is_eks) == ("cluster", None, False)
