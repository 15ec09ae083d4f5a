"""The action audit log: one JSON line per planned or executed action, appended to a file."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from genaicost.domain.errors import InputError


class AuditEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    time: datetime
    budget: str
    alert_key: str | None
    action: str
    target: str
    path: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    dry_run: bool
    result: str
    reason: str = ""


class AuditLog:
    """Appends entries as JSON lines (O_APPEND, flushed and fsynced per batch) to `path`."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        if self.path.is_dir() or not self.path.parent.is_dir():
            raise InputError("the audit log must be a file in an existing directory", source=str(self.path),
                             field="audit log")

    def append(self, entries: list[AuditEntry]) -> None:
        if not entries:
            return
        text = "".join(json.dumps(e.model_dump(mode="json"), sort_keys=True) + "\n" for e in entries)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(fd, text.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)

    def read(self) -> list[AuditEntry]:
        if not self.path.exists():
            return []
        lines = self.path.read_text(encoding="utf-8").splitlines()
        return [AuditEntry.model_validate_json(line) for line in lines if line.strip()]
