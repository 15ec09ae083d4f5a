"""The cells every `compare` format shows (one place, so table / markdown / html / csv agree)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from genaicost.domain.compare import Assumptions, CompareOption, CompareResult
from genaicost.engine.compare_whatif import WhatIfResult
from genaicost.render.money import format_rate, format_usd

OPTION_HEADERS = ("Kind", "Option", "Purchase", "Precision", "Replicas", "$/month", "$/1M tokens",
                  "Throughput / price (per replica; $/1M in / out)")
BREAK_EVEN_HEADERS = ("Self-hosted", "API", "Break-even (tokens/month)", "Sustained from (tokens/month)", "Note")
UNAVAILABLE_HEADERS = ("Kind", "Option", "Purchase", "Precision", "Reason")
WHAT_IF_HEADERS = ("Node", "Type", "Capacity", "GPUs", "$/month now", "Target type", "Target $/month",
                   "Saved $/month", "Reason")


@dataclass(frozen=True)
class Section:
    title: str
    headers: Sequence[str]
    rows: list[list[str]]


def tokens(value: float | None) -> str:
    return "never" if value is None else f"{value:,.0f}"


def _opt(value: object) -> str:
    return "" if value is None else str(value)


def _source_text(o: CompareOption) -> str:
    if o.kind == "self-hosted":
        return o.throughput_source or ""
    return (o.price_source or "").split(" key=")[0]


def source_refs(result: CompareResult) -> dict[str, int]:
    """Each distinct throughput / API price source → its number in the Sources list."""
    refs: dict[str, int] = {}
    for o in result.options:
        refs.setdefault(_source_text(o), len(refs) + 1)
    return refs


def option_rows(result: CompareResult) -> list[list[str]]:
    refs = source_refs(result)
    out = []
    for o in result.options:
        ref = f"[{refs[_source_text(o)]}]"
        if o.kind == "self-hosted":
            copies = f" ({o.engines_per_instance} engines)" if (o.engines_per_instance or 1) > 1 else ""
            source = f"{ref} {o.throughput_output_tokens_per_s:,.2f} tok/s{copies}; {o.price_source}"
            name = o.instance_type or o.name
        else:
            source = f"{ref} in {format_rate(o.input_usd_per_1m)} / out {format_rate(o.output_usd_per_1m)}"
            name = o.name
        out.append([o.kind, name, _opt(o.purchase_option), _opt(o.precision), _opt(o.replicas),
                    format_usd(o.monthly_usd), format_rate(o.usd_per_1m_tokens), source])
    return out


def source_rows(result: CompareResult) -> list[list[str]]:
    return [[f"[{n}]", text] for text, n in source_refs(result).items()]


def break_even_rows(result: CompareResult) -> list[list[str]]:
    return [[b.self_hosted, b.api, tokens(b.first_total_tokens_per_month),
             tokens(b.sustained_total_tokens_per_month), b.note] for b in result.break_even]


def unavailable_rows(result: CompareResult) -> list[list[str]]:
    return [[u.kind, u.name, _opt(u.purchase_option), _opt(u.precision), u.reason] for u in result.unavailable]


def assumption_facts(a: Assumptions) -> list[tuple[str, str]]:
    def sp(d: float | None) -> str:
        return "not configured (unpriced)" if d is None else f"{d:g} off on-demand"

    return [
        ("region (--region)", a.region),
        ("target utilization (--target-utilization)", f"{a.target_utilization:g}"),
        ("KV-cache headroom (--kv-cache-headroom)", f"{a.kv_cache_headroom:g} × weights"),
        ("hours per month (--hours-per-month)", f"{a.hours_per_month:g}"),
        ("savings plan 1y (--savings-plan-1y-discount)", sp(a.savings_plan_1y_discount)),
        ("savings plan 3y (--savings-plan-3y-discount)", sp(a.savings_plan_3y_discount)),
        ("max TTFT (--max-ttft-ms)", "none" if a.max_ttft_ms is None else f"{a.max_ttft_ms:g} ms"),
        ("max ITL (--max-itl-ms)", "none" if a.max_itl_ms is None else f"{a.max_itl_ms:g} ms"),
        ("throughput source", a.throughput_source),
        ("data parallel", a.data_parallel),
    ]


def header_facts(result: CompareResult) -> list[tuple[str, str]]:
    d = result.demand
    demand = f"{tokens(d.input_tokens_per_month)} input + {tokens(d.output_tokens_per_month)} output tokens/month"
    if d.requests_per_month is not None:
        demand += (f" ({tokens(d.requests_per_month)} requests × {d.input_tokens_per_request:g} in / "
                   f"{d.output_tokens_per_request:g} out)")
    return [("model", result.model), ("precisions", ", ".join(result.precisions)), ("demand", demand),
            ("EC2 prices as of", result.prices_as_of), ("API prices as of", result.api_prices_as_of)]


def compare_sections(result: CompareResult) -> list[Section]:
    sections = [Section("Options (cheapest first)", OPTION_HEADERS, option_rows(result))]
    sections.append(Section("Sources", ("Ref", "Source"), source_rows(result)))
    if result.break_even:
        sections.append(Section("Break-even: the cheapest self-hosted option of each purchase option vs each API",
                                BREAK_EVEN_HEADERS, break_even_rows(result)))
    if result.unavailable:
        sections.append(Section("Not priced or not sized", UNAVAILABLE_HEADERS, unavailable_rows(result)))
    sections.append(Section("Assumptions", ("Assumption", "Value"), [list(f) for f in
                                                                      assumption_facts(result.assumptions)]))
    return sections


def what_if_rows(result: WhatIfResult) -> list[list[str]]:
    return [[n.node, _opt(n.instance_type), n.capacity_type, f"{n.gpu_count:g}", format_usd(n.current_monthly_usd),
             _opt(n.target_instance_type), format_usd(n.target_monthly_usd), format_usd(n.monthly_savings_usd),
             _opt(n.reason)] for n in result.nodes]


def what_if_facts(result: WhatIfResult) -> list[tuple[str, str]]:
    return [("cluster", result.cluster), ("window", f"{result.window_hours:g} h"),
            ("target", f"{result.instance_family} family, {result.purchase_option}"),
            ("GPU nodes now", f"{format_usd(result.current_monthly_usd)}/month"),
            ("on the target", f"{format_usd(result.target_monthly_usd)}/month"),
            ("saved", f"{format_usd(result.monthly_savings_usd)}/month"), ("prices as of", result.prices_as_of)]


def what_if_sections(result: WhatIfResult) -> list[Section]:
    return [Section("GPU nodes re-priced", WHAT_IF_HEADERS, what_if_rows(result)),
            Section("Assumptions", ("Assumption", "Value"),
                    [["region", "each node's own"]]
                    + [list(f) for f in assumption_facts(result.assumptions)[3:6]]
                    + [["rule", "cheapest type of the family with ≥ the node's GPU count and GPU memory; monthly "
                                "= hourly × hours per month × node hours ÷ window hours"]])]
