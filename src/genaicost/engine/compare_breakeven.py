"""Break-even monthly volume between a self-hosted option and a managed API (docs/compare.md §5). Pure, exact.

At the demand's input:output mix r (input tokens per output token) and O output tokens a month:
  API(O)  = a·O,                  a = (r·p_in + p_out) / 1e6
  self(O) = max(1, ⌈O / C⌉) · K,  C = measured tok/s × utilization × 3600 × hours, K = hourly × hours
first break-even     = K / a when K ≤ a·C (else never): the smallest O where self ≤ API.
sustained break-even = m·K / a with m = ⌈K / (a·C − K)⌉ when a·C > K (else never): self ≤ API at every O from
there on (each later replica step starts below the API line).
Volumes are reported as total tokens a month: O · (1 + r).
"""

from __future__ import annotations

import math
from fractions import Fraction

from genaicost.domain.compare import Assumptions, BreakEven, CompareOption, Demand
from genaicost.engine.compare_model import exact


def api_slope(demand: Demand, option: CompareOption) -> Fraction:
    """USD per output token at the demand's mix."""
    r = exact(demand.input_tokens_per_month) / exact(demand.output_tokens_per_month)
    assert option.input_usd_per_1m is not None and option.output_usd_per_1m is not None
    return (r * exact(option.input_usd_per_1m) + exact(option.output_usd_per_1m)) / 10**6


def break_even(self_hosted: CompareOption, api: CompareOption, demand: Demand,
               assumptions: Assumptions) -> BreakEven:
    assert self_hosted.hourly_usd is not None and self_hosted.throughput_output_tokens_per_s is not None
    hours = exact(assumptions.hours_per_month)
    step_usd = exact(self_hosted.hourly_usd) * hours                      # K
    capacity = (exact(self_hosted.throughput_output_tokens_per_s) * exact(assumptions.target_utilization)
                * 3600 * hours)                                            # C, output tokens per replica-month
    slope = api_slope(demand, api)                                         # a
    total_per_output = 1 + exact(demand.input_tokens_per_month) / exact(demand.output_tokens_per_month)
    first: float | None = None
    sustained: float | None = None
    if slope > 0 and step_usd <= slope * capacity:
        first = float(step_usd / slope * total_per_output)
    if slope > 0 and slope * capacity > step_usd:
        m = math.ceil(step_usd / (slope * capacity - step_usd))
        sustained = float(m * step_usd / slope * total_per_output)
    return BreakEven(self_hosted=_label(self_hosted), api=api.name, first_total_tokens_per_month=first,
                     sustained_total_tokens_per_month=sustained, replicas_at_first=1 if first is not None else None,
                     note=_note(first, sustained))


def _label(option: CompareOption) -> str:
    return f"{option.instance_type} {option.purchase_option} {option.precision}"


def _note(first: float | None, sustained: float | None) -> str:
    if first is None:
        return "never: one replica's full capacity costs less through the API than the replica"
    if sustained is None:
        return "equal only at exact multiples of one replica's capacity"
    return "self-hosting is no dearer from the first volume within that replica step, and at every volume " \
           "from the sustained one"
