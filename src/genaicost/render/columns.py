"""What every human-facing format shows: header facts, totals rows and breakdown columns.

Kept in one place so that table, markdown and html agree on labels, order and which optional columns
(overhead, shared, idle received) appear.
"""

from __future__ import annotations

from dataclasses import dataclass

from genaicost.domain.report import IDLE, OVERHEAD, CostBreakdown, NodeCost, Report
from genaicost.render.money import HOURS_PER_MONTH, format_quantity, format_usd


@dataclass(frozen=True)
class Column:
    label: str
    field: str  # attribute of CostBreakdown


BASE_COLUMNS = (
    Column("CPU", "cpu_usd"),
    Column("RAM", "ram_usd"),
    Column("GPU", "gpu_usd"),
    Column("Storage", "storage_usd"),
    Column("Network/LB", "network_usd"),
)
OPTIONAL_COLUMNS = (
    Column("Overhead", "overhead_usd"),
    Column("Shared", "shared_usd"),
    Column("Idle", "idle_usd"),
)
TOTAL_COLUMN = Column("Total", "total_usd")


def breakdown_columns(report: Report) -> list[Column]:
    """Resource columns for the allocation table; optional ones only when some line has them."""
    lines = [line for _, line in breakdown_lines(report)]
    optional = [c for c in OPTIONAL_COLUMNS if any(getattr(line, c.field) != 0 for line in lines)]
    return [*BASE_COLUMNS, *optional, TOTAL_COLUMN]


def breakdown_lines(report: Report) -> list[tuple[str, CostBreakdown]]:
    """The rows that sum to the total: allocations, then the synthetic lines (`__idle__`, ...).

    The engine puts `__idle__` / `__overhead__` among the allocations when they are shown as lines;
    `report.idle` / `report.overhead` hold what is kept outside them, added here only when not zero.
    """
    real = [(a.name, a) for a in report.allocations if not is_synthetic(a.name)]
    synthetic: list[tuple[str, CostBreakdown]] = [
        (a.name, a) for a in report.allocations if is_synthetic(a.name)
    ]
    for name, line in ((IDLE, report.idle), (OVERHEAD, report.overhead)):
        if any(value != 0 for value in line.model_dump().values()):
            synthetic.append((name, line))
    return real + synthetic


def is_synthetic(name: str) -> bool:
    return name.startswith("__") and name.endswith("__")


def line_kind(name: str) -> str:
    """ "allocation" for real lines, else the synthetic line's word: idle, overhead, unmounted, shared, ..."""
    return name.strip("_") if is_synthetic(name) else "allocation"


def header_facts(report: Report) -> list[tuple[str, str]]:
    """(label, value) pairs shown above every human report."""
    window = report.window
    return [
        ("Cluster", f"{report.cluster} (source: {report.source})"),
        ("Window", f"{window.start.isoformat()} → {window.end.isoformat()} ({window.hours:g} h)"),
        ("Prices as of", report.prices_as_of.isoformat()),
        ("Node price split", report.pricing.split),
        ("Aggregate", ", ".join(report.aggregate)),
        *([("Data", "PARTIAL — some source data was missing (see warnings)")] if report.partial else []),
    ]


def totals_rows(report: Report) -> list[tuple[str, float]]:
    """Run-rate totals: the window, per hour, per day, per month (730 h)."""
    totals = report.totals
    return [
        (f"Window ({report.window.hours:g} h)", totals.total_usd),
        ("Per hour", totals.hourly_usd),
        ("Per day", totals.daily_usd),
        (f"Per month ({HOURS_PER_MONTH:g} h)", totals.monthly_usd),
    ]


def totals_table(report: Report) -> list[list[str]]:
    """The totals table's rows (period, cost), ending with the allocated sum."""
    rows = [[label, format_usd(usd)] for label, usd in totals_rows(report)]
    rows.append(["Allocated (before idle and overhead)", format_usd(report.totals.allocated_usd)])
    return rows


def message_sections(report: Report, quote: str = "") -> list[tuple[str, list[str]]]:
    """(title, lines) for the unpriced items, warnings and notes; `quote` wraps item names (markdown)."""
    return [
        ("Unpriced", [f"{u.kind} {quote}{u.name}{quote}: {u.reason}" for u in report.unpriced]),
        ("Warnings", list(report.warnings)),
        ("Notes", list(report.notes)),
    ]


def monthly_of(report: Report, window_usd: float) -> float:
    """Scale an amount for the report's window to a 730-hour month."""
    hours = report.window.hours
    return window_usd / hours * HOURS_PER_MONTH if hours > 0 else 0.0


def gpu_summary(node: NodeCost) -> str:
    """ "4 A10G", "8 A100-SXM4-40GB mig", "1 L4 time-slicing"; "-" without accelerators."""
    if not node.gpu_count:
        return "-"
    model = (node.gpu_model or "").removeprefix("NVIDIA-")
    sharing = "" if node.gpu_sharing == "none" else f" {node.gpu_sharing}"
    return f"{format_quantity(node.gpu_count, places=0)} {model}".strip() + sharing
