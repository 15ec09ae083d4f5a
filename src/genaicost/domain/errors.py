"""Errors that carry enough context to tell the user what to fix."""

from __future__ import annotations


class GenaicostError(Exception):
    """Base class for errors shown to users (the CLI exits 2, the API answers 4xx)."""


class InputError(GenaicostError):
    """Bad user input: names the source (file, flag), the object, the field and what would be right."""

    def __init__(self, message: str, *, source: str | None = None, obj: str | None = None,
                 field: str | None = None) -> None:
        self.source = source
        self.obj = obj
        self.field = field
        where = ", ".join(p for p in (source, obj and f"object {obj}", field and f"field {field}") if p)
        super().__init__(f"{where}: {message}" if where else message)


class QuantityError(InputError):
    """A Kubernetes resource quantity that cannot be parsed."""
