"""Build the bundled LLM catalogs for `genaicost compare` (a developer tool; its output is committed).

    .venv/bin/python tools/build_llm_catalogs.py --reference-dir ../shared/reference \
        --out src/genaicost/pricing/data --as-of 2026-11-28

Reads llm_api_prices.csv (managed-API $ per 1M tokens) and llm_throughput_benchmarks.csv (published serving
throughput), and writes llm_api_prices.csv, llm_throughput.csv and llm_meta.json. Every row keeps its source.
Throughput rows are normalized (model key, nominal parameter count, precision class, GPU model and count from the
hardware column or from the bundled instance_specs.csv when the hardware is an AWS instance type); rows that
cannot size a deployment (no input/output lengths, hardware that is not a GPU/accelerator we can map) are kept
with `usable=false` and the reason. Nothing is estimated here: unknown stays empty.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from datetime import date
from pathlib import Path

import polars as pl

from genaicost.pricing.llm_files import (
    API_FILE,
    API_PRICE_SCHEMA,
    LLM_META_FILE,
    THROUGHPUT_FILE,
    THROUGHPUT_SCHEMA,
    write_csv_atomic,
)

# Mixtral's total parameter count is not in its name ("8x7B").
MIXTRAL_PARAMS = (46.7, "Mistral AI, 'Mixtral of experts' announcement (2023-12-11): 46.7B total parameters")
_GPU_ALIASES = {"A100-SXM4": "A100", "A100-SXM": "A100"}
_HARDWARE = re.compile(r"^(\d+)x\s+([A-Za-z0-9-]+?)(?:\s+(\d+)GB)?(?:\s|$)")
_INSTANCE = re.compile(r"^([a-z][a-z0-9-]*\.(?:\d*x)?large|[a-z][a-z0-9-]*\.metal)\b")


def model_key(name: str) -> str:
    """'Meta-Llama-3.1-8B-Instruct' → 'llama-3.1-8b' (the lookup key of `--model`)."""
    key = name.strip().lower()
    key = re.sub(r"^meta-", "", key)
    key = re.sub(r"-instruct$", "", key)
    return re.sub(r"-v\d+(\.\d+)*$", "", key)


def nominal_params(name: str) -> tuple[float | None, str]:
    if name.lower().startswith("mixtral-8x7b"):
        return MIXTRAL_PARAMS
    found = re.findall(r"(\d+(?:\.\d+)?)B(?![a-z])", name)
    if not found:
        return None, ""
    return float(found[-1]), "nominal, from the model name"


def precision_class(raw: str) -> str | None:
    text = raw.upper()
    if text.startswith("FP8"):
        return "fp8"
    if text.startswith(("BF16", "FP16")):
        return "bf16"   # 16-bit weights: FP16 and BF16 have the same size and tensor-core rate
    if text.startswith("INT4"):
        return "int4"
    return None


def _int_or_none(text: str | None) -> int | None:
    if text is None or not re.fullmatch(r"\d+", text.strip()):
        return None
    return int(text.strip())


def _hardware(row: dict[str, str], specs: dict[str, dict[str, str]]) -> tuple[str | None, int | None, float | None]:
    """(GPU model, devices, GB per device as stated) from 'Nx MODEL MEMGB', else from an AWS instance type."""
    match = _HARDWARE.match(row["hardware"])
    if match:
        gpu = _GPU_ALIASES.get(match.group(2), match.group(2))
        return gpu, int(match.group(1)), float(match.group(3)) if match.group(3) else None
    inst = _INSTANCE.match(row["aws_instance_equivalent"].strip())
    if inst and inst.group(1) in specs:
        spec = specs[inst.group(1)]
        count = float(spec["gpu_count"])
        return spec["gpu_model"], int(count), float(spec["gpu_memory_gib"]) / count
    return None, None, None


def throughput_rows(raw: pl.DataFrame, specs: dict[str, dict[str, str]]) -> pl.DataFrame:
    rows = []
    for row in raw.iter_rows(named=True):
        row = {k: ("" if v is None else str(v)) for k, v in row.items()}
        params, params_source = nominal_params(row["model"])
        gpu, count, mem = _hardware(row, specs)
        inp, out = _int_or_none(row["input_tokens"]), _int_or_none(row["output_tokens"])
        tok_s = float(row["output_tokens_per_s"]) if row["output_tokens_per_s"] else None
        prec = precision_class(row["precision"])
        reason = _unusable_reason(gpu, inp, out, tok_s, prec, params, row["precision"])
        rows.append({
            "model": row["model"], "model_key": model_key(row["model"]), "params_b": params,
            "params_source": params_source, "precision": prec, "precision_raw": row["precision"],
            "hardware": row["hardware"], "gpu_model": gpu, "gpu_count": count, "gpu_memory_gb_each": mem,
            "aws_instance_equivalent": row["aws_instance_equivalent"], "engine": row["engine"],
            "engine_version": row["engine_version"], "parallelism": row["parallelism"],
            "concurrency": row["concurrency"], "input_tokens": inp, "output_tokens": out,
            "output_tokens_per_s": tok_s, "ttft_ms": float(row["ttft_ms"]) if row["ttft_ms"] else None,
            "itl_ms": float(row["itl_ms"]) if row["itl_ms"] else None, "usable": reason is None,
            "unusable_reason": reason or "", "source": row["source"], "notes": row["notes"],
        })
    return pl.DataFrame(rows, schema=THROUGHPUT_SCHEMA)


def _unusable_reason(gpu: str | None, inp: int | None, out: int | None, tok_s: float | None, prec: str | None,
                     params: float | None, raw_precision: str) -> str | None:
    if gpu is None:
        return "hardware is not an 'Nx GPU' description or an AWS instance type"
    if inp is None or out is None:
        return "no single input/output token lengths stated"
    if tok_s is None or not math.isfinite(tok_s) or tok_s <= 0:
        return "no output tokens/s"
    if prec is None or "vs" in raw_precision:
        return f"precision {raw_precision!r} is not one of BF16/FP16, FP8, INT4"
    if params is None:
        return "no parameter count in the model name"
    return None


def api_rows(raw: pl.DataFrame) -> pl.DataFrame:
    out = raw.select(list(API_PRICE_SCHEMA)).cast(API_PRICE_SCHEMA)  # type: ignore[arg-type]
    bad = out.filter((pl.col("input_usd_per_1m") < 0) | (pl.col("output_usd_per_1m") < 0)
                     | pl.col("input_usd_per_1m").is_null() | pl.col("output_usd_per_1m").is_null())
    if bad.height:
        raise SystemExit(f"API rows without prices: {bad.rows()[:3]}")
    return out.unique(["provider", "model"], keep="first", maintain_order=True).sort("provider", "model")


def distinct_sources(sources: list[str]) -> list[str]:
    """Each distinct source file (the row's citation up to ' key='), as stated (with its version/date)."""
    return sorted({s.split(" key=")[0] for s in sources})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reference-dir", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--as-of", type=date.fromisoformat, required=True,
                        help="the date the reference files were taken (each source states its own version)")
    args = parser.parse_args(argv)
    specs_df = pl.read_csv(args.out / "instance_specs.csv", infer_schema=False)
    specs = {r["instance_type"]: r for r in specs_df.iter_rows(named=True)}
    bench = pl.read_csv(args.reference_dir / "llm_throughput_benchmarks.csv", infer_schema=False)
    apis = pl.read_csv(args.reference_dir / "llm_api_prices.csv", infer_schema=False)
    throughput = throughput_rows(bench, specs)
    api = api_rows(apis)
    write_csv_atomic(throughput, args.out / THROUGHPUT_FILE)
    write_csv_atomic(api, args.out / API_FILE)
    meta = {
        "format": 1,
        "as_of": args.as_of.isoformat(),
        "as_of_note": "date the reference files were taken; each API price source states its own version/date",
        "api_sources": distinct_sources(api.get_column("source").to_list()),
        "throughput_sources": sorted(set(throughput.get_column("source").to_list())),
        "params_sources": {"Mixtral-8x7B": MIXTRAL_PARAMS[1], "others": "nominal count in the model name"},
    }
    (args.out / LLM_META_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    usable = throughput.filter(pl.col("usable")).height
    print(f"{api.height} API prices, {throughput.height} throughput rows ({usable} usable)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
