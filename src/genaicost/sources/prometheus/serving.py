"""Serving-engine counters over a window → MODEL_USAGE rows per (namespace, pod, model) and latency quantiles.

Queries (all documented in docs/prometheus-queries.md, "Serving-engine queries"):
1. which of the known metric names exist in the window (one chunked query, `discovery.py`);
2. per engine and usage field with series: `sum by (namespace, pod, <model label>) (increase(<counter>[<chunk>]))`,
   alternatives joined with `or`, once per chunk, chunks added up. `increase` handles counter resets;
3. per engine, histogram and quantile (p50, p95): one `histogram_quantile` over the whole window.
So the number of queries depends on the engines and chunks present, never on pods or models.
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from genaicost.domain.snapshot import MODEL_LATENCY_SCHEMA, MODEL_USAGE_SCHEMA
from genaicost.domain.window import Window
from genaicost.sources.prometheus.chunks import chunked_instant
from genaicost.sources.prometheus.client import PrometheusClient
from genaicost.sources.prometheus.discovery import present_metric_names
from genaicost.sources.prometheus.serving_engines import (
    ENGINES,
    LATENCY_HISTOGRAMS,
    USAGE_FIELDS,
    Series,
    ServingEngine,
    expected_metrics_text,
)

QUANTILES = {"p50": 0.5, "p95": 0.95}
KEYS = ["namespace", "pod", "model"]


def model_usage(client: PrometheusClient, window: Window, *, step_s: float,
                chunk_hours: float = 24.0) -> tuple[pl.DataFrame, pl.DataFrame, list[str]]:
    """(usage in MODEL_USAGE_SCHEMA, latency in MODEL_LATENCY_SCHEMA, warnings) for every engine found."""
    all_names = sorted({name for engine in ENGINES.values() for name in engine.metric_names()})
    present = present_metric_names(client, all_names, window, step_s=step_s)
    usage, latency = [], []
    for engine in ENGINES.values():
        if not present & set(engine.metric_names()):
            continue
        fields = {name: _counter_frame(client, engine, alts, present, window, step_s, chunk_hours)
                  for name, alts in engine.counters.items()}
        usage.append(assemble_usage(engine, fields))
        latency.append(assemble_latency(engine, _latency_frames(client, engine, present, window)))
    warnings = [] if usage else [no_series_warning()]
    return _stack(usage, MODEL_USAGE_SCHEMA), _stack(latency, MODEL_LATENCY_SCHEMA), warnings


def no_series_warning() -> str:
    return ("inference usage unknown: no serving-engine series in the window; expected one of "
            f"{expected_metrics_text()} (with namespace and pod labels from the scrape)")


def group_labels(engine: ServingEngine) -> list[str]:
    return ["namespace", "pod", *([engine.model_label] if engine.model_label else [])]


def counter_query(engine: ServingEngine, alternatives: tuple[Series, ...]) -> str:
    """`sum by (…) (increase(A[{chunk}])) or sum by (…) (increase(B[{chunk}]))` for chunked_instant."""
    by = ", ".join(group_labels(engine))
    parts = [f"sum by ({by}) ({_with_model_label(engine, s.increase('{chunk}'))})"
             for s in alternatives]
    return " or ".join(parts)


def latency_query(engine: ServingEngine, alternatives: tuple[Series, ...], quantile: float,
                  range_: str) -> str:
    by = ", ".join(["le", "namespace", *([engine.model_label] if engine.model_label else [])])
    parts = [f"sum by ({by}) ({_with_model_label(engine, s.increase(range_))})"
             for s in alternatives]
    return f"histogram_quantile({quantile}, {' or '.join(parts)})"


def window_range(window: Window) -> str:
    """The whole window as a range selector duration (1 ms short, like the chunks: same samples in 2.x and 3.x)."""
    return f"{round((window.end - window.start) / timedelta(milliseconds=1)) - 1}ms"


def assemble_usage(engine: ServingEngine, fields: dict[str, pl.DataFrame | None]) -> pl.DataFrame:
    """Per-field frames (group labels + value; None = the engine exposes no such series) → MODEL_USAGE rows.

    A field whose metric exists reads 0 for a pod that has none of it in the window; a field the engine
    does not expose stays null.
    """
    keyed = {name: _keyed(engine, frame) for name, frame in fields.items() if frame is not None}
    if not keyed:
        return pl.DataFrame(schema=MODEL_USAGE_SCHEMA)
    rows = pl.concat([frame.select(KEYS) for frame in keyed.values()]).unique().sort(KEYS, nulls_last=True)
    for name in USAGE_FIELDS:
        if name in keyed:
            rows = rows.join(keyed[name].rename({"value": name}), on=KEYS, how="left", nulls_equal=True)
            rows = rows.with_columns(pl.col(name).fill_null(0.0))
    rows = rows.with_columns(pl.lit(engine.name).alias("engine"))
    return _conform(rows, MODEL_USAGE_SCHEMA)


def assemble_latency(engine: ServingEngine, quantiles: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Frames keyed `ttft_p50_seconds` … (le-less group labels + value) → MODEL_LATENCY rows (NaN → null)."""
    keys = ["namespace", "model"]
    keyed = {name: _keyed(engine, frame).drop("pod").with_columns(_finite("value")) for name, frame in
             quantiles.items() if frame.height}
    if not keyed:
        return pl.DataFrame(schema=MODEL_LATENCY_SCHEMA)
    rows = pl.concat([frame.select(keys) for frame in keyed.values()]).unique().sort(keys, nulls_last=True)
    for name, frame in keyed.items():
        rows = rows.join(frame.rename({"value": name}), on=keys, how="left", nulls_equal=True)
    rows = rows.with_columns(pl.lit(engine.name).alias("engine"))
    return _conform(rows, MODEL_LATENCY_SCHEMA)


