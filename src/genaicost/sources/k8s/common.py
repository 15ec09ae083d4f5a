"""Shared helpers: object identity, error context, quantity fields, columnar table builders."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from genaicost.domain.errors import QuantityError
from genaicost.domain.quantity import parse_quantity
from genaicost.domain.snapshot import TABLE_SCHEMAS

Obj = Mapping[str, Any]
GIB = 1024.0**3


def meta(obj: Obj) -> Mapping[str, Any]:
    return obj.get("metadata") or {}


def labels(obj: Obj) -> Mapping[str, str]:
    return meta(obj).get("labels") or {}


def annotations_of(obj: Obj) -> Mapping[str, str]:
    return meta(obj).get("annotations") or {}


def name_of(obj: Obj) -> str:
    return str(meta(obj).get("name") or "")


def namespace_of(obj: Obj) -> str:
    return str(meta(obj).get("namespace") or "default")


def describe(obj: Obj) -> str:
    """'Pod ml/vllm-0' or 'Node ip-10-0-1-2' — how errors name an object."""
    kind = obj.get("kind") or "object"
    ns = meta(obj).get("namespace")
    return f"{kind} {ns}/{name_of(obj)}" if ns else f"{kind} {name_of(obj)}"


@dataclass
class Context:
    """Where objects came from (for error messages) and the warnings/notes collected on the way."""

    source: str
    origins: Mapping[int, str] = field(default_factory=dict)  # id(obj) → file name
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def origin(self, obj: Obj) -> str:
        return self.origins.get(id(obj), self.source)

    def quantity(self, obj: Obj, value: Any, path: str) -> float:
        """Parse a quantity field, naming file, object and field path when it is malformed."""
        try:
            return parse_quantity(value, field=path)
        except QuantityError as err:
            detail = str(err).split(": ", 1)[-1]
            raise QuantityError(detail, source=self.origin(obj), obj=describe(obj), field=path) from None


class TableBuilder:
    """Accumulates rows as column lists; one DataFrame at the end (linear, no per-row frames)."""

    def __init__(self, table: str, schema: Mapping[str, Any] | None = None) -> None:
        self.table = table
        self.schema = dict(schema) if schema is not None else TABLE_SCHEMAS[table]
        self.columns: dict[str, list[Any]] = {c: [] for c in self.schema}

    def add(self, **row: Any) -> None:
        for column, values in self.columns.items():
            values.append(row.get(column))

    def __len__(self) -> int:
        return len(next(iter(self.columns.values())))

    def frame(self) -> pl.DataFrame:
        return pl.DataFrame(self.columns, schema=self.schema)


def region_from_zone(zone: str | None) -> str | None:
    """us-east-1a → us-east-1; us-west-2-lax-1a (Local Zone) → us-west-2; None when not an AWS zone."""
    if not zone:
        return None
    parts = zone.split("-")
    for i, part in enumerate(parts):
        if part[:1].isdigit():
            digits = "".join(ch for ch in part if ch.isdigit())
            return "-".join([*parts[:i], digits]) if i >= 2 else None
    return None
