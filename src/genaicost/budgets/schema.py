"""The JSON schema of a budgets file, generated from the pydantic models (domain/budget.py).

`schema.json` next to this module is the shipped copy (`python -m genaicost.budgets.schema > schema.json`
regenerates it; a test keeps the two equal). Cross-field rules (a label scope needs key and value, a custom
period needs period_days and starts_on, notify names a defined notifier, ...) are checked by the models after
the schema passes.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

from genaicost.domain.budget import BudgetsFile

SCHEMA_ID = "https://genaicost.dev/schemas/budgets.json"


def generate_schema() -> dict[str, Any]:
    schema = BudgetsFile.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


@cache
def shipped_schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(files("genaicost.budgets").joinpath("schema.json").read_text("utf-8"))
    return loaded


if __name__ == "__main__":
    print(json.dumps(generate_schema(), indent=2, sort_keys=True))
