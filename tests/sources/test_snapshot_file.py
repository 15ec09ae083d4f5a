"""Saved snapshots round-trip exactly; other files are refused with a clear error."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from polars.testing import assert_frame_equal

from genaicost.domain.errors import InputError
from genaicost.sources.kubectl_json import snapshot_from_objects
from genaicost.sources.snapshot_file import is_snapshot_file, load_snapshot, save_snapshot


def test_round_trip_is_exact(
    tmp_path: Path, now: datetime, cluster_items: list[dict[str, Any]], metrics_items: list[dict[str, Any]]
) -> None:
    snap = snapshot_from_objects(
        cluster_items + metrics_items, source="kubectl-json", now=now, window_hours=3
    )
    path = tmp_path / "sub" / "snap.json"
    save_snapshot(snap, path)
    loaded = load_snapshot(path)
    for name, df in snap.tables().items():
        assert_frame_equal(loaded.tables()[name], df)
    assert (loaded.cluster, loaded.window, loaded.collected_at) == (
        snap.cluster,
        snap.window,
        snap.collected_at,
    )
    assert (loaded.notes, loaded.warnings) == (snap.notes, snap.warnings)
    assert loaded.containers["cpu_usage_cores"].drop_nulls().to_list() == [2.5, 0.001234567, 0.75]
    assert is_snapshot_file(path)
    assert [p.name for p in path.parent.iterdir()] == ["snap.json"]  # no temporary file left behind
    document = json.loads(path.read_text())
    assert (document["kind"], document["schema_version"]) == ("GenaicostSnapshot", 1)


def test_kubectl_json_is_not_a_snapshot(k8s_data: Path) -> None:
    assert not is_snapshot_file(k8s_data / "cluster_list.json")
    with pytest.raises(InputError, match=r"not a genaicost snapshot \(kind is 'List'\)") as info:
        load_snapshot(k8s_data / "cluster_list.json")
    assert str(k8s_data / "cluster_list.json") in str(info.value)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{nope", "not valid JSON at line 1, column 2"),
        ('{"kind": "GenaicostSnapshot", "schema_version": 99}', "schema_version 99 is not supported"),
        ('{"kind": "GenaicostSnapshot", "schema_version": 1}', "cluster / window / collected_at are missing"),
    ],
)
def test_bad_files(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "x.json"
    path.write_text(content)
    assert not is_snapshot_file(path) or "GenaicostSnapshot" in content
    with pytest.raises(InputError, match=expected):
        load_snapshot(path)


def _document(now: datetime, tables: dict[str, Any]) -> str:
    return json.dumps(
        {
            "kind": "GenaicostSnapshot",
            "schema_version": 1,
            "cluster": {"name": "c"},
            "window": {"start": "2025-03-01T09:00:00+00:00", "end": now.isoformat()},
            "collected_at": now.isoformat(),
            "tables": tables,
            "notes": [],
            "warnings": [],
        }
    )


@pytest.mark.parametrize(
    ("tables", "expected"),
    [
        ({"gpus": []}, "unknown tables"),
        ({"mounts": [{"pod_uid": "u", "colour": "red"}]}, r"unknown columns \['colour'\]"),
        ({"nodes": [{"name": "n", "vcpu": "lots"}]}, "field tables.nodes: values do not fit"),
    ],
)
def test_bad_tables(tmp_path: Path, now: datetime, tables: dict[str, Any], expected: str) -> None:
    path = tmp_path / "x.json"
    path.write_text(_document(now, tables))
    with pytest.raises(InputError, match=expected):
        load_snapshot(path)


def test_missing_tables_load_empty(tmp_path: Path, now: datetime) -> None:
    path = tmp_path / "x.json"
    path.write_text(_document(now, {"mounts": [{"pod_uid": "u", "claim_namespace": "n", "claim_name": "c"}]}))
    snap = load_snapshot(path)
    assert snap.mounts.rows() == [("u", "n", "c")] and snap.nodes.is_empty()
    assert snap.window.hours == 1.0
