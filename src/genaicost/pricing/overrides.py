"""User price overrides (negotiated / custom $/h) and effective discounts, from a YAML file.

```yaml
prices:            # exact $/h for (region or "*", instance type, capacity type)
  - {instance_type: p4d.24xlarge, region: us-east-1, capacity_type: on-demand, usd_per_hour: 21.5, note: EDP}
discounts:         # effective discount on on-demand prices, per instance family
  - {instance_family: g5, kind: savings-plan, percent: 28, region: "*"}
```

Precedence (also used by `app.pricing`): an override is the final price of its capacity type (no
discount applies on top of it); a region-specific entry beats a `"*"` entry; discounts apply to on-demand
prices only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from genaicost.domain.errors import InputError
from genaicost.domain.prices import Discount, PriceOverride

_REGION = r"^(\*|[a-z]{2}(-[a-z0-9]+)+)$"
_HINTS = {
    "instance_type": "an EC2 instance type such as p4d.24xlarge",
    "instance_family": "an instance family such as g5 or p4d (the part of the type before the dot)",
    "region": 'an AWS region such as us-east-1, or "*" for every region',
    "capacity_type": "one of on-demand, spot",
    "usd_per_hour": "a number of US dollars per hour greater than 0, e.g. 21.5",
    "kind": "one of savings-plan, reserved, negotiated",
    "percent": "a percentage from 0 to 100, e.g. 28",
    "note": "free text",
    "prices": "a list of {instance_type, region, capacity_type, usd_per_hour, note}",
    "discounts": "a list of {instance_family, kind, percent, region}",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _PriceEntry(_Strict):
    instance_type: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*\.[a-z0-9-]+$")
    region: str = Field(default="*", pattern=_REGION)
    capacity_type: Literal["on-demand", "spot"]
    usd_per_hour: float = Field(gt=0, allow_inf_nan=False)
    note: str = ""


class _DiscountEntry(_Strict):
    instance_family: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    kind: Literal["savings-plan", "reserved", "negotiated"]
    percent: float = Field(ge=0, le=100, allow_inf_nan=False)
    region: str = Field(default="*", pattern=_REGION)


class _OverridesFile(_Strict):
    prices: list[_PriceEntry] = []
    discounts: list[_DiscountEntry] = []


def load_overrides(path: Path) -> tuple[tuple[PriceOverride, ...], tuple[Discount, ...]]:
    """Read and validate an overrides file; errors name the file, line, entry and field."""
    path = Path(path)
    text = _read_text(path)
    root, data = _parse_yaml(text, path)
    try:
        parsed = _OverridesFile.model_validate(data)
    except ValidationError as exc:
        raise _validation_error(exc, root, path) from exc
    overrides = tuple(PriceOverride(region=p.region, instance_type=p.instance_type,
                                    capacity_type=p.capacity_type, usd_per_hour=p.usd_per_hour, note=p.note)
                      for p in parsed.prices)
    discounts = tuple(Discount(instance_family=d.instance_family, fraction=d.percent / 100, kind=d.kind,
                               region=d.region) for d in parsed.discounts)
    _check_duplicates([(o.region, o.instance_type, o.capacity_type) for o in overrides], "prices", path)
    _check_duplicates([(d.region, d.instance_family) for d in discounts], "discounts", path)
    return overrides, discounts


def instance_family(instance_type: str) -> str:
    """`p4d.24xlarge` -> `p4d`; `p6-b200.48xlarge` -> `p6-b200`."""
    return instance_type.split(".", 1)[0]


def find_override(overrides: tuple[PriceOverride, ...], region: str, instance_type: str,
                  capacity_type: str) -> PriceOverride | None:
    """The override for this key: the region's own entry, else the `"*"` entry, else None."""
    matches = {o.region: o for o in overrides
               if o.instance_type == instance_type and o.capacity_type == capacity_type}
    return matches.get(region) or matches.get("*")


def find_discount(discounts: tuple[Discount, ...], region: str, instance_type: str) -> Discount | None:
    """The discount on this type's on-demand price: the region's own entry, else the `"*"` entry."""
    family = instance_family(instance_type)
    matches = {d.region: d for d in discounts if d.instance_family == family}
    return matches.get(region) or matches.get("*")


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InputError("overrides file does not exist", source=str(path)) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the overrides file ({exc})", source=str(path)) from exc


def _parse_yaml(text: str, path: Path) -> tuple[yaml.Node, Any]:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise InputError(f"{where}not valid YAML ({getattr(exc, 'problem', None) or exc})",
                         source=str(path)) from exc
    if root is None or not isinstance(data, dict):
        raise InputError("expected a mapping with the keys prices and/or discounts, e.g. "
                         "'discounts: [{instance_family: g5, kind: savings-plan, percent: 28}]'",
                         source=str(path))
    return root, data


def _validation_error(exc: ValidationError, root: yaml.Node, path: Path) -> InputError:
    err = exc.errors()[0]
    loc: list[str | int] = [p if isinstance(p, int) else str(p) for p in err["loc"]]
    last = loc[-1] if loc else ""
    field = last if isinstance(last, str) else None
    entry = _path_text(loc[:-1] if field else loc)
    line = _line_of(root, loc)
    where = f"line {line}: " if line else ""
    if err["type"] == "extra_forbidden":
        message = f"{where}unknown key {field!r}; " + _allowed_keys(loc)
    elif err["type"] in ("model_type", "dict_type"):
        hint = _HINTS.get(str(loc[0]), "a mapping")
        message = f"{where}each entry must be a mapping of key: value; expected {hint}"
    elif err["type"] == "missing":
        message = f"{where}required field is missing; expected {_HINTS.get(field or '', 'a value')}"
    else:
        hint = _HINTS.get(field or str(loc[0]), "a valid value")
        message = f"{where}{err['msg']}: got {err.get('input')!r}; expected {hint}"
    more = exc.error_count() - 1
    suffix = f" (and {more} more problem{'s' if more > 1 else ''} in this file)" if more else ""
    return InputError(message + suffix, source=str(path), obj=entry or None, field=field)


def _path_text(loc: list[str | int]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else ("." if i else "") + p for i, p in enumerate(loc))


def _allowed_keys(loc: list[str | int]) -> str:
    model: type[BaseModel] = _OverridesFile
    if loc and loc[0] in ("prices", "discounts") and len(loc) > 2:
        model = _PriceEntry if loc[0] == "prices" else _DiscountEntry
    return "allowed keys are " + ", ".join(model.model_fields)


def _line_of(node: yaml.Node, loc: list[str | int]) -> int | None:
    """1-based line of the YAML node at `loc` (a mapping key for the last step), or of its nearest parent."""
    line = node.start_mark.line + 1
    for step in loc:
        child = _child(node, step)
        if child is None:
            break
        key_node, node = child
        line = (key_node or node).start_mark.line + 1
    return line


def _child(node: yaml.Node, step: str | int) -> tuple[yaml.Node | None, yaml.Node] | None:
    if isinstance(node, yaml.MappingNode) and isinstance(step, str):
        return next(((k, v) for k, v in node.value if getattr(k, "value", None) == step), None)
    if isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
        return None, node.value[step]
    return None


def _check_duplicates(keys: list[tuple[str, ...]], section: str, path: Path) -> None:
    seen: dict[tuple[str, ...], int] = {}
    for index, key in enumerate(keys):
        if key in seen:
            raise InputError(f"same {'/'.join(key)} as {section}[{seen[key]}]; keep one entry per key so the "
                             "price that applies is unambiguous", source=str(path), obj=f"{section}[{index}]")
        seen[key] = index
