"""A tiny GPU price catalog and LLM catalog with hand-computable answers, for the compare tests.

Instance types (us-east-1): g9.xlarge 1× X100 48 GiB ($2.00 on-demand, $0.80 spot), g9.2xlarge 2× X100 96 GiB
($3.50 on-demand, no spot price), g9.small 1× X100 8 GiB ($0.50; too small for an 8B model at fp8 with headroom).
Benchmark rows for Test-8B fp8 on 1× X100: 1000/250 tokens at 1000 and at 600 output tok/s, 500/500 at 1500.
APIs: p/cheap 0.5 / 1.5, p/mid 0.1 / 0.1, p/tiny 0.01 / 0.01, p/dear 3 / 15 ($ per 1M in / out).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
from catalog_factory import make_catalog

from genaicost.domain.compare import API_PRICE_SCHEMA, THROUGHPUT_SCHEMA, LlmCatalog
from genaicost.domain.prices import PriceCatalog

BENCH_SOURCE = "test bench table @abc123"


def gpu_catalog() -> PriceCatalog:
    ec2 = [
        {"region": "us-east-1", "instance_type": "g9.xlarge", "ondemand_usd_per_hour": 2.0, "spot_usd_per_hour": 0.8},
        {"region": "us-east-1", "instance_type": "g9.2xlarge", "ondemand_usd_per_hour": 3.5},
        {"region": "us-east-1", "instance_type": "g9.small", "ondemand_usd_per_hour": 0.5, "spot_usd_per_hour": 0.2},
        {"region": "us-east-1", "instance_type": "m9.large", "ondemand_usd_per_hour": 0.1},
    ]
    specs = [
        {"instance_type": "g9.xlarge", "vcpu": 4, "memory_gib": 16, "gpu_count": 1, "gpu_model": "X100",
         "gpu_memory_gib": 48, "accelerator": "nvidia"},
        {"instance_type": "g9.2xlarge", "vcpu": 8, "memory_gib": 32, "gpu_count": 2, "gpu_model": "X100",
         "gpu_memory_gib": 96, "accelerator": "nvidia"},
        {"instance_type": "g9.small", "vcpu": 2, "memory_gib": 8, "gpu_count": 1, "gpu_model": "X100",
         "gpu_memory_gib": 8, "accelerator": "nvidia"},
        {"instance_type": "m9.large", "vcpu": 2, "memory_gib": 8},
    ]
    return make_catalog(ec2_rows=ec2, spec_rows=specs)


def bench_row(**fields: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "model": "Test-8B", "model_key": "test-8b", "params_b": 8.0, "params_source": "name", "precision": "fp8",
        "precision_raw": "FP8", "hardware": "1x X100", "gpu_model": "X100", "gpu_count": 1,
        "gpu_memory_gb_each": None, "aws_instance_equivalent": "g9", "engine": "eng", "engine_version": "1",
        "parallelism": "TP1", "concurrency": "max", "input_tokens": 1000, "output_tokens": 250,
        "output_tokens_per_s": 1000.0, "ttft_ms": None, "itl_ms": None, "usable": True, "unusable_reason": "",
        "source": BENCH_SOURCE, "notes": "",
    }
    row.update(fields)
    return row


def llm_catalog(rows: list[dict[str, Any]] | None = None) -> LlmCatalog:
    if rows is None:
        rows = [bench_row(), bench_row(output_tokens_per_s=600.0, concurrency="16"),
                bench_row(input_tokens=500, output_tokens=500, output_tokens_per_s=1500.0),
                bench_row(model="Other-70B", model_key="other-70b", params_b=70.0, precision="bf16",
                          output_tokens_per_s=9.0),
                bench_row(usable=False, unusable_reason="no lengths", precision="int4", input_tokens=None,
                          output_tokens=None)]
    apis = [("p", "cheap", 0.5, 1.5), ("p", "mid", 0.1, 0.1), ("p", "tiny", 0.01, 0.01), ("p", "dear", 3.0, 15.0)]
    api = pl.DataFrame([{"provider": p, "model": m, "input_usd_per_1m": i, "output_usd_per_1m": o,
                         "cached_input_usd_per_1m": None, "context_window": 1000, "source": f"test api {m}"}
                        for p, m, i, o in apis], schema=API_PRICE_SCHEMA)
    return LlmCatalog(as_of=date(2026, 11, 28), api=api, throughput=pl.DataFrame(rows, schema=THROUGHPUT_SCHEMA),
                      api_sources=("test api",))
