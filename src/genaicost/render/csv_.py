"""Report → CSV: one row per allocation line; money rounded to cents.

Rows follow the human formats: allocations, then the synthetic lines (`__idle__`, `__overhead__`, ...).
Columns: `kind` (allocation, or the synthetic line's word: idle, overhead, unmounted, ...), `name`,
one column per aggregate key, every money column of the breakdown (`*_usd`, cents, half-even),
`hourly_usd`, `monthly_usd`, then the resource quantities (`*_hours`, four decimals), `pods`,
`containers`, `unpriced`, then the efficiency fields (`cpu_efficiency`, `ram_efficiency`, `gpu_utilization`,
`gpu_unused_hours`, `total_efficiency`, `gpu_unused_usd`; empty without measurements). The inference
economics are not mixed into this table: `genaicost inference --format csv` gives them.
The header is a plain first row (no `#` comments), so spreadsheets and
`pandas.read_csv` take it as is.
"""

from __future__ import annotations

import csv
import io

from genaicost.domain.report import Allocation, CostBreakdown, Report
from genaicost.render.columns import breakdown_lines, line_kind, monthly_of
from genaicost.render.money import cents_text, format_quantity

MONEY_FIELDS = (
    "cpu_usd",
    "ram_usd",
    "gpu_usd",
    "storage_usd",
    "network_usd",
    "overhead_usd",
    "shared_usd",
    "idle_usd",
    "total_usd",
)
QUANTITY_FIELDS = (
    "cpu_core_hours",
    "ram_gib_hours",
    "gpu_hours",
    "storage_gib_hours",
    "cpu_request_core_hours",
    "cpu_usage_core_hours",
    "ram_request_gib_hours",
    "ram_usage_gib_hours",
)
QUANTITY_PLACES = 4
# Efficiency (docs/cost-model.md section 7): fractions and GPU-hours with four decimals, dollars in cents;
# empty when the line has no measurement.
EFFICIENCY_FIELDS = ("cpu_efficiency", "ram_efficiency", "gpu_utilization", "gpu_unused_hours", "total_efficiency")


def csv_header(report: Report) -> list[str]:
    return [
        "kind",
        "name",
        *report.aggregate,
        *MONEY_FIELDS,
        "hourly_usd",
        "monthly_usd",
        *QUANTITY_FIELDS,
        "pods",
        "containers",
        "unpriced",
        *EFFICIENCY_FIELDS,
        "gpu_unused_usd",
    ]


def render_csv(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(csv_header(report))
    for name, line in breakdown_lines(report):
        if isinstance(line, Allocation):
            writer.writerow(_allocation_row(report, line))
        else:
            writer.writerow(_line_row(report, name, line))
    return buffer.getvalue()


def _money(report: Report, line: CostBreakdown) -> list[str]:
    hours = report.window.hours
    hourly = line.total_usd / hours if hours > 0 else 0.0
    return [
        *(cents_text(getattr(line, f)) for f in MONEY_FIELDS),
        cents_text(hourly),
        cents_text(monthly_of(report, line.total_usd)),
    ]


def _allocation_row(report: Report, allocation: Allocation) -> list[str]:
    keys = [allocation.properties.get(key, "") for key in report.aggregate]
    quantities = [format_quantity(getattr(allocation, f), places=QUANTITY_PLACES) for f in QUANTITY_FIELDS]
    return [
        line_kind(allocation.name),
        allocation.name,
        *keys,
        *_money(report, allocation),
        *quantities,
        str(allocation.pods),
        str(allocation.containers),
        str(allocation.unpriced).lower(),
        *(format_quantity(getattr(allocation, f), places=QUANTITY_PLACES) for f in EFFICIENCY_FIELDS),
        cents_text(allocation.gpu_unused_usd),
    ]


def _line_row(report: Report, name: str, line: CostBreakdown) -> list[str]:
    blanks = [""] * len(report.aggregate)
    tail = [""] * (len(QUANTITY_FIELDS) + 3 + len(EFFICIENCY_FIELDS) + 1)
    return [line_kind(name), name, *blanks, *_money(report, line), *tail]
