"""compare on the crafted catalog of compare_factory: every dollar below is computed by hand in the comments."""

from __future__ import annotations

import pytest
from compare_factory import BENCH_SOURCE, gpu_catalog, llm_catalog

from genaicost.domain.compare import Assumptions, CompareResult
from genaicost.domain.errors import InputError
from genaicost.engine.compare import compare, make_demand

# 8e9 input + 2e9 output tokens a month: ratio 4, the 1000/250 rows. Output 2e9 / (730 × 3600 s) = 761.03 tok/s.
DEMAND = make_demand(input_tokens_per_month=8e9, output_tokens_per_month=2e9)


def run(demand=DEMAND, precisions=("bf16", "fp8", "int4"), apis=None, **assume) -> CompareResult:  # type: ignore[no-untyped-def]
    return compare(model="Test-8B", precisions=list(precisions), demand=demand, assumptions=Assumptions(**assume),
                   catalog=gpu_catalog(), llm=llm_catalog(), api_filters=apis)


def table(result: CompareResult) -> list[tuple[str, str | None, int | None, float]]:
    return [(o.instance_type or o.name, o.purchase_option, o.replicas, round(o.monthly_usd, 6)) for o in result.options]


def test_options_hand_computed_and_sorted() -> None:
    # g9.xlarge: 1000 tok/s (the best 1000/250 row) × 0.7 = 700 → ⌈761.03 / 700⌉ = 2 replicas
    #   spot 2 × 0.80 × 730 = 1168; on-demand 2 × 2.00 × 730 = 2920
    # g9.2xlarge: 2 engine copies, 2000 × 0.7 = 1400 → 1 replica; on-demand 3.50 × 730 = 2555; no spot price
    # g9.small: 8 GiB < 8e9 B / 2^30 × 1.2 = 8.94 GiB → not suitable
    # APIs: cheap 8000 × 0.5 + 2000 × 1.5 = 7000; mid 800 + 200 = 1000; tiny 100; dear 24000 + 30000 = 54000
    assert table(run()) == [
        ("p/tiny", None, None, 100.0), ("p/mid", None, None, 1000.0), ("g9.xlarge", "spot", 2, 1168.0),
        ("g9.2xlarge", "on-demand", 1, 2555.0), ("g9.xlarge", "on-demand", 2, 2920.0),
        ("p/cheap", None, None, 7000.0), ("p/dear", None, None, 54000.0),
    ]
    spot = run().options[2]
    assert spot.usd_per_1m_tokens == pytest.approx(1168 / 10_000)   # 10e9 tokens
    assert spot.gpu_memory_required_gib == pytest.approx(8e9 / 2**30 * 1.2)


def test_every_self_hosted_option_has_a_measured_source_and_no_estimate_is_made() -> None:
    result = run()
    hosted = [o for o in result.options if o.kind == "self-hosted"]
    assert hosted and all(o.precision == "fp8" for o in hosted)
    assert all(o.throughput_source and o.throughput_source.startswith("measured: ") and BENCH_SOURCE
               in o.throughput_source for o in hosted)
    reasons = {(u.precision, u.purchase_option): u.reason for u in result.unavailable}
    assert "no measured throughput" in reasons[("bf16", None)]
    assert "no measured throughput" in reasons[("int4", None)]   # the int4 row has no lengths: unusable
    assert reasons[("fp8", "spot")] == "no spot price for g9.2xlarge in us-east-1 in the catalog"
    assert "no savings-plan rate configured" in reasons[("fp8", "savings-plan-1y")]   # one line per option
    assert [u.name for u in result.unavailable if u.purchase_option == "savings-plan-3y"] == [
        "2 option(s) on g9.2xlarge, g9.xlarge"]


def test_savings_plan_priced_only_when_configured() -> None:
    result = run(precisions=["fp8"], savings_plan_1y_discount=0.3)
    sp = {(o.instance_type, o.purchase_option): o.monthly_usd for o in result.options if o.kind == "self-hosted"}
    assert sp[("g9.xlarge", "savings-plan-1y")] == pytest.approx(2 * 2.0 * 0.7 * 730)    # 2044
    assert sp[("g9.2xlarge", "savings-plan-1y")] == pytest.approx(3.5 * 0.7 * 730)       # 1788.5
    assert ("g9.xlarge", "savings-plan-3y") not in sp


def test_break_even_hand_computed() -> None:
    # cheapest self-hosted: g9.xlarge spot. K = 0.80 × 730 = 584 $/replica-month,
    # C = 1000 × 0.7 × 3600 × 730 = 1,839,600,000 output tokens/replica-month, r = 4 input per output token.
    # p/cheap: a = (4 × 0.5 + 1.5) / 1e6 = 3.5e-6 $/output token; aC = 6438.6 ≥ 2K → first = sustained = K / a
    #   = 166,857,142.857 output tokens = × 5 → 834,285,714.29 tokens a month.
    # p/mid: a = 5e-7; aC = 919.8 ∈ (K, 2K): first = 584 / 5e-7 = 1.168e9 output = 5.84e9 tokens;
    #   m = ⌈584 / (919.8 − 584)⌉ = ⌈1.739⌉ = 2 → sustained = 2 × 1.168e9 = 2.336e9 output = 11.68e9 tokens.
    # p/tiny: a = 5e-8; aC = 91.98 < K → never.
    result = run(precisions=["fp8"])
    # the cheapest option of each purchase option: g9.xlarge spot ($1168), g9.2xlarge on-demand ($2555)
    assert [b.self_hosted for b in result.break_even if b.api == "p/cheap"] == [
        "g9.xlarge spot fp8", "g9.2xlarge on-demand fp8"]
    even = {b.api: b for b in result.break_even if b.self_hosted == "g9.xlarge spot fp8"}
    assert even["p/cheap"].first_total_tokens_per_month == pytest.approx(834_285_714.2857143, rel=1e-12)
    assert even["p/cheap"].sustained_total_tokens_per_month == pytest.approx(834_285_714.2857143, rel=1e-12)
    assert even["p/mid"].first_total_tokens_per_month == pytest.approx(5.84e9, rel=1e-12)
    assert even["p/mid"].sustained_total_tokens_per_month == pytest.approx(11.68e9, rel=1e-12)
    assert even["p/tiny"].first_total_tokens_per_month is None
    assert even["p/tiny"].sustained_total_tokens_per_month is None


