"""Read a budgets YAML file: YAML → JSON schema (jsonschema) → pydantic models, every error with its line.

Errors read `budgets.yaml:12: budgets[1].amount_usd: -5 is less than or equal to the minimum of 0`: the line
comes from the YAML node tree (yaml.compose keeps each node's start mark), found by walking the error's path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError
from pydantic import ValidationError

from genaicost.budgets.schema import shipped_schema
from genaicost.domain.budget import BudgetsFile
from genaicost.domain.errors import InputError

PathT = Sequence[str | int]


@dataclass(frozen=True)
class LoadedBudgets:
    config: BudgetsFile
    source: str
    root: yaml.Node | None

    def line(self, path: PathT) -> int:
        return line_of(self.root, path)

    def where(self, path: PathT) -> str:
        return f"{self.source}:{self.line(path)}: {format_path(path)}"


def load_budgets(path: Path) -> LoadedBudgets:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("no such file; give the path of a budgets YAML file", source=str(path)) from None
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"cannot read the budgets file ({err})", source=str(path)) from None
    return parse_budgets(text, source=str(path))


def parse_budgets(text: str, *, source: str) -> LoadedBudgets:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = _plain(yaml.safe_load(text))
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise InputError(f"{source}:{line}: not valid YAML: {err.problem or err.context}") from None
    except yaml.YAMLError as err:
        raise InputError(f"{source}: not valid YAML: {err}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError(f"{source}:1: the file must be a mapping with a `budgets:` list (see docs/budgets.md), "
                         f"not a {type(data).__name__}")
    problems = _schema_problems(data, root) or _reference_problems(data, root)
    if not problems:
        try:
            config = BudgetsFile.model_validate(data)
        except ValidationError as err:
            problems = _model_problems(err, root)
        else:
            return LoadedBudgets(config, source, root)
    lines = [f"{source}:{line}: {format_path(path)}: {msg}" for line, path, msg in sorted(problems, key=_order)]
    raise InputError("invalid budgets file:\n" + "\n".join(lines))


def _order(problem: tuple[int, PathT, str]) -> tuple[int, str]:
    return problem[0], format_path(problem[1])


def _plain(value: Any) -> Any:
    """YAML timestamps (2026-11-01) become ISO strings, as the JSON schema expects."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def format_path(path: PathT) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(file)"


def line_of(root: yaml.Node | None, path: PathT) -> int:
    """1-based line of the node at `path` (a mapping entry: its key's line); the deepest existing node's line."""
    node = root
    line = node.start_mark.line + 1 if node is not None else 1
    for part in path:
        if isinstance(node, yaml.MappingNode):
            found = next(((k, v) for k, v in node.value if getattr(k, "value", None) == part), None)
            if found is None:
                return line
            line, node = found[0].start_mark.line + 1, found[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def _schema_problems(data: dict[str, Any], root: yaml.Node | None) -> list[tuple[int, PathT, str]]:
    problems: list[tuple[int, PathT, str]] = []
    for error in Draft202012Validator(shipped_schema()).iter_errors(data):
        path, message = _explain(error)
        problems.append((line_of(root, path), path, message))
    return problems


def _explain(error: SchemaError) -> tuple[list[str | int], str]:
    path = list(error.absolute_path)
    if error.validator in ("anyOf", "oneOf") and error.context:
        useful = [e for e in error.context if not (e.validator == "type" and e.validator_value == "null")]
        if useful:
            return _explain(useful[0])
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = sorted(error.schema.get("properties", {}))
        extra = [k for k in error.instance if k not in known]
        if extra:
            return [*path, extra[0]], f"unknown field {extra[0]!r}; expected one of: {', '.join(known)}"
    return path, error.message


def _model_problems(err: ValidationError, root: yaml.Node | None) -> list[tuple[int, PathT, str]]:
    problems: list[tuple[int, PathT, str]] = []
    for item in err.errors():
        path = [p for p in item["loc"] if isinstance(p, str | int)]
        message = str(item["msg"]).removeprefix("Value error, ")
        field, sep, rest = message.partition(": ")
        if sep and field.isidentifier() and item["type"] == "value_error":   # "field: why" from our validators
            path, message = [*path, field], rest
        problems.append((line_of(root, path), path, message))
    return problems


def _reference_problems(data: dict[str, Any], root: yaml.Node | None) -> list[tuple[int, PathT, str]]:
    """Names must be unique; notify must name a defined notifier; a burn-rate rule must name a budget."""
    problems: list[tuple[int, PathT, str]] = []
    notifiers = sorted(data.get("notifiers") or {})
    budgets = [b.get("name") for b in data.get("budgets") or []]
    seen: set[str] = set()
    for section in ("budgets", "rules"):
        for i, item in enumerate(data.get(section) or []):
            path: list[str | int] = [section, i]
            name = item.get("name")
            if name in seen:
                problems.append((line_of(root, [*path, "name"]), [*path, "name"],
                                 f"{name!r} is used twice; budget and rule names must be unique"))
            seen.add(name)
            for j, target in enumerate(item.get("notify") or []):
                if target not in notifiers:
                    problems.append((line_of(root, [*path, "notify", j]), [*path, "notify", j],
                                     f"{target!r} is not defined in notifiers (defined: "
                                     f"{', '.join(notifiers) or 'none'})"))
            if section == "rules" and item.get("budget") is not None and item["budget"] not in budgets:
                problems.append((line_of(root, [*path, "budget"]), [*path, "budget"],
                                 f"{item['budget']!r} is not the name of a budget in this file"))
    return problems
