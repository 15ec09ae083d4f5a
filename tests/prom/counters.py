"""Counter and histogram sample arrays (vectorised), shared by the exporters and the bench generator.

Convention (see model.py): sample k stands for the interval [t_k, t_k+1). A counter that starts at
sample a reads 0 there and then adds the interval's increment at each following sample:
c_k = Σ_{a <= j < k} inc_j. At a reset sample r (process restart) it reads 0 again, so the
increment of [t_r-1, t_r) is never shown.
"""

from __future__ import annotations

import numpy as np


def counter(increments: np.ndarray, resets: np.ndarray | None = None) -> np.ndarray:
    """Counter readings for per-interval increments (same length); resets are positions into it."""
    inc = np.asarray(increments, dtype=np.float64)
    shown = np.concatenate([[0.0], inc[:-1]])
    total = np.cumsum(shown)
    if resets is None or len(resets) == 0:
        return total
    starts = np.concatenate([[0], np.asarray(resets, dtype=np.int64)])
    segment = np.searchsorted(starts, np.arange(len(inc)), side="right") - 1
    return total - total[starts][segment]


def counter_rows(increments: np.ndarray) -> np.ndarray:
    """Counters for many series at once: increments [S, T] -> readings [S, T] (no resets)."""
    inc = np.asarray(increments, dtype=np.float64)
    out = np.zeros_like(inc)
    np.cumsum(inc[:, :-1], axis=1, out=out[:, 1:])
    return out


def shown_increase(increments: np.ndarray, resets: np.ndarray | None = None) -> float:
    """What a counter shows rising over its life: Σ inc_j for j < last, minus the intervals lost to resets."""
    inc = np.asarray(increments, dtype=np.float64)
    lost = 0.0 if resets is None or len(resets) == 0 else float(inc[np.asarray(resets) - 1].sum())
    return float(inc[:-1].sum()) - lost


def histogram_buckets(count: np.ndarray, les: tuple[float, ...], observation: float) -> np.ndarray:
    """Cumulative buckets [T, len(les)] when every observation equals `observation`."""
    inside = np.array([observation <= le for le in les], dtype=np.float64)
    return np.asarray(count, dtype=np.float64)[:, None] * inside[None, :]


def histogram_quantile(q: float, les: tuple[float, ...], observation: float) -> float:
    """What PromQL histogram_quantile gives when every observation falls in one bucket (linear within it)."""
    finite = [le for le in les if np.isfinite(le)]
    upper = next(le for le in finite if observation <= le)
    lower = max([le for le in finite if le < upper], default=0.0)
    return lower + (upper - lower) * q
