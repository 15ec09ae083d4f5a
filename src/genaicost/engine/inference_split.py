"""Unit-economics arithmetic of one model line (docs/cost-model.md section 8): Polars expressions over a
frame with cost_usd, input/output tokens, requests, prefill/decode seconds and the GPU sums.

Every ratio is null when its denominator is zero or unknown — never a division by zero.
"""

from __future__ import annotations

import polars as pl

TOKENS_PER_MILLION = 1e6
PREFILL_DECODE = "prefill-decode-time"


def ratio_label(io_cost_ratio: float) -> str:
    """`4.0` → "ratio:4": an output token costs k × an input token."""
    return f"ratio:{io_cost_ratio:g}"


def _per(num: pl.Expr, den: pl.Expr, scale: float = 1.0) -> pl.Expr:
    return pl.when(den > 0).then(num / den * scale).otherwise(None)


def _prefill_decode_known() -> pl.Expr:
    seconds = pl.col("prefill_seconds") + pl.col("decode_seconds")
    return pl.col("prefill_seconds").is_not_null() & pl.col("decode_seconds").is_not_null() & (seconds > 0)


def input_cost(io_cost_ratio: float) -> pl.Expr:
    """cost × prefill ÷ (prefill + decode) when both times are known, else cost × I ÷ (I + k·O)."""
    cost, i, o = pl.col("cost_usd"), pl.col("input_tokens"), pl.col("output_tokens")
    by_time = cost * pl.col("prefill_seconds") / (pl.col("prefill_seconds") + pl.col("decode_seconds"))
    weighted = i + io_cost_ratio * o
    by_ratio = pl.when(weighted > 0).then(cost * i / weighted).otherwise(None)
    return pl.when(_prefill_decode_known()).then(by_time).otherwise(by_ratio)


def unit_economics(lines: pl.DataFrame, io_cost_ratio: float) -> pl.DataFrame:
    """Add the per-token, per-request and per-GPU-hour figures of InferenceLine."""
    tokens = pl.col("input_tokens") + pl.col("output_tokens")
    staged = lines.with_columns(
        input_cost(io_cost_ratio).alias("input_cost_usd"),
        pl.when(_prefill_decode_known())
        .then(pl.lit(PREFILL_DECODE))
        .otherwise(pl.lit(ratio_label(io_cost_ratio)))
        .alias("io_split"),
    ).with_columns((pl.col("cost_usd") - pl.col("input_cost_usd")).alias("output_cost_usd"))
    return staged.with_columns(
        _per(pl.col("cost_usd"), tokens, TOKENS_PER_MILLION).alias("usd_per_1m_tokens"),
        _per(pl.col("input_cost_usd"), pl.col("input_tokens"), TOKENS_PER_MILLION).alias("usd_per_1m_input_tokens"),
        _per(pl.col("output_cost_usd"), pl.col("output_tokens"), TOKENS_PER_MILLION).alias(
            "usd_per_1m_output_tokens"
        ),
        _per(pl.col("cost_usd"), pl.col("requests")).alias("usd_per_request"),
        _per(pl.col("cost_usd"), pl.col("successful_requests")).alias("usd_per_successful_request"),
        _per(pl.col("gpu_busy_hours"), pl.col("gpu_measured_hours")).alias("gpu_utilization"),
        (pl.col("gpu_measured_hours") - pl.col("gpu_busy_hours")).alias("gpu_unused_hours"),
        (pl.col("gpu_measured_usd") - pl.col("gpu_busy_usd")).alias("gpu_unused_usd"),
        _per(tokens, pl.col("gpu_hours")).alias("tokens_per_gpu_hour"),
        _per(pl.col("output_tokens"), pl.col("gpu_hours")).alias("output_tokens_per_gpu_hour"),
    )
