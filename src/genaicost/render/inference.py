"""What the human formats show of efficiency and of the inference economics (shared by table, markdown, html).

Efficiency columns appear in the allocation and node tables only when some line has a measurement (history
sources); the inference tables only when `report.inference` is non-empty.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from genaicost.domain.report import Allocation, CostBreakdown, InferenceLine, NodeCost, Report
from genaicost.render.money import format_rate, format_small_usd, format_usd

INFERENCE_TITLE = "Inference unit economics"
INFERENCE_GPU_TITLE = "Inference GPU use"
INFERENCE_LATENCY_TITLE = "Inference engine, cost split and latency"


def format_fraction(value: float | None, *, unknown: str = "-") -> str:
    """0.7 → "70.0%"; `unknown` for null."""
    if value is None:
        return unknown
    return f"{Decimal(repr(float(value * 100))).quantize(Decimal('0.1'), ROUND_HALF_EVEN)}%"


def format_count(value: float | None, *, unknown: str = "-") -> str:
    """Tokens, requests: 1200000 → "1,200,000"."""
    if value is None:
        return unknown
    return f"{Decimal(repr(float(value))).quantize(Decimal(1), ROUND_HALF_EVEN):,}"


def format_seconds(value: float | None, *, unknown: str = "-") -> str:
    if value is None:
        return unknown
    return f"{Decimal(repr(float(value))).quantize(Decimal('0.001'), ROUND_HALF_EVEN)} s"


def format_hours(value: float | None) -> str:
    return "-" if value is None else f"{Decimal(repr(float(value))).quantize(Decimal('0.01'), ROUND_HALF_EVEN)}"


# --- efficiency columns -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EfficiencyColumn:
    label: str
    field: str  # attribute of Allocation


EFFICIENCY_COLUMNS = (EfficiencyColumn("GPU util", "gpu_utilization"), EfficiencyColumn("Eff.", "total_efficiency"))


def efficiency_columns(report: Report) -> list[EfficiencyColumn]:
    """The efficiency columns some allocation line has a value for."""
    return [
        c for c in EFFICIENCY_COLUMNS if any(getattr(a, c.field) is not None for a in report.allocations)
    ]


def efficiency_cells(line: CostBreakdown, columns: list[EfficiencyColumn]) -> list[str]:
    """Cells for one breakdown row (lines outside allocations[] have no efficiency)."""
    if not isinstance(line, Allocation):
        return ["-" for _ in columns]
    return [format_fraction(getattr(line, c.field)) for c in columns]


def node_gpu_util_shown(report: Report) -> bool:
    return any(n.gpu_utilization is not None for n in report.nodes)


def node_gpu_util(node: NodeCost) -> str:
    return format_fraction(node.gpu_utilization)


# --- inference tables ---------------------------------------------------------------------------------------

Cell = Callable[[InferenceLine], str]


def _rate(value: float | None) -> str:
    return format_rate(value, unknown="-")


ECONOMICS: tuple[tuple[str, Cell], ...] = (
    ("Model", lambda i: i.model + (" *" if i.unpriced else "")),
    ("Namespace", lambda i: i.namespace),
    ("Cost", lambda i: format_usd(i.cost_usd)),
    ("In tokens", lambda i: format_count(i.input_tokens)),
    ("Out tokens", lambda i: format_count(i.output_tokens)),
    ("Requests", lambda i: format_count(i.requests)),
    ("$/1M", lambda i: _rate(i.usd_per_1m_tokens)),
    ("$/1M in", lambda i: _rate(i.usd_per_1m_input_tokens)),
    ("$/1M out", lambda i: _rate(i.usd_per_1m_output_tokens)),
    ("$/req", lambda i: format_small_usd(i.usd_per_request, unknown="-")),
    ("$/ok req", lambda i: format_small_usd(i.usd_per_successful_request, unknown="-")),
)
GPU_USE: tuple[tuple[str, Cell], ...] = (
    ("Model", lambda i: i.model),
    ("Namespace", lambda i: i.namespace),
    ("Pods", lambda i: str(i.pods)),
    ("Idle share", lambda i: format_usd(i.idle_share_usd)),
    ("GPU-h", lambda i: format_hours(i.gpu_hours)),
    ("GPU util", lambda i: format_fraction(i.gpu_utilization)),
    ("Unused GPU", lambda i: format_usd(i.gpu_unused_usd, unknown="-")),
    ("Tokens/GPU-h", lambda i: format_count(i.tokens_per_gpu_hour)),
    ("Out/GPU-h", lambda i: format_count(i.output_tokens_per_gpu_hour)),
)
LATENCY: tuple[tuple[str, Cell], ...] = (
    ("Model", lambda i: i.model),
    ("Namespace", lambda i: i.namespace),
    ("Engine", lambda i: i.engine),
    ("Split", lambda i: i.io_split),
    ("TTFT p50", lambda i: format_seconds(i.ttft_p50_seconds)),
    ("TTFT p95", lambda i: format_seconds(i.ttft_p95_seconds)),
    ("E2E p50", lambda i: format_seconds(i.e2e_p50_seconds)),
    ("E2E p95", lambda i: format_seconds(i.e2e_p95_seconds)),
)
# columns left-aligned (text); the others are figures, right-aligned
TEXT_COLUMNS = frozenset({"Model", "Namespace", "Engine", "Split"})


@dataclass(frozen=True)
class InferenceTable:
    title: str
    headers: list[str]
    rows: list[list[str]]

    @property
    def leading_text_columns(self) -> int:
        """How many columns from the left are text (left-aligned); the rest are figures."""
        n = 0
        while n < len(self.headers) and self.headers[n] in TEXT_COLUMNS:
            n += 1
        return n


def inference_tables(report: Report) -> list[InferenceTable]:
    """The inference tables (economics; GPU use; engine, split and latency); none without lines."""
    specs = [(INFERENCE_TITLE, ECONOMICS), (INFERENCE_GPU_TITLE, GPU_USE), (INFERENCE_LATENCY_TITLE, LATENCY)]
    return [
        InferenceTable(title, [label for label, _ in cells], [[cell(i) for _, cell in cells] for i in report.inference])
        for title, cells in specs
        if report.inference
    ]


def inference_notes(report: Report) -> list[str]:
    """How to read the inference tables: the io split methods used, idle sharing, unpriced marks."""
    notes = []
    methods = sorted({i.io_split for i in report.inference})
    for method in methods:
        if method == "prefill-decode-time":
            notes.append("Split prefill-decode-time: input cost = cost × prefill s ÷ (prefill s + decode s)")
        else:
            k = method.removeprefix("ratio:")
            notes.append(
                f"Split {method}: an output token costs {k} × an input token (input cost = cost × I ÷ (I + {k}·O))"
            )
    shared = bool(report.options.get("share_idle"))
    notes.append(
        "Cost includes the pods' share of idle (--share-idle)" if shared else "Cost excludes idle (add --share-idle)"
    )
    if any(i.unpriced for i in report.inference):
        notes.append("* some of the model's pods are on unpriced nodes: its cost is understated")
    return notes


def inference_header_facts(report: Report) -> list[tuple[str, str]]:
    window = report.window
    facts = [
        ("Cluster", f"{report.cluster} (source: {report.source})"),
        ("Window", f"{window.start.isoformat()} → {window.end.isoformat()} ({window.hours:g} h)"),
        ("Prices as of", report.prices_as_of.isoformat()),
        ("Node price split", report.pricing.split),
    ]
    if report.partial:
        facts.append(("Data", "PARTIAL — some source data was missing (see warnings)"))
    return facts
