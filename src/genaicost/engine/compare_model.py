"""Which benchmark rows describe the model, and how much GPU memory it needs (docs/compare.md §1-§2). Pure."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction

import polars as pl

from genaicost.domain.compare import BYTES_PER_PARAM, PRECISIONS, Demand
from genaicost.domain.errors import InputError

GIB = 2**30
_PARAMS = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*b\s*$", re.IGNORECASE)


def exact(value: float) -> Fraction:
    """The decimal a float prints as, as an exact fraction (0.7 → 7/10): ceilings and break-evens are exact."""
    return Fraction(repr(float(value)))


@dataclass(frozen=True)
class ModelSpec:
    label: str                 # what the user asked for
    params_b: float
    params_source: str
    rows: pl.DataFrame         # usable benchmark rows of the model (all precisions)
    by_params: bool            # rows of every model of that size (the user gave a parameter count)


def normalize_model_key(name: str) -> str:
    key = name.strip().lower()
    key = re.sub(r"^meta-", "", key)
    key = re.sub(r"-instruct$", "", key)
    return re.sub(r"-v\d+(\.\d+)*$", "", key)


def resolve_model(text: str, throughput: pl.DataFrame) -> ModelSpec:
    """`--model`: a benchmark model name (any case, with or without Meta-/-Instruct) or a parameter count `70b`."""
    usable = throughput.filter(pl.col("usable"))
    match = _PARAMS.match(text)
    if match:
        params = float(match.group(1))
        rows = usable.filter(pl.col("params_b") == params)
        if rows.is_empty():
            sizes = ", ".join(f"{p:g}b" for p in sorted(set(usable.get_column("params_b").to_list())))
            raise InputError(f"no benchmark row for a {params:g}B-parameter model; sizes with measured "
                             f"throughput: {sizes}", field="--model")
        return ModelSpec(f"{params:g}B parameters", params, "--model", rows, by_params=True)
    key = normalize_model_key(text)
    rows = usable.filter(pl.col("model_key") == key)
    if not text.strip() or rows.is_empty():
        known = ", ".join(sorted(set(usable.get_column("model").to_list())))
        raise InputError(f"unknown model {text!r}; expected one of {known}, or a parameter count such as 70b",
                         field="--model")
    return ModelSpec(text.strip(), float(rows.get_column("params_b")[0]), str(rows.get_column("params_source")[0]),
                     rows, by_params=False)


def parse_precisions(values: list[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        for part in value.split(","):
            p = part.strip().lower()
            if p not in PRECISIONS:
                raise InputError(f"unknown precision {part.strip()!r}; expected bf16, fp8 or int4 (comma-separated "
                                 "or repeated)", field="--precision")
            if p not in out:
                out.append(p)
    if not out:
        raise InputError("no precision given; expected bf16, fp8 or int4", field="--precision")
    return out


def weights_gib(params_b: float, precision: str) -> float:
    return params_b * 1e9 * BYTES_PER_PARAM[precision] / GIB


def required_gpu_memory_gib(params_b: float, precision: str, kv_cache_headroom: float) -> float:
    """weights × (1 + headroom): the GPU memory one engine instance needs (docs/compare.md §2)."""
    return weights_gib(params_b, precision) * (1.0 + kv_cache_headroom)


def mix_distance(rows: pl.DataFrame, demand: Demand) -> pl.DataFrame:
    """Adds `mix_distance`: |ln(row in/out) − ln(demand in/out)|, plus |ln(row out / demand out per request)|
    when the demand gave request lengths; rounded to 1e-9 so equal mixes tie."""
    ratio = math.log(demand.input_tokens_per_month / demand.output_tokens_per_month)
    dist = ((pl.col("input_tokens").cast(pl.Float64) / pl.col("output_tokens")).log() - ratio).abs()
    if demand.output_tokens_per_request is not None:
        dist = dist + (pl.col("output_tokens").cast(pl.Float64) / demand.output_tokens_per_request).log().abs()
    return rows.with_columns(dist.round(9).alias("mix_distance"))


def pick_row(candidates: pl.DataFrame) -> dict[str, object] | None:
    """Among rows at the smallest mix distance: per (input, output) lengths the highest `instance_tok_s`
    (saturation over concurrencies and engines), then the lowest of those (the conservative length)."""
    if candidates.is_empty():
        return None
    best = candidates.filter(pl.col("mix_distance") == pl.col("mix_distance").min())
    best = best.sort(["instance_tok_s", "source", "engine"], descending=[True, False, False])
    per_length = best.unique(["input_tokens", "output_tokens"], keep="first", maintain_order=True)
    return per_length.sort(["instance_tok_s", "input_tokens", "output_tokens"]).row(0, named=True)
