"""Serving engines and the metric names each one exposes (registry, by kebab-case name).

Each MODEL_USAGE field is a tuple of *alternatives*, preferred first: today's name, then older or renamed
ones. Alternatives are combined with PromQL `or` per (namespace, pod, model) label set, so a pod on an old
vLLM and a pod on a new one are both counted, and a pod exposing both names is counted once. An alternative
may name several metrics whose increases are added (NIM: success + failure = all finished requests).

Sources (looked up, not guessed): vLLM `vllm/engine/metrics.py`, docs/usage/metrics.md and the v1 metrics
design doc (V0 `vllm:gpu_prefix_cache_hit_rate` gauge → V1 `vllm:gpu_prefix_cache_hits_total` →
`vllm:prefix_cache_hits_total`; `vllm:prompt_tokens_cached_total` in v0.26); SGLang
`python/sglang/srt/metrics/collector.py` (label `model_name`, `name` in early releases); TGI's
reference/metrics page (no model label); NVIDIA NIM for LLMs "Observability" (vLLM's names without the
prefix; `request_success_total` counts finish reasons stop/length, `request_failure_total` the others).
"""

from __future__ import annotations

from dataclasses import dataclass, field

USAGE_FIELDS = ("input_tokens", "output_tokens", "cached_input_tokens", "requests", "successful_requests",
                "prefill_seconds", "decode_seconds")
LATENCY_HISTOGRAMS = ("ttft", "e2e")
SUCCESS_REASONS = 'finished_reason=~"stop|length|"'  # "" also matches series without the label


@dataclass(frozen=True)
class Series:
    """One alternative: the increases of these metric names (added), with extra label matchers."""

    names: tuple[str, ...]
    matchers: str = ""

    def increase(self, range_: str) -> str:
        """`increase(name{matchers}[range])`; several names are tagged apart first (increase drops the
        metric name, and two series with one label set cannot share a vector) so `sum by` adds them."""
        if len(self.names) == 1:
            return f"increase({self._selector(self.names[0])}[{range_}])"
        tagged = [f'label_replace(increase({self._selector(name)}[{range_}]), "gc_part", "{name}", "__name__", "(.*)")'
                  for name in self.names]
        return f"({' or '.join(tagged)})"

    def _selector(self, name: str) -> str:
        return f"{name}{{{self.matchers}}}" if self.matchers else name


@dataclass(frozen=True)
class ServingEngine:
    name: str
    model_label: str | None                       # label carrying the model; None: the pod says (TGI)
    counters: dict[str, tuple[Series, ...]]       # MODEL_USAGE field → alternatives, preferred first
    histograms: dict[str, tuple[Series, ...]] = field(default_factory=dict)  # "ttft"/"e2e" → _bucket series
    old_model_labels: tuple[str, ...] = ()         # copied into model_label when it is absent

    def metric_names(self) -> list[str]:
        alternatives = [*self.counters.values(), *self.histograms.values()]
        return sorted({name for alts in alternatives for series in alts for name in series.names})


def _one(*names: str, matchers: str = "") -> tuple[Series, ...]:
    return tuple(Series((name,), matchers) for name in names)


VLLM = ServingEngine(
    name="vllm",
    model_label="model_name",
    counters={
        "input_tokens": _one("vllm:prompt_tokens_total"),
        "output_tokens": _one("vllm:generation_tokens_total"),
        "cached_input_tokens": _one("vllm:prompt_tokens_cached_total", "vllm:prefix_cache_hits_total",
                                    "vllm:gpu_prefix_cache_hits_total"),
        # Some pipelines (OTel collectors with suffix stripping) store counters without `_total`.
        "requests": _one("vllm:request_success_total", "vllm:request_success"),
        "successful_requests": _one("vllm:request_success_total", "vllm:request_success",
                                    matchers=SUCCESS_REASONS),
        "prefill_seconds": _one("vllm:request_prefill_time_seconds_sum"),
        "decode_seconds": _one("vllm:request_decode_time_seconds_sum"),
    },
    histograms={
        "ttft": _one("vllm:time_to_first_token_seconds_bucket"),
        "e2e": _one("vllm:e2e_request_latency_seconds_bucket"),
    },
)

_NIM_MODEL = 'model_name!=""'  # NIM's names are unprefixed: require the model label to avoid strangers

NIM = ServingEngine(
    name="nim",
    model_label="model_name",
    counters={
        "input_tokens": _one("prompt_tokens_total", matchers=_NIM_MODEL),
        "output_tokens": _one("generation_tokens_total", matchers=_NIM_MODEL),
        "cached_input_tokens": _one("prompt_tokens_cached_total", "prefix_cache_hits_total", matchers=_NIM_MODEL),
        "requests": (Series(("request_success_total", "request_failure_total"), _NIM_MODEL),
                     Series(("request_finish_total",), _NIM_MODEL)),
        "successful_requests": _one("request_success_total", matchers=f"{_NIM_MODEL},{SUCCESS_REASONS}"),
        "prefill_seconds": _one("request_prefill_time_seconds_sum", matchers=_NIM_MODEL),
        "decode_seconds": _one("request_decode_time_seconds_sum", matchers=_NIM_MODEL),
    },
    histograms={
        "ttft": _one("time_to_first_token_seconds_bucket", matchers=_NIM_MODEL),
        "e2e": _one("e2e_request_latency_seconds_bucket", matchers=_NIM_MODEL),
    },
)

SGLANG = ServingEngine(
    name="sglang",
    model_label="model_name",
    counters={
        "input_tokens": _one("sglang:prompt_tokens_total"),
        "output_tokens": _one("sglang:generation_tokens_total"),
        "cached_input_tokens": _one("sglang:cached_tokens_total"),  # summed over cache_source where present
        "requests": _one("sglang:num_requests_total"),
    },
    histograms={
        "ttft": _one("sglang:time_to_first_token_seconds_bucket"),
        "e2e": _one("sglang:e2e_request_latency_seconds_bucket"),
    },
    old_model_labels=("name",),
)

TGI = ServingEngine(
    name="tgi",
    model_label=None,
    counters={
        "input_tokens": _one("tgi_request_input_length_sum"),
        "output_tokens": _one("tgi_request_generated_tokens_sum"),
        "requests": _one("tgi_request_count"),
        "successful_requests": _one("tgi_request_success"),
    },
    histograms={"e2e": _one("tgi_request_duration_bucket")},
)

ENGINES: dict[str, ServingEngine] = {engine.name: engine for engine in (VLLM, SGLANG, TGI, NIM)}


def expected_metrics_text() -> str:
    """'vllm: a, b; sglang: …' — what a warning lists when no engine has any series."""
    return "; ".join(f"{engine.name}: {', '.join(engine.metric_names())}" for engine in ENGINES.values())