def _counter_frame(client: PrometheusClient, engine: ServingEngine, alternatives: tuple[Series, ...],
                   present: set[str], window: Window, step_s: float, chunk_hours: float) -> pl.DataFrame | None:
    usable = _usable(alternatives, present)
    if not usable:
        return None
    return chunked_instant(client, counter_query(engine, usable), window, step_s=step_s,
                           chunk_hours=chunk_hours, by=group_labels(engine), combine="sum")


def _latency_frames(client: PrometheusClient, engine: ServingEngine, present: set[str],
                    window: Window) -> dict[str, pl.DataFrame]:
    frames: dict[str, pl.DataFrame] = {}
    for histogram in LATENCY_HISTOGRAMS:
        usable = _usable(engine.histograms.get(histogram, ()), present)
        for label, quantile in QUANTILES.items() if usable else ():
            query = latency_query(engine, usable, quantile, window_range(window))
            frames[f"{histogram}_{label}_seconds"] = client.instant(query, window.end)
    return frames


def _usable(alternatives: tuple[Series, ...], present: set[str]) -> tuple[Series, ...]:
    return tuple(s for s in alternatives if present & set(s.names))


def _with_model_label(engine: ServingEngine, expr: str) -> str:
    """Copy an older model label (SGLang's early `name`) into the engine's model label where that is absent."""
    for old in engine.old_model_labels:
        expr = (f'label_replace(label_replace({expr}, "gc_model", "$1", "{old}", "(.+)"), '
                f'"gc_model", "$1", "{engine.model_label}", "(.+)")')
        expr = f'label_replace({expr}, "{engine.model_label}", "$1", "gc_model", "(.+)")'
    return expr


def _keyed(engine: ServingEngine, frame: pl.DataFrame) -> pl.DataFrame:
    """Group-label frame → namespace, pod, model, value (model null for engines without a model label)."""
    cols = {"namespace": pl.String, "pod": pl.String, "value": pl.Float64}
    out = [pl.col(c).cast(t) if c in frame.columns else pl.lit(None, dtype=t).alias(c) for c, t in cols.items()]
    model = engine.model_label
    out.append(pl.col(model).cast(pl.String).alias("model") if model and model in frame.columns
               else pl.lit(None, dtype=pl.String).alias("model"))
    return frame.select(out).select([*KEYS, "value"])


def _finite(column: str) -> pl.Expr:
    value = pl.col(column)
    return pl.when(value.is_nan() | value.is_infinite()).then(None).otherwise(value).alias(column)


def _conform(frame: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    cols = [pl.col(c).cast(t) if c in frame.columns else pl.lit(None, dtype=t).alias(c) for c, t in schema.items()]
    return frame.select(cols)


def _stack(frames: list[pl.DataFrame], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    frames = [f for f in frames if f.height]
    return pl.concat(frames) if frames else pl.DataFrame(schema=schema)