def test_break_even_is_where_the_costs_cross() -> None:
    """At the p/mid first break-even the two monthly costs are equal; just below it the API is cheaper."""
    def costs(total: float) -> tuple[float, float]:
        result = run(demand=make_demand(input_tokens_per_month=total * 0.8, output_tokens_per_month=total * 0.2),
                     precisions=["fp8"], apis=["p/mid"])
        hosted = min(o.monthly_usd for o in result.options if o.kind == "self-hosted")
        return hosted, next(o.monthly_usd for o in result.options if o.kind == "api")
    hosted, api = costs(5.84e9)
    assert hosted == pytest.approx(584.0) and api == pytest.approx(584.0)
    hosted, api = costs(5.8e9)
    assert api < hosted


def test_replicas_exact_at_full_capacity() -> None:
    # exactly one replica's capacity: 700 tok/s × 3600 × 730 = 1,839,600,000 output tokens → 1 replica, not 2
    demand = make_demand(input_tokens_per_month=4 * 1_839_600_000, output_tokens_per_month=1_839_600_000)
    xl = [o for o in run(demand=demand, precisions=["fp8"]).options if o.instance_type == "g9.xlarge"]
    assert {o.replicas for o in xl} == {1}
    one_more = make_demand(input_tokens_per_month=4 * 1_839_600_001, output_tokens_per_month=1_839_600_001)
    xl = [o for o in run(demand=one_more, precisions=["fp8"]).options if o.instance_type == "g9.xlarge"]
    assert {o.replicas for o in xl} == {2}


def test_mix_picks_the_nearest_benchmark_row() -> None:
    # input = output: the 500/500 row (1500 tok/s) → g9.xlarge capacity 1050 → ⌈761.03 / 1050⌉ = 1 replica
    demand = make_demand(input_tokens_per_month=2e9, output_tokens_per_month=2e9)
    xl = next(o for o in run(demand=demand, precisions=["fp8"]).options
              if o.instance_type == "g9.xlarge" and o.purchase_option == "on-demand")
    assert xl.throughput_output_tokens_per_s == 1500.0 and xl.replicas == 1 and xl.monthly_usd == pytest.approx(1460)


def test_requests_demand_and_parameter_count() -> None:
    demand = make_demand(requests_per_month=1e6, input_tokens_per_request=1000, output_tokens_per_request=250)
    assert (demand.input_tokens_per_month, demand.output_tokens_per_month) == (1e9, 2.5e8)
    result = compare(model="8b", precisions=["fp8"], demand=demand, assumptions=Assumptions(), catalog=gpu_catalog(),
                     llm=llm_catalog())
    assert result.model == "8B parameters" and "Test-8B" in result.warnings[0]
    assert any(o.kind == "self-hosted" for o in result.options)


def test_latency_target_drops_rows_without_a_measured_latency() -> None:
    result = run(precisions=["fp8"], max_ttft_ms=500)
    assert not [o for o in result.options if o.kind == "self-hosted"]
    assert "latency target" in result.unavailable[0].reason and result.break_even == []


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"input_tokens_per_month": -5, "output_tokens_per_month": 1}, "--input-tokens-per-month"),
    ({"input_tokens_per_month": 5, "output_tokens_per_month": 0}, "--output-tokens-per-month"),
    ({"input_tokens_per_month": 5, "output_tokens_per_month": None}, "--output-tokens-per-month"),
    ({"input_tokens_per_month": 5, "output_tokens_per_month": 5, "requests_per_month": 3}, "--requests-per-month"),
    ({"input_tokens_per_month": None, "output_tokens_per_month": None, "requests_per_month": 3,
      "input_tokens_per_request": 10}, "--output-tokens-per-request"),
])
def test_bad_demand(kwargs: dict[str, float | None], field: str) -> None:
    with pytest.raises(InputError) as err:
        make_demand(**kwargs)  # type: ignore[arg-type]
    assert field in str(err.value)


@pytest.mark.parametrize(("model", "precisions", "assume", "text"), [
    ("Nope-1B", ["fp8"], {}, "unknown model 'Nope-1B'"),
    ("3b", ["fp8"], {}, "no benchmark row for a 3B-parameter model"),
    ("Test-8B", ["fp4"], {}, "unknown precision 'fp4'"),
    ("Test-8B", ["fp8"], {"target_utilization": 0}, "--target-utilization"),
    ("Test-8B", ["fp8"], {"kv_cache_headroom": -0.1}, "--kv-cache-headroom"),
    ("Test-8B", ["fp8"], {"savings_plan_1y_discount": 1.0}, "--savings-plan-1y-discount"),
    ("Test-8B", ["fp8"], {"region": "mars-1"}, "region 'mars-1' has no prices"),
])
def test_bad_input(model: str, precisions: list[str], assume: dict[str, object], text: str) -> None:
    with pytest.raises(InputError) as err:
        compare(model=model, precisions=precisions, demand=DEMAND, assumptions=Assumptions(**assume),  # type: ignore[arg-type]
                catalog=gpu_catalog(), llm=llm_catalog())
    assert text in str(err.value)
