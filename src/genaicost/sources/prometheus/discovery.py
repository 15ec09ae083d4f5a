"""Which metric names have any series in a window: one chunked query for a whole list of names.

The GPU and serving-engine modules ask first which of the names they know (DCGM, Neuron, vLLM current and
older names, SGLang, TGI, NIM) exist, then query only those — so a cluster without SGLang costs no SGLang
queries, and "no series at all" becomes a warning naming what was expected. The number of queries is the
number of chunks, whatever the number of names, pods or nodes.
"""

from __future__ import annotations

import re

from genaicost.domain.window import Window
from genaicost.sources.prometheus.chunks import chunked_instant
from genaicost.sources.prometheus.client import PrometheusClient

NAME_LABEL = "__name__"  # last_over_time, unlike the other range functions, keeps the metric name
COPY_LABEL = "gc_metric"  # the name copied into an ordinary label, for servers that drop it
_METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")


def presence_query(names: list[str]) -> str:
    """PromQL template: one series per metric name seen in the chunk, value = its number of series. A raw range
    over the chunk's samples (no per-step subquery: histograms have many bucket series)."""
    bad = [name for name in names if not _METRIC_NAME.fullmatch(name)]
    if bad:
        raise ValueError(f"not Prometheus metric names: {bad}")
    pattern = "|".join(sorted(set(names)))
    return f'count by ({NAME_LABEL}) (last_over_time({{__name__=~"{pattern}"}}[{{chunk}}]))'


def relabelled_presence_query(names: list[str]) -> str:
    """The same through a per-step subquery that copies the name into an ordinary label first: for a server whose
    `last_over_time` drops `__name__` (as every other range function does in PromQL)."""
    pattern = "|".join(sorted(set(names)))
    relabelled = f'label_replace({{__name__=~"{pattern}"}}, "{COPY_LABEL}", "$1", "__name__", "(.+)")'
    return f"count by ({COPY_LABEL}) (present_over_time({relabelled}[{{range}}]))"


def present_metric_names(client: PrometheusClient, names: list[str], window: Window, *,
                         step_s: float) -> set[str]:
    """The subset of `names` with at least one series (sampled at `step_s`) in the window."""
    if not names:
        return set()
    frame = chunked_instant(client, presence_query(names), window, step_s=step_s, by=[NAME_LABEL],
                            combine="max")
    found = {name for name in frame[NAME_LABEL].to_list() if name is not None}
    if frame.height and not found:   # series, but the server dropped their names
        frame = chunked_instant(client, relabelled_presence_query(names), window, step_s=step_s, by=[COPY_LABEL],
                                combine="max")
        found = {name for name in frame[COPY_LABEL].to_list() if name is not None}
    return found
