"""`genaicost compare`: the LLM catalogs it reads, the demand and assumptions it takes, the result it gives.

The arithmetic is in docs/compare.md. Money is float64 USD per month (730 h unless overridden); renderers round
half-even to cents.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl
from pydantic import BaseModel, ConfigDict

PRECISIONS = ("bf16", "fp8", "int4")
BYTES_PER_PARAM = {"bf16": 2.0, "fp8": 1.0, "int4": 0.5}
SELF_HOSTED = "self-hosted"
API = "api"
PURCHASE_OPTIONS = ("on-demand", "spot", "savings-plan-1y", "savings-plan-3y")

# Managed-API prices, one row per (provider, model): USD per 1M tokens.
API_PRICE_SCHEMA: dict[str, Any] = {
    "provider": pl.String,
    "model": pl.String,
    "input_usd_per_1m": pl.Float64,
    "output_usd_per_1m": pl.Float64,
    "cached_input_usd_per_1m": pl.Float64,   # null when the source states none (not used in the comparison)
    "context_window": pl.Int64,
    "source": pl.String,                     # full citation of the row
}

# Published serving throughput, one row per measurement (built by tools/build_llm_catalogs.py).
THROUGHPUT_SCHEMA: dict[str, Any] = {
    "model": pl.String,                 # as published
    "model_key": pl.String,             # lower-case lookup key ("llama-3.1-8b")
    "params_b": pl.Float64,             # parameter count in billions (nominal)
    "params_source": pl.String,
    "precision": pl.String,             # bf16 (BF16 and FP16) | fp8 | int4; null when neither
    "precision_raw": pl.String,
    "hardware": pl.String,
    "gpu_model": pl.String,             # as in instance_specs.csv ("H100", "L40S", "A100", "Inferentia2")
    "gpu_count": pl.Int64,              # devices one engine instance ran on
    "gpu_memory_gb_each": pl.Float64,   # per device, as stated by the hardware column
    "aws_instance_equivalent": pl.String,
    "engine": pl.String,
    "engine_version": pl.String,
    "parallelism": pl.String,
    "concurrency": pl.String,
    "input_tokens": pl.Int64,           # per request
    "output_tokens": pl.Int64,
    "output_tokens_per_s": pl.Float64,  # measured output tokens per second of the whole engine instance
    "ttft_ms": pl.Float64,
    "itl_ms": pl.Float64,
    "usable": pl.Boolean,
    "unusable_reason": pl.String,
    "source": pl.String,
    "notes": pl.String,
}


@dataclass(frozen=True)
class LlmCatalog:
    as_of: date
    api: pl.DataFrame          # API_PRICE_SCHEMA
    throughput: pl.DataFrame   # THROUGHPUT_SCHEMA
    api_sources: tuple[str, ...]
    api_file: str | None = None   # the --api-prices file merged over the bundled prices, if any


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Demand(_Model):
    """Monthly traffic; request lengths only when the demand was given as requests."""

    input_tokens_per_month: float
    output_tokens_per_month: float
    requests_per_month: float | None = None
    input_tokens_per_request: float | None = None
    output_tokens_per_request: float | None = None


class Assumptions(_Model):
    """Every number the comparison assumes: named, defaulted, overridable (docs/compare.md)."""

    region: str = "us-east-1"
    target_utilization: float = 0.7          # fraction of the measured throughput a replica is run at
    kv_cache_headroom: float = 0.2           # GPU memory beyond the weights: KV cache, activations (× weights)
    hours_per_month: float = 730.0
    savings_plan_1y_discount: float | None = None   # fraction off on-demand; None = not configured
    savings_plan_3y_discount: float | None = None
    max_ttft_ms: float | None = None         # latency targets: only benchmark rows that meet them
    max_itl_ms: float | None = None
    throughput_source: str = "bundled benchmark table (measured rows only; no scaled estimates)"
    data_parallel: str = "an instance with k× the benchmark's GPUs runs k engine copies: k× its throughput"
    # Throughput measured in the cluster given as a source (docs/compare.md §3b): "auto" uses it, "off" ignores it.
    measured_throughput: str = "auto"
    measured_utilization_floor: float = 0.2   # below it (or unknown) the served rate itself is the capacity
    measured_precision: str = "bf16"          # the precision the cluster serves at (not in the serving metrics)


class CompareOption(_Model):
    kind: str                       # "self-hosted" | "api"
    name: str
    instance_type: str | None = None
    purchase_option: str | None = None
    precision: str | None = None
    replicas: int | None = None
    hourly_usd: float | None = None            # one replica (self-hosted)
    monthly_usd: float
    usd_per_1m_tokens: float                   # monthly_usd / (input + output tokens) × 1e6
    throughput_source: str | None = None
    throughput_output_tokens_per_s: float | None = None   # one replica, measured (× engine copies)
    engines_per_instance: int | None = None
    gpu_memory_required_gib: float | None = None
    price_source: str | None = None
    input_usd_per_1m: float | None = None
    output_usd_per_1m: float | None = None


class Unavailable(_Model):
    """An option that is not priced (e.g. a savings plan without a configured rate) or cannot be sized."""

    kind: str
    name: str
    instance_type: str | None = None
    purchase_option: str | None = None
    precision: str | None = None
    reason: str


class BreakEven(_Model):
    """Monthly volume at the demand's input/output mix where self-hosting stops being dearer than the API."""

    self_hosted: str                  # option name
    api: str
    first_total_tokens_per_month: float | None      # smallest volume where self-hosted ≤ API
    sustained_total_tokens_per_month: float | None  # from here on self-hosted ≤ API at every larger volume
    replicas_at_first: int | None
    note: str


class CompareResult(_Model):
    model: str
    precisions: list[str]
    demand: Demand
    options: list[CompareOption]
    break_even: list[BreakEven]
    unavailable: list[Unavailable]
    assumptions: Assumptions
    prices_as_of: str
    api_prices_as_of: str
    warnings: list[str] = []
