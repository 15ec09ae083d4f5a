"""Stream OpenMetrics text for `promtool tsdb create-blocks-from openmetrics`, built with NumPy.

A *block* is many series of one metric family that share their sample times: labels (one rendered label
string per series), `idx` (sample indices into the file's timestamps) and `values` of shape [series,
samples]. Lines are built for a whole block at once with NumPy string arithmetic
(prefix[s] + value[s, t] + timestamp[t]) and written in chunks, so the cost per sample is a few hundred
nanoseconds and memory stays bounded.

Ordering rules this writer keeps (promtool and the OpenMetrics parsers need them):
- all series of a family are contiguous, under one `# HELP` / `# TYPE`; `# EOF` ends the file;
- within a series, timestamps increase (series-major order);
- histogram samples of one (series, timestamp) are grouped: every `_bucket` (ascending `le`, `+Inf`
  last), then `_count`, then `_sum`.

Counters are written the OpenMetrics way (`# TYPE vllm:prompt_tokens counter`, samples
`vllm:prompt_tokens_total`), which Prometheus stores under the same name as the classic text format
does. Engines whose counters lack `_total` (TGI: `tgi_request_count`) are declared `unknown`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import numpy as np

_CHUNK_CELLS = 100_000  # string cells built at once (bounds memory)


@dataclass(frozen=True)
class Family:
    name: str
    kind: str  # "gauge" | "counter" | "histogram" | "unknown"
    help: str

    @property
    def sample_name(self) -> str:
        return self.name + "_total" if self.kind == "counter" else self.name


@dataclass(frozen=True)
class Block:
    """Series of one family sharing sample indices; values has shape [len(labels), len(idx)]."""

    family: Family
    labels: list[str]
    idx: np.ndarray
    values: np.ndarray


@dataclass(frozen=True)
class HistBlock:
    """Histogram series: cumulative bucket counts [series, samples, len(les)] (last le = +Inf), sums."""

    family: Family
    labels: list[str]
    idx: np.ndarray
    les: tuple[float, ...]
    buckets: np.ndarray
    sums: np.ndarray


@dataclass
class WriteStats:
    families: int = 0
    series: int = 0
    samples: int = 0
    bytes: int = 0
    names: set[str] = field(default_factory=set)


def escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def render_labels(labels: dict[str, str]) -> str:
    """`k="v",...` in the given order; empty values are left out (Prometheus drops them anyway)."""
    return ",".join(f'{k}="{escape(v)}"' for k, v in labels.items() if v != "")


def format_le(le: float) -> str:
    return "+Inf" if math.isinf(le) else repr(float(le))


def format_values(values: np.ndarray) -> np.ndarray:
    """Shortest round-trip text of float64 values (numpy's repr: '3000.0', '1e+20')."""
    return np.asarray(values, dtype=np.float64).astype(str)


def timestamp_suffixes(timestamps_s: np.ndarray) -> np.ndarray:
    """' <unix seconds>\\n' for each sample time (integer seconds)."""
    text = np.asarray(timestamps_s, dtype=np.int64).astype(str)
    return np.char.add(np.char.add(" ", text), "\n")


def _prefixes(name: str, labels: list[str]) -> np.ndarray:
    return np.array([f"{name}{{{lab}}} " if lab else f"{name} " for lab in labels])


def _join_chunks(prefix: np.ndarray, values: np.ndarray, suffix: np.ndarray) -> Iterator[str]:
    """Yield text for prefix[s] + values[s, ...] + suffix[...] over rows s, in row chunks."""
    per_row = max(1, int(np.prod(values.shape[1:])))
    rows = max(1, _CHUNK_CELLS // per_row)
    for lo in range(0, values.shape[0], rows):
        cells = np.char.add(np.char.add(prefix[lo:lo + rows], format_values(values[lo:lo + rows])), suffix)
        yield "".join(cells.ravel().tolist())


def _block_text(block: Block, ts: np.ndarray) -> Iterator[str]:
    prefix = _prefixes(block.family.sample_name, block.labels)[:, None]
    yield from _join_chunks(prefix, np.atleast_2d(block.values), ts[block.idx][None, :])


def _hist_text(block: HistBlock, ts: np.ndarray) -> Iterator[str]:
    name = block.family.name
    per_series = []
    for lab in block.labels:
        sep = "," if lab else ""
        names = [f'{name}_bucket{{{lab}{sep}le="{format_le(le)}"}} ' for le in block.les]
        names += [f"{name}_count{{{lab}}} " if lab else f"{name}_count ",
                  f"{name}_sum{{{lab}}} " if lab else f"{name}_sum "]
        per_series.append(names)
    prefix = np.array(per_series)[:, None, :]                      # [S, 1, nb+2]
    counts = block.buckets[:, :, -1:]
    values = np.concatenate([block.buckets, counts, block.sums[:, :, None]], axis=2)  # [S, T, nb+2]
    yield from _join_chunks(prefix, values, ts[block.idx][None, :, None])


def _family_header(family: Family) -> str:
    return f"# HELP {family.name} {family.help}\n# TYPE {family.name} {family.kind}\n"


def _count(block: Block | HistBlock) -> tuple[int, int]:
    n_series = len(block.labels)
    if isinstance(block, HistBlock):
        return n_series, n_series * len(block.idx) * (len(block.les) + 2)
    return n_series, n_series * len(block.idx)


def write_blocks(out: TextIO, timestamps_s: np.ndarray, blocks: Iterable[Block | HistBlock]) -> WriteStats:
    """Write blocks (grouped by family: a family may not come back once another started) and `# EOF`."""
    ts = timestamp_suffixes(timestamps_s)
    stats = WriteStats()
    current: str | None = None
    for block in blocks:
        if not block.labels or len(block.idx) == 0:
            continue
        fam = block.family
        if fam.name != current:
            if fam.name in stats.names:
                raise ValueError(f"family {fam.name} is not contiguous in the block stream")
            stats.names.add(fam.name)
            stats.families += 1
            current = fam.name
            stats.bytes += out.write(_family_header(fam))
        parts = _hist_text(block, ts) if isinstance(block, HistBlock) else _block_text(block, ts)
        for text in parts:
            stats.bytes += out.write(text)
        n_series, n_samples = _count(block)
        stats.series += n_series
        stats.samples += n_samples
    stats.bytes += out.write("# EOF\n")
    return stats


def group_by_family(blocks: Iterable[Block | HistBlock]) -> list[Block | HistBlock]:
    """Reorder blocks so each family's blocks are contiguous (first-seen family order)."""
    groups: dict[str, list[Block | HistBlock]] = {}
    for block in blocks:
        groups.setdefault(block.family.name, []).append(block)
    return [b for group in groups.values() for b in group]


def write_openmetrics(path: Path, timestamps_s: np.ndarray, blocks: Iterable[Block | HistBlock]) -> WriteStats:
    with open(path, "w", encoding="utf-8", buffering=1 << 20) as out:
        return write_blocks(out, timestamps_s, blocks)
