"""Write a rendered report: atomically (temp file in the same directory, then rename) or nothing at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from genaicost.domain.errors import InputError


def write_atomic(path: Path, text: str) -> None:
    """Replace `path` with `text` in one rename; on any failure the old file (or no file) remains."""
    target = Path(path)
    if target.is_dir():
        raise InputError("is a directory; give a file name", source=str(target), field="--output")
    if not target.parent.is_dir():
        raise InputError(f"directory {target.parent} does not exist", source=str(target), field="--output")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current
