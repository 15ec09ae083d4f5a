"""Bad input files: exit 2, the message names file / object / field, and nothing is written."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from genaicost.cli.main import app
from genaicost.sources.demo import demo_objects

runner = CliRunner()


def _listing(tmp_path: Path) -> dict[str, object]:
    return {"apiVersion": "v1", "kind": "List", "items": demo_objects(datetime(2026, 11, 1, tzinfo=UTC))}


def _run(tmp_path: Path, listing_text: str) -> tuple[int, str, Path]:
    path = tmp_path / "cluster.json"
    path.write_text(listing_text)
    out = tmp_path / "report.json"
    result = runner.invoke(app, ["report", "--snapshot", str(path), "--format", "json", "-o", str(out)])
    return result.exit_code, " ".join(result.output.split()), out


def test_malformed_quantity_names_file_object_and_field(tmp_path: Path) -> None:
    listing = _listing(tmp_path)
    pod = next(o for o in listing["items"] if o["kind"] == "Pod" and o["spec"].get("containers"))  # type: ignore[attr-defined,index]
    pod["spec"]["containers"][0]["resources"]["requests"]["cpu"] = "two cores"
    code, message, out = _run(tmp_path, json.dumps(listing))
    assert code == 2
    assert "cluster.json" in message
    assert f"Pod {pod['metadata']['namespace']}/{pod['metadata']['name']}" in message
    assert "spec.containers[0].resources.requests.cpu" in message
    assert "two cores" in message
    assert not out.exists()


def test_malformed_json_names_file_and_position(tmp_path: Path) -> None:
    text = json.dumps(_listing(tmp_path), indent=1)
    code, message, out = _run(tmp_path, text[: len(text) // 2])
    assert code == 2
    assert "cluster.json" in message and "line" in message
    assert not out.exists()
