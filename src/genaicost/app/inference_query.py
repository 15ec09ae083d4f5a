"""Use case behind `GET /inference`: per-model unit economics over a window from the `model` hourly rollups.

    usd_per_1m_tokens        = Σ cost ÷ Σ (input + output tokens) × 10⁶
    usd_per_1m_input_tokens  = Σ input-attributed cost ÷ Σ input tokens × 10⁶   (the split of each hour's report)
    usd_per_1m_output_tokens = Σ output-attributed cost ÷ Σ output tokens × 10⁶
    usd_per_request          = Σ cost ÷ Σ requests
Sums first, then ratios (a ratio of sums, never a mean of hourly ratios).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from genaicost.domain.window import Window
from genaicost.store import HistoryStore
from genaicost.store.queries import sum_rollups
from genaicost.store.schema import MODEL_COLUMNS


def _per(num: str, den: str, scale: float = 1.0) -> pl.Expr:
    return pl.when(pl.col(den) > 0).then(pl.col(num) / pl.col(den) * scale).otherwise(None)


def query_inference(store: HistoryStore, window: Window) -> list[dict[str, Any]]:
    start_s, end_s = int(window.start.timestamp()), int(window.end.timestamp())
    rows = sum_rollups(store, "model", start_s=start_s, end_s=end_s, step_s=end_s - start_s,
                       group_by=["namespace", "model"], extra_sums=MODEL_COLUMNS)
    out = rows.with_columns((pl.col("input_tokens") + pl.col("output_tokens")).alias("tokens")).select(
        "model", "namespace",
        pl.col("total_usd").alias("cost_usd"),
        "input_tokens", "output_tokens", "requests", "gpu_hours",
        _per("total_usd", "tokens", 1e6).alias("usd_per_1m_tokens"),
        _per("input_usd", "input_tokens", 1e6).alias("usd_per_1m_input_tokens"),
        _per("output_usd", "output_tokens", 1e6).alias("usd_per_1m_output_tokens"),
        _per("total_usd", "requests").alias("usd_per_request"),
        _per("tokens", "gpu_hours").alias("tokens_per_gpu_hour"),
        ((pl.col("last_hour") + 3600 - pl.col("first_hour")) / 3600.0).alias("hours"),
    )
    return out.sort("cost_usd", descending=True).to_dicts()
