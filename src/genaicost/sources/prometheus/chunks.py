"""Long windows as a few instant queries: one per chunk (default one day), each over a subquery range.

`chunked_instant` replaces `{range}` in a PromQL template with a subquery range covering the chunk
(`<chunk>:<step>`) and evaluates it at the chunk's end, then combines the chunks by label set. A 7-day window
is 7 queries per template, whatever the number of pods and nodes, and each one asks Prometheus for at most a
day of work, so long windows do not time out (OpenCost's 7-day queries do). See docs/prometheus-queries.md.

The subquery range is the chunk length minus one millisecond (e.g. `86399999ms:300s` for a day at 5m).
Prometheus 2.x range selectors are closed on the left ([t - range, t]) and 3.x ones open ((t - range, t]);
with the exact length, 2.x would take the sample on each chunk boundary twice (289 steps in a day at 5m
instead of 288). One millisecond less gives both versions the same samples: the step-aligned instants
in (chunk start, chunk end], each standing for the step that ends there — no gap and no overlap between chunks.
`{chunk}` is replaced by the same duration without the step (for a plain range selector such as
`increase(x[{chunk}])`).

Billing buckets (`bucket_pieces`): CPU and memory are billed per container and bucket (an hour), so their
templates run over the window cut at bucket boundaries — multiples of the bucket since the Unix epoch, which is how
Prometheus aligns a subquery's steps: pieces of whole buckets (`{buckets}` = `<piece − 1ms>:<bucket>`, one
evaluation at each bucket's end, `{bucket}` = `<bucket − 1ms>`), and at each edge of a window that does not start
or end on a boundary one partial bucket (`{bucket}` = `<piece − 1ms>`, evaluated once at the piece's end).
"""

from __future__ import annotations

import itertools
import math
from datetime import UTC, datetime, timedelta
from typing import Literal

import polars as pl

from genaicost.domain.window import Window
from genaicost.sources.prometheus.client import PrometheusClient

Combine = Literal["sum", "max", "min"]
RANGE_PLACEHOLDER = "{range}"
CHUNK_PLACEHOLDER = "{chunk}"
BUCKET_PLACEHOLDER = "{bucket}"
BUCKETS_PLACEHOLDER = "{buckets}"
BOUNDARY_MS = 1  # subquery ranges are this much shorter than their chunk (see the module docstring)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def window_chunks(window: Window, *, chunk_hours: float = 24.0, step_s: float) -> list[Window]:
    """Consecutive chunks covering `window`, each a whole number of steps long (the last may be shorter)."""
    if step_s <= 0 or chunk_hours <= 0:
        raise ValueError(f"step_s and chunk_hours must be positive, got {step_s!r} and {chunk_hours!r}")
    steps_per_chunk = max(1, math.floor(chunk_hours * 3600.0 / step_s))
    length = timedelta(seconds=steps_per_chunk * step_s)
    chunks: list[Window] = []
    start = window.start
    while start < window.end:
        end = min(start + length, window.end)
        chunks.append(Window(start=start, end=end))
        start = end
    return chunks


def chunk_query(template: str, chunk: Window, step_s: float) -> str:
    """`template` with `{range}` → `<chunk − 1ms>:<step>` and `{chunk}` → `<chunk − 1ms>`."""
    chunk_ms = round((chunk.end - chunk.start) / timedelta(milliseconds=1)) - BOUNDARY_MS
    span = f"{chunk_ms}ms"
    return template.replace(RANGE_PLACEHOLDER, f"{span}:{promql_duration(step_s)}").replace(CHUNK_PLACEHOLDER, span)


