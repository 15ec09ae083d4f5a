"""`genaicost compare`: self-hosting a model vs managed APIs for a monthly demand (docs/compare.md). Pure."""

from __future__ import annotations

import polars as pl

from genaicost.domain.compare import (
    API,
    PRECISIONS,
    SELF_HOSTED,
    Assumptions,
    CompareOption,
    CompareResult,
    Demand,
    LlmCatalog,
    Unavailable,
)
from genaicost.domain.errors import InputError
from genaicost.domain.prices import PriceCatalog
from genaicost.engine.compare_breakeven import break_even
from genaicost.engine.compare_measured import ClusterServing, MeasuredType, measure_throughput, window_label
from genaicost.engine.compare_model import parse_precisions, resolve_model
from genaicost.engine.compare_prices import SP_UNCONFIGURED
from genaicost.engine.compare_selfhosted import self_hosted_options

__all__ = ["api_options", "compare", "make_demand", "validate_assumptions"]


def make_demand(*, input_tokens_per_month: float | None = None, output_tokens_per_month: float | None = None,
                requests_per_month: float | None = None, input_tokens_per_request: float | None = None,
                output_tokens_per_request: float | None = None) -> Demand:
    """Tokens a month, or requests a month × tokens per request (one form, complete)."""
    by_tokens = input_tokens_per_month is not None or output_tokens_per_month is not None
    by_requests = any(v is not None for v in (requests_per_month, input_tokens_per_request, output_tokens_per_request))
    if by_tokens and by_requests:
        raise InputError("give the demand either as tokens a month or as requests a month × tokens per request, "
                         "not both", field="--input-tokens-per-month/--requests-per-month")
    if by_requests:
        req = _positive(requests_per_month, "--requests-per-month")
        inp = _positive(input_tokens_per_request, "--input-tokens-per-request")
        out = _positive(output_tokens_per_request, "--output-tokens-per-request")
        return Demand(input_tokens_per_month=req * inp, output_tokens_per_month=req * out, requests_per_month=req,
                      input_tokens_per_request=inp, output_tokens_per_request=out)
    return Demand(input_tokens_per_month=_positive(input_tokens_per_month, "--input-tokens-per-month"),
                  output_tokens_per_month=_positive(output_tokens_per_month, "--output-tokens-per-month"))


def _positive(value: float | None, field: str) -> float:
    if value is None:
        raise InputError("missing; the demand needs --input-tokens-per-month and --output-tokens-per-month, or "
                         "--requests-per-month with --input-tokens-per-request and --output-tokens-per-request",
                         field=field)
    if not value > 0 or value == float("inf"):
        raise InputError(f"{value:g} is not a token/request count; expected a finite number above zero", field=field)
    return float(value)


def validate_assumptions(a: Assumptions) -> Assumptions:
    if not 0 < a.target_utilization <= 1:
        raise InputError(f"{a.target_utilization:g}: expected a fraction in (0, 1], e.g. 0.7",
                         field="--target-utilization")
    if not 0 <= a.kv_cache_headroom <= 10:
        raise InputError(f"{a.kv_cache_headroom:g}: expected a fraction of the weights ≥ 0, e.g. 0.2",
                         field="--kv-cache-headroom")
    if not 0 < a.hours_per_month <= 744:
        raise InputError(f"{a.hours_per_month:g}: expected hours in (0, 744], e.g. 730", field="--hours-per-month")
    for flag, d in (("--savings-plan-1y-discount", a.savings_plan_1y_discount),
                    ("--savings-plan-3y-discount", a.savings_plan_3y_discount)):
        if d is not None and not 0 <= d < 1:
            raise InputError(f"{d:g}: expected a fraction off on-demand in [0, 1), e.g. 0.28", field=flag)
    for flag, ms in (("--max-ttft-ms", a.max_ttft_ms), ("--max-itl-ms", a.max_itl_ms)):
        if ms is not None and not ms > 0:
            raise InputError(f"{ms:g}: expected milliseconds above zero", field=flag)
    if a.measured_throughput not in ("auto", "off"):
        raise InputError(f"{a.measured_throughput!r}: expected auto or off", field="--measured-throughput")
    if not 0 <= a.measured_utilization_floor <= 1:
        raise InputError(f"{a.measured_utilization_floor:g}: expected a GPU busy fraction in [0, 1], e.g. 0.2",
                         field="--measured-utilization-floor")
    if a.measured_precision not in PRECISIONS:
        raise InputError(f"{a.measured_precision!r}: expected bf16, fp8 or int4", field="--measured-precision")
    return a


def api_options(demand: Demand, llm: LlmCatalog, api_filters: list[str]) -> list[CompareOption]:
    """monthly = input tokens / 1e6 × input price + output tokens / 1e6 × output price, per API row."""
    wanted = [f.strip().lower() for f in api_filters if f.strip()]
    total = demand.input_tokens_per_month + demand.output_tokens_per_month
    out = []
    for row in llm.api.iter_rows(named=True):   # ~100 API rows
        name = f"{row['provider']}/{row['model']}"
        if wanted and not any(w in name.lower() for w in wanted):
            continue
        monthly = (demand.input_tokens_per_month / 1e6 * row["input_usd_per_1m"]
                   + demand.output_tokens_per_month / 1e6 * row["output_usd_per_1m"])
        out.append(CompareOption(kind=API, name=name, monthly_usd=monthly, usd_per_1m_tokens=monthly / total * 1e6,
                                 input_usd_per_1m=row["input_usd_per_1m"], output_usd_per_1m=row["output_usd_per_1m"],
                                 price_source=row["source"]))
    if wanted and not out:
        raise InputError(f"no API in the catalog matches {', '.join(api_filters)}; e.g. bedrock, openai/gpt-4o, "
                         "anthropic", field="--api")
    return out


