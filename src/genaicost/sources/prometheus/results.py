"""Prometheus query results (`data` of an API answer) → Polars frames.

Instant (`vector`, `scalar`): one String column per label name seen in any series (null where a series lacks
it), sorted by name, then `value` (Float64; "NaN", "+Inf", "-Inf" become float NaN/±inf).
Range (`matrix`): the labels, `timestamp` (Datetime("us", "UTC")) and `value`, one row per point.
A label that is itself called `value` or `timestamp` becomes `label_value` / `label_timestamp`.
Malformed or unsupported results raise ValueError (the client turns it into a PrometheusError).
"""

from __future__ import annotations

from typing import Any

import polars as pl

TIMESTAMP_DTYPE = pl.Datetime("us", "UTC")
_RESERVED = frozenset({"value", "timestamp"})


def instant_frame(data: dict[str, Any]) -> pl.DataFrame:
    kind, result = data.get("resultType"), data.get("result")
    if kind == "scalar":
        return pl.DataFrame({"value": [_sample_value(result)]}, schema={"value": pl.Float64})
    if kind == "vector" and isinstance(result, list):
        metrics, samples = _vector_parts(result)
        values = pl.Series("value", [_sample_value(sample) for sample in samples], dtype=pl.Float64)
        labels = _labels_frame(metrics)
        return pl.DataFrame([values]) if labels is None else labels.hstack([values])
    if kind == "matrix":
        raise ValueError("an instant query returned a matrix (a bare range selector such as x[5m]?); "
                         "wrap it in a function such as sum_over_time(...), or use a range query")
    raise ValueError(f"unexpected result type {kind!r} for an instant query (expected vector or scalar)")


def range_frame(data: dict[str, Any]) -> pl.DataFrame:
    kind, result = data.get("resultType"), data.get("result")
    if kind != "matrix" or not isinstance(result, list):
        raise ValueError(f"unexpected result type {kind!r} for a range query (expected matrix)")
    metrics, counts, stamps_ms, values = [], [], [], []
    for series in result:
        points = _field(series, "values")
        if not isinstance(points, list):
            raise ValueError("a matrix series has no 'values' list")
        metrics.append(_metric(series))
        counts.append(len(points))
        for point in points:
            stamps_ms.append(round(_stamp_s(point) * 1000))
            values.append(_sample_value(point))
    timestamps = pl.Series("timestamp", stamps_ms, dtype=pl.Int64).cast(pl.Datetime("ms")).dt.replace_time_zone("UTC")
    return _frame(_label_columns(metrics, counts), {
        "timestamp": timestamps.cast(TIMESTAMP_DTYPE),
        "value": pl.Series(values, dtype=pl.Float64),
    })


def _vector_parts(result: list[Any]) -> tuple[list[dict[str, str]], list[Any]]:
    """The label objects and samples of a vector; a malformed series raises ValueError naming the problem."""
    try:
        metrics = [series["metric"] for series in result]
        samples = [series["value"] for series in result]
    except (TypeError, KeyError):
        metrics = [_metric(series) for series in result]   # the slow path finds and names the bad series
        samples = [_field(series, "value") for series in result]
    if not all(isinstance(m, dict) for m in metrics):
        raise ValueError("a series has no 'metric' object")
    return metrics, samples


def _labels_frame(metrics: list[dict[str, str]]) -> pl.DataFrame | None:
    """One String column per label name (null where a series lacks it), sorted by name; built by Polars, not
    row by row (a 7-day history answers ~1.5 M label sets)."""
    names = sorted({name for metric in metrics for name in metric})
    if not names:
        return None
    schema = {name: pl.String for name in names}
    frame = pl.from_dicts(metrics, schema=schema)
    return frame.rename({name: f"label_{name}" for name in names if name in _RESERVED})


def _frame(labels: dict[str, pl.Series], tail: dict[str, pl.Series]) -> pl.DataFrame:
    return pl.DataFrame([*labels.values(), *(series.alias(name) for name, series in tail.items())])


def _label_columns(metrics: list[dict[str, str]], counts: list[int]) -> dict[str, pl.Series]:
    names = sorted({name for metric in metrics for name in metric})
    columns: dict[str, pl.Series] = {}
    for name in names:
        cells: list[str | None] = []
        for metric, count in zip(metrics, counts, strict=True):
            cells.extend([metric.get(name)] * count)
        column = f"label_{name}" if name in _RESERVED else name
        columns[column] = pl.Series(column, cells, dtype=pl.String)
    return columns


def _metric(series: Any) -> dict[str, str]:
    metric = _field(series, "metric")
    if not isinstance(metric, dict):
        raise ValueError("a series has no 'metric' object")
    return {str(k): str(v) for k, v in metric.items()}


def _field(series: Any, name: str) -> Any:
    if not isinstance(series, dict):
        raise ValueError(f"a series is not an object: {series!r:.80}")
    if name == "value" and "value" not in series and "histogram" in series:
        raise ValueError("native histogram samples are not supported; query a float series "
                         "(e.g. histogram_quantile(...) or the _sum/_count series)")
    return series.get(name)


def _stamp_s(sample: Any) -> float:
    if not isinstance(sample, list) or len(sample) != 2:
        raise ValueError(f"a sample is not [timestamp, \"value\"]: {sample!r:.80}")
    return float(sample[0])


def _sample_value(sample: Any) -> float:
    _stamp_s(sample)
    try:
        return float(sample[1])
    except (TypeError, ValueError):
        raise ValueError(f"a sample value is not a number: {sample[1]!r:.80}") from None