def bucket_pieces(window: Window, *, bucket_s: float, chunk_hours: float) -> list[tuple[Window, bool]]:
    """`window` cut at multiples of `bucket_s` since the epoch: (piece, True) for pieces of whole buckets (about
    `chunk_hours` long, at least one bucket), (piece, False) for a partial bucket at either edge."""
    if bucket_s <= 0 or chunk_hours <= 0:
        raise ValueError(f"bucket_s and chunk_hours must be positive, got {bucket_s!r} and {chunk_hours!r}")
    bucket = timedelta(seconds=bucket_s)
    first = _EPOCH + math.ceil((window.start - _EPOCH) / bucket) * bucket
    last = _EPOCH + math.floor((window.end - _EPOCH) / bucket) * bucket
    if first >= last:   # no whole bucket: the window lies in one or two partial buckets
        edges = sorted({window.start, *([first] if window.start < first < window.end else []), window.end})
        return [(Window(start=a, end=b), False) for a, b in itertools.pairwise(edges)]
    pieces: list[tuple[Window, bool]] = []
    if window.start < first:
        pieces.append((Window(start=window.start, end=first), False))
    per_piece = max(1, math.floor(chunk_hours * 3600.0 / bucket_s)) * bucket
    start = first
    while start < last:
        end = min(start + per_piece, last)
        pieces.append((Window(start=start, end=end), True))
        start = end
    if last < window.end:
        pieces.append((Window(start=last, end=window.end), False))
    return pieces


def piece_query(template: str, piece: Window, *, bucketed: bool, step_s: float, bucket_s: float) -> str:
    """`chunk_query` for a piece of `bucket_pieces`, with `{bucket}` and `{buckets}` filled in."""
    piece_ms = round((piece.end - piece.start) / timedelta(milliseconds=1)) - BOUNDARY_MS
    bucket_ms = round(bucket_s * 1000) - BOUNDARY_MS if bucketed else piece_ms
    buckets = f"{piece_ms}ms:{promql_duration(bucket_s)}"
    return (chunk_query(template, piece, step_s).replace(BUCKETS_PLACEHOLDER, buckets)
            .replace(BUCKET_PLACEHOLDER, f"{bucket_ms}ms"))


def chunked_instant(client: PrometheusClient, template: str, window: Window, *, step_s: float,
                    chunk_hours: float = 24.0, by: list[str], combine: Combine = "sum") -> pl.DataFrame:
    """Run `template` once per chunk (at the chunk's end) and combine the results by the `by` labels.

    Returns the `by` columns (String; null where a series lacks the label) and `value` (Float64), one row
    per label set, sorted by the labels. Labels not in `by` are dropped before combining.
    """
    if RANGE_PLACEHOLDER not in template and CHUNK_PLACEHOLDER not in template:
        raise ValueError(f"template has no {RANGE_PLACEHOLDER} or {CHUNK_PLACEHOLDER} placeholder: {template}")
    if combine not in ("sum", "max", "min"):
        raise ValueError(f"combine must be sum, max or min, got {combine!r}")
    frames = client.instant_many([
        (chunk_query(template, chunk, step_s), chunk.end)
        for chunk in window_chunks(window, chunk_hours=chunk_hours, step_s=step_s)
    ])
    return combine_frames(frames, by=by, combine=combine)


def combine_frames(frames: list[pl.DataFrame], *, by: list[str], combine: Combine) -> pl.DataFrame:
    """Stack per-chunk frames and reduce `value` per `by` label set with `combine`."""
    schema = pl.Schema({**dict.fromkeys(by, pl.String), "value": pl.Float64})
    parts = [_select(frame, by, schema) for frame in frames if frame.height]
    if not parts:
        return pl.DataFrame(schema=schema)
    stacked = pl.concat(parts)
    reduce = getattr(pl.col("value"), combine)()
    if not by:
        return stacked.select(reduce)
    return stacked.group_by(by).agg(reduce).sort(by, nulls_last=True).select(schema.names())


def promql_duration(seconds: float) -> str:
    """300.0 → `300s`; 0.5 → `500ms` (PromQL durations take whole numbers of a unit)."""
    if seconds == int(seconds):
        return f"{int(seconds)}s"
    return f"{round(seconds * 1000)}ms"


def _select(frame: pl.DataFrame, by: list[str], schema: pl.Schema) -> pl.DataFrame:
    columns = [
        pl.col(name).cast(pl.String) if name in frame.columns else pl.lit(None, dtype=pl.String).alias(name)
        for name in by
    ]
    return frame.select([*columns, pl.col("value").cast(pl.Float64)])
