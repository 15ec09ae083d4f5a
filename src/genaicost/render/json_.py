"""Report → JSON: the versioned Report itself, in the model's field order (re-loadable with --from)."""

from __future__ import annotations

import json

from genaicost.domain.report import Report


def render_json(report: Report) -> str:
    data = report.model_dump(mode="json")
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