def compare(*, model: str, precisions: list[str], demand: Demand, assumptions: Assumptions, catalog: PriceCatalog,
            llm: LlmCatalog, api_filters: list[str] | None = None, cluster: ClusterServing | None = None
            ) -> CompareResult:
    """`cluster`: a measured source (report by pod and node + serving counters); where the model is served
    there, its measured throughput sizes those instance types (docs/compare.md §3b)."""
    validate_assumptions(assumptions)
    spec = resolve_model(model, llm.throughput)
    chosen = parse_precisions(precisions)
    if not (catalog.ec2.get_column("region") == assumptions.region).any():
        raise InputError(f"region {assumptions.region!r} has no prices in the catalog", field="--region")
    measured, notes = _measured(cluster, model, spec.rows, chosen, assumptions)
    if cluster is not None:
        used = bool(measured) and assumptions.measured_precision in chosen
        assumptions = assumptions.model_copy(update={"throughput_source": _source_assumption(cluster, assumptions,
                                                                                             used)})
    hosted, unavailable = self_hosted_options(spec, chosen, demand, assumptions, catalog, measured)
    apis = api_options(demand, llm, api_filters or [])
    options = sorted(hosted + apis, key=lambda o: (o.monthly_usd, o.kind, o.name, o.purchase_option or ""))
    even = [break_even(h, a, demand, assumptions) for h in cheapest_per_purchase_option(hosted) for a in apis]
    warnings = list(notes)
    if spec.by_params:
        models = sorted(set(spec.rows.get_column("model").to_list()))
        warnings.append(f"{spec.label}: throughput from benchmark rows of {', '.join(models)} (same size)")
    if not hosted:
        warnings.append("no self-hosted option could be sized and priced; see `unavailable`")
    return CompareResult(model=spec.label, precisions=chosen, demand=demand, options=options, break_even=even,
                         unavailable=_grouped(unavailable), assumptions=assumptions,
                         prices_as_of=catalog.as_of.isoformat(), api_prices_as_of=llm.as_of.isoformat(),
                         warnings=warnings)


def _measured(cluster: ClusterServing | None, model: str, rows: pl.DataFrame, chosen: list[str],
              assumptions: Assumptions) -> tuple[list[MeasuredType], list[str]]:
    if cluster is None:
        return [], []
    if assumptions.measured_throughput == "off":
        return [], ["measured throughput off (--measured-throughput off): sizing from the bundled benchmark table"]
    found = measure_throughput(cluster.report, cluster.pod_tokens, wanted=model,
                               model_keys=set(rows.get_column("model_key").to_list()), assumptions=assumptions)
    notes = list(found.notes)
    if found.types and assumptions.measured_precision not in chosen:
        notes.append(f"the measured throughput is at {assumptions.measured_precision} (--measured-precision), "
                     f"not among the compared precisions ({', '.join(chosen)}): not used")
    return found.types, notes


def _source_assumption(cluster: ClusterServing, a: Assumptions, used: bool) -> str:
    if a.measured_throughput == "off":
        return "bundled benchmark table (measured rows only); the cluster's measured throughput is off"
    if not used:
        return (f"bundled benchmark table (measured rows only): nothing measured in {cluster.report.cluster} "
                "could size an option (see the warnings)")
    return (f"measured in {cluster.report.cluster} over {window_label(cluster.report.window.hours)} where the "
            f"model is served (--measured-throughput auto): served output tok/s per instance ÷ GPU utilization when "
            f"known and ≥ {a.measured_utilization_floor:g} (--measured-utilization-floor), else the served rate; "
            f"at {a.measured_precision} (--measured-precision); other instance types: bundled benchmark table")


def _grouped(unavailable: list[Unavailable]) -> list[Unavailable]:
    """Savings plans without a configured rate: one line per purchase option, naming the instance types."""
    kept: list[Unavailable] = []
    unconfigured: dict[str, list[Unavailable]] = {}
    for u in unavailable:
        if u.purchase_option and u.reason.startswith(SP_UNCONFIGURED):
            unconfigured.setdefault(u.purchase_option, []).append(u)
        else:
            kept.append(u)
    for option, items in unconfigured.items():
        types = sorted({u.instance_type or "" for u in items})
        precisions = ",".join(sorted({u.precision or "" for u in items}))
        kept.append(Unavailable(kind=SELF_HOSTED, name=f"{len(items)} option(s) on {', '.join(types)}",
                                purchase_option=option, precision=precisions, reason=items[0].reason))
    return kept


def cheapest_per_purchase_option(hosted: list[CompareOption]) -> list[CompareOption]:
    """The cheapest self-hosted option of each purchase option, cheapest first (the break-even candidates)."""
    best: dict[str, CompareOption] = {}
    for o in sorted(hosted, key=lambda o: (o.monthly_usd, o.name)):
        best.setdefault(o.purchase_option or "", o)
    return list(best.values())
