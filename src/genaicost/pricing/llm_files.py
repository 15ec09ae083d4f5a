"""The LLM catalogs of `genaicost compare`: bundled files (pricing/data/llm_*), `--api-prices FILE` overrides.

Files (written by tools/build_llm_catalogs.py): `llm_api_prices.csv` (API_PRICE_SCHEMA), `llm_throughput.csv`
(THROUGHPUT_SCHEMA), `llm_meta.json` ({"format": 1, "as_of": "YYYY-MM-DD", "api_sources": {...}, ...}).
A user's `--api-prices FILE` has the columns of llm_api_prices.csv; its rows replace bundled rows of the same
(provider, model) and add the others.
"""

from __future__ import annotations

import functools
import json
import os
import tempfile
from datetime import date
from importlib import resources
from pathlib import Path

import polars as pl

from genaicost.domain.compare import API_PRICE_SCHEMA, THROUGHPUT_SCHEMA, LlmCatalog
from genaicost.domain.errors import InputError

API_FILE = "llm_api_prices.csv"
THROUGHPUT_FILE = "llm_throughput.csv"
LLM_META_FILE = "llm_meta.json"

__all__ = ["API_FILE", "API_PRICE_SCHEMA", "LLM_META_FILE", "THROUGHPUT_FILE", "THROUGHPUT_SCHEMA",
           "load_llm_catalog", "read_api_prices", "write_csv_atomic"]


def write_csv_atomic(df: pl.DataFrame, path: Path) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        df.write_csv(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_api_prices(path: Path, *, field: str = "--api-prices") -> pl.DataFrame:
    """An API price CSV in our format, validated: known columns, non-negative prices, a source per row."""
    source = str(path)
    try:
        raw = pl.read_csv(path, infer_schema=False)
    except (OSError, pl.exceptions.PolarsError) as err:
        raise InputError(f"cannot read the CSV ({err})", source=source, field=field) from None
    missing = [c for c in ("provider", "model", "input_usd_per_1m", "output_usd_per_1m", "source")
               if c not in raw.columns]
    if missing:
        raise InputError(f"missing column(s) {', '.join(missing)}; expected the columns of the bundled "
                         f"{API_FILE}: {', '.join(API_PRICE_SCHEMA)}", source=source, field=field)
    for col in API_PRICE_SCHEMA:
        if col not in raw.columns:
            raw = raw.with_columns(pl.lit(None, pl.String).alias(col))
    try:
        df = raw.select(list(API_PRICE_SCHEMA)).cast(API_PRICE_SCHEMA)  # type: ignore[arg-type]
    except pl.exceptions.PolarsError:
        raise InputError("a price or context_window is not a number", source=source, field=field) from None
    return _validated(df, source, field)


def _validated(df: pl.DataFrame, source: str, field: str) -> pl.DataFrame:
    price = pl.col("input_usd_per_1m"), pl.col("output_usd_per_1m")
    bad = df.filter(price[0].is_null() | price[1].is_null() | (price[0] < 0) | (price[1] < 0)
                    | pl.col("provider").is_null() | pl.col("model").is_null())
    if bad.height:
        row = bad.row(0, named=True)
        raise InputError(f"row {row['provider']}/{row['model']}: input_usd_per_1m and output_usd_per_1m must be "
                         "numbers ≥ 0, provider and model non-empty", source=source, field=field)
    if df.get_column("source").is_null().any():
        raise InputError("every row needs a source (where the price comes from)", source=source, field=field)
    return df


def load_llm_catalog(api_prices_file: Path | None = None) -> LlmCatalog:
    """The bundled LLM catalogs, with the rows of `api_prices_file` replacing / extending the API prices."""
    bundled = _bundled()
    if api_prices_file is None:
        return bundled
    extra = read_api_prices(Path(api_prices_file))
    keys = extra.select("provider", "model")
    kept = bundled.api.join(keys, on=["provider", "model"], how="anti")
    merged = pl.concat([kept, extra]).sort("provider", "model")
    return LlmCatalog(as_of=bundled.as_of, api=merged, throughput=bundled.throughput,
                      api_sources=bundled.api_sources, api_file=str(api_prices_file))


@functools.lru_cache(maxsize=1)
def _bundled() -> LlmCatalog:
    with resources.as_file(resources.files("genaicost.pricing").joinpath("data")) as path:
        return read_llm_dir(Path(path))


def read_llm_dir(path: Path) -> LlmCatalog:
    meta = json.loads((path / LLM_META_FILE).read_text(encoding="utf-8"))
    api = _validated(pl.read_csv(path / API_FILE, schema=API_PRICE_SCHEMA), str(path / API_FILE), "bundled")
    throughput = pl.read_csv(path / THROUGHPUT_FILE, schema=THROUGHPUT_SCHEMA)
    return LlmCatalog(as_of=date.fromisoformat(meta["as_of"]), api=api, throughput=throughput,
                      api_sources=tuple(meta["api_sources"]))
