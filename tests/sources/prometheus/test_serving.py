"""model_usage: serving-engine PromQL against Debian's real Prometheus (backfilled scenarios), and the assembly.

Tolerance, worked out from Prometheus' `increase` (extrapolatedRate): the generator's ground truth counts
the increments a counter *shows* (tests/prom/model.py). `increase` over a chunk also extrapolates from the
first/last sample to the range ends when they are within 1.1 scrape intervals, else by half an interval,
and never below the counter's zero point. So a series alive to the window end gains the last scrape
interval's increment (sample k stands for [t_k, t_k+1), which lies in the window but no sample shows), and a
series ending mid-window gains half an interval. Each expected value below is that arithmetic, exact to
1e-6; and every one is within one scrape's increment of the shown ground truth.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

from genaicost.domain.snapshot import MODEL_LATENCY_SCHEMA, MODEL_USAGE_SCHEMA
from genaicost.sources.prometheus import PrometheusClient
from genaicost.sources.prometheus.serving import assemble_latency, assemble_usage, counter_query, model_usage
from genaicost.sources.prometheus.serving_engines import ENGINES
from prom.backfill import serve_openmetrics
from prom.counters import counter
from prom.model import Timeline
from prom.promgen import Block, Family, render_labels, write_openmetrics
from prom.scenarios import POD_GEMMA, POD_MISTRAL, POD_PHI, POD_QWEN, POD_VLLM
from prom.truth import model_truth

pytestmark = pytest.mark.slow
FIELDS = ["input_tokens", "output_tokens", "cached_input_tokens", "requests", "successful_requests"]


Factory = Callable[[str], Any]  # tests/conftest.py prometheus_factory: name → instance with .url, .scenario


def _row(usage: pl.DataFrame, pod: str) -> dict[str, Any]:
    rows = usage.filter(pl.col("pod") == pod).to_dicts()
    assert len(rows) == 1, rows
    return rows[0]


def test_gpu_sharing_every_engine_matches_ground_truth(prometheus_factory: Factory) -> None:
    prom = prometheus_factory("gpu-sharing")
    scn = prom.scenario
    with PrometheusClient(prom.url) as client:
        usage, latency, warnings = model_usage(client, scn.window, step_s=60)
        # 1 discovery + counter fields with series (vLLM 7, SGLang 4, TGI 4) + quantiles (vLLM 4, SGLang 4, TGI 2)
        assert client.query_count == 1 + 15 + 10
    assert warnings == []
    assert usage.schema == pl.Schema(MODEL_USAGE_SCHEMA) and latency.schema == pl.Schema(MODEL_LATENCY_SCHEMA)
    assert sorted(usage["pod"]) == sorted([POD_GEMMA, POD_MISTRAL, POD_PHI, POD_QWEN])
    per_scrape = {p.name: p.serving for p in scn.pods}
    for pod in (POD_GEMMA, POD_MISTRAL, POD_PHI, POD_QWEN):
        row, truth, srv = _row(usage, pod), model_truth(scn, pod), per_scrape[pod]
        assert srv is not None
        # 120 samples, alive to the end: 119 shown increments + the last interval extrapolated = 120.
        assert row["input_tokens"] == pytest.approx(120 * srv.prompt_tokens, rel=1e-6)
        assert row["output_tokens"] == pytest.approx(120 * srv.generation_tokens, rel=1e-6)
        assert row["requests"] == pytest.approx(120 * srv.requests, rel=1e-6)
        for name in FIELDS:
            shown = getattr(truth, name)
            if shown is not None and row[name] is not None:
                assert abs(float(row[name]) - shown) <= 1.0001 * shown / 119  # within one scrape's increment
        assert row["engine"] == truth.engine
    assert _row(usage, POD_MISTRAL)["model"] == "mistralai/Mistral-7B-Instruct-v0.3"
    assert _row(usage, POD_MISTRAL)["prefill_seconds"] == pytest.approx(120 * 60 * 0.1, rel=1e-6)
    assert _row(usage, POD_MISTRAL)["decode_seconds"] == pytest.approx(120 * 60 * 1.5, rel=1e-6)
    assert _row(usage, POD_GEMMA)["successful_requests"] == pytest.approx(120 * 18, rel=1e-6)  # 2 of 20 aborted
    assert _row(usage, POD_GEMMA)["cached_input_tokens"] == 0.0
    phi = _row(usage, POD_PHI)
    assert phi["model"] is None and phi["successful_requests"] == pytest.approx(120 * 28, rel=1e-6)
    assert phi["cached_input_tokens"] is None and phi["prefill_seconds"] is None
    qwen = _row(usage, POD_QWEN)
    assert qwen["successful_requests"] is None and qwen["cached_input_tokens"] == pytest.approx(120 * 2400, rel=1e-6)
    lat = {r["model"]: r for r in latency.to_dicts()}
    # every observation in one bucket; histogram_quantile interpolates linearly inside it
    assert lat["google/gemma-2-2b-it"]["ttft_p50_seconds"] == pytest.approx(0.07)     # (0.06, 0.08]
    assert lat["mistralai/Mistral-7B-Instruct-v0.3"]["e2e_p95_seconds"] == pytest.approx(1.5 + 0.5 * 0.95)
    assert lat["Qwen/Qwen2.5-7B-Instruct"]["e2e_p50_seconds"] == pytest.approx(3.75)  # (2.5, 5.0]
    assert lat[None]["engine"] == "tgi" and lat[None]["ttft_p50_seconds"] is None


def test_churn_counter_reset_mid_window_is_counted(prometheus_factory: Factory) -> None:
    prom = prometheus_factory("churn")
    scn = prom.scenario
    with PrometheusClient(prom.url) as client:
        usage, latency, warnings = model_usage(client, scn.window, step_s=60)
    row, truth = _row(usage, POD_VLLM), model_truth(scn, POD_VLLM)
    # Samples 120..299, the counters read 0 at 120 and again at the restart (210): 178 shown increments.
    # increase: 178 increments over 179 min, no extrapolation at the start (counter at 0), half a
    # scrape (30 s) at the end (the series stops 1 h before the window end) → 178 × 179.5 / 179.
    factor = 178 * 179.5 / 179
    assert truth.input_tokens == 178 * 3000
    assert row["input_tokens"] == pytest.approx(factor * 3000, rel=1e-6)
    assert row["requests"] == pytest.approx(factor * 30, rel=1e-6)
    assert row["successful_requests"] == pytest.approx(factor * 29, rel=1e-6)
    assert row["prefill_seconds"] == pytest.approx(factor * 30 * 0.2, rel=1e-6)
    assert row["decode_seconds"] == pytest.approx(factor * 30 * 2.0, rel=1e-6)
    assert abs(float(row["input_tokens"]) - truth.input_tokens) <= 3000  # within one scrape's increment
    assert latency.to_dicts()[0]["ttft_p95_seconds"] == pytest.approx(0.4875)
    assert warnings == []


def test_no_serving_metrics_warns_with_expected_names(prometheus_factory: Factory) -> None:
    prom = prometheus_factory("no-dcgm")
    with PrometheusClient(prom.url) as client:
        usage, latency, warnings = model_usage(client, prom.window, step_s=60)
        assert client.query_count == 1
    assert usage.is_empty() and latency.is_empty()
    assert len(warnings) == 1
    for name in ("vllm:prompt_tokens_total", "sglang:num_requests_total", "tgi_request_count", "nim: "):
        assert name in warnings[0]


# --- older and renamed names, NIM, SGLang's early `name` label, on the real Prometheus -----------------

TL = Timeline(datetime(2025, 3, 5, tzinfo=UTC), 1.0, 60)  # 60 samples


def _counter_block(name: str, labels: dict[str, str], per_scrape: float, resets: tuple[int, ...] = ()) -> Block:
    values = counter(np.full(TL.n, per_scrape), np.array(resets, dtype=np.int64))
    return Block(Family(name, "counter", name), [render_labels(labels)], np.arange(TL.n), values[None, :])


def _write_old_names(path: Path) -> None:
    old = {"namespace": "old", "pod": "vllm-old-0", "model_name": "m-old"}
    nim = {"namespace": "nim", "pod": "nim-0", "model_name": "meta/llama3-8b-instruct"}
    blocks = [
        _counter_block("vllm:prompt_tokens", old, 100, resets=(30,)),
        _counter_block("vllm:gpu_prefix_cache_hits", old, 10),
        _counter_block("vllm:request_success", old | {"finished_reason": "stop"}, 2),
        _counter_block("prompt_tokens", nim, 50),
        _counter_block("request_success", nim, 4),
        _counter_block("request_failure", nim, 1),
        _counter_block("sglang:prompt_tokens", {"namespace": "sg", "pod": "sg-0", "name": "qwen-old"}, 20),
        _counter_block("sglang:num_requests", {"namespace": "sg", "pod": "sg-0", "name": "qwen-old"}, 1),
    ]
    # a stranger's unprefixed counter without model_name must not be taken for NIM
    blocks.insert(4, Block(Family("prompt_tokens", "counter", "x"), [render_labels({"namespace": "x", "pod": "x"})],
                           np.arange(TL.n), counter(np.full(TL.n, 7.0))[None, :]))
    blocks.sort(key=lambda b: b.family.name)
    write_openmetrics(path, TL.timestamps_s(), blocks)


def test_older_names_nim_and_sglang_name_label(tmp_path_factory: pytest.TempPathFactory) -> None:
    for url in serve_openmetrics(tmp_path_factory.mktemp("old-names"), _write_old_names, TL.timestamps_s()[-1]):
        with PrometheusClient(url) as client:
            usage, _, warnings = model_usage(client, TL.window, step_s=60)
    assert warnings == []
    # no reset: samples 1..59 in the range, 58 increments over 58 min, extrapolated to the 60-min range
    full = 3599.999 / 3480 * 58
    # reset at sample 30: 28 + 29 = 57 increments over 58 min, same extrapolation (zero point is further)
    reset = 3599.999 / 3480 * 57
    old = _row(usage, "vllm-old-0")
    assert old["engine"] == "vllm" and old["model"] == "m-old"
    assert old["input_tokens"] == pytest.approx(reset * 100, rel=1e-6)
    assert old["cached_input_tokens"] == pytest.approx(full * 10, rel=1e-6)
    assert old["requests"] == pytest.approx(full * 2, rel=1e-6)
    assert old["successful_requests"] == pytest.approx(full * 2, rel=1e-6)
    nim = _row(usage, "nim-0")
    assert nim["engine"] == "nim" and nim["model"] == "meta/llama3-8b-instruct"
    assert nim["input_tokens"] == pytest.approx(full * 50, rel=1e-6)
    assert nim["requests"] == pytest.approx(full * 5, rel=1e-6)          # success + failure
    assert nim["successful_requests"] == pytest.approx(full * 4, rel=1e-6)
    sg = _row(usage, "sg-0")
    assert sg["model"] == "qwen-old" and sg["requests"] == pytest.approx(full, rel=1e-6)
    assert "x" not in usage["pod"].to_list()


# --- pure parts ----------------------------------------------------------------------------------------

def test_counter_query_joins_alternatives_with_or_and_groups_by_model() -> None:
    vllm = ENGINES["vllm"]
    query = counter_query(vllm, vllm.counters["cached_input_tokens"])
    assert query.count(" or ") == 2
    assert query.startswith("sum by (namespace, pod, model_name) (increase(vllm:prompt_tokens_cached_total[{chunk}]))")
    nim = counter_query(ENGINES["nim"], ENGINES["nim"].counters["requests"][:1])
    assert ('label_replace(increase(request_failure_total{model_name!=""}[{chunk}]), "gc_part", '
            '"request_failure_total", "__name__", "(.*)")') in nim
    assert counter_query(ENGINES["tgi"], ENGINES["tgi"].counters["requests"]).startswith("sum by (namespace, pod) (")


def test_assemble_usage_fills_zero_for_exposed_fields_and_null_for_unexposed() -> None:
    frame = pl.DataFrame({"namespace": ["a", "a"], "pod": ["p1", "p2"], "model_name": ["m", "m"], "value": [10.0, 4.0]})
    only_p1 = frame.head(1).with_columns(pl.lit(3.0).alias("value"))
    fields = {"input_tokens": frame, "output_tokens": frame, "cached_input_tokens": None, "requests": frame,
              "successful_requests": only_p1, "prefill_seconds": None, "decode_seconds": None}
    out = assemble_usage(ENGINES["vllm"], fields)
    assert out.schema == pl.Schema(MODEL_USAGE_SCHEMA)
    assert out.to_dicts() == [
        {"namespace": "a", "pod": "p1", "model": "m", "engine": "vllm", "input_tokens": 10.0, "output_tokens": 10.0,
         "cached_input_tokens": None, "requests": 10.0, "successful_requests": 3.0, "prefill_seconds": None,
         "decode_seconds": None},
        {"namespace": "a", "pod": "p2", "model": "m", "engine": "vllm", "input_tokens": 4.0, "output_tokens": 4.0,
         "cached_input_tokens": None, "requests": 4.0, "successful_requests": 0.0, "prefill_seconds": None,
         "decode_seconds": None},
    ]


def test_assemble_latency_nan_becomes_null_and_tgi_rows_have_no_model() -> None:
    ttft = pl.DataFrame({"namespace": ["n"], "value": [float("nan")]})
    e2e = pl.DataFrame({"namespace": ["n"], "value": [3.75]})
    out = assemble_latency(ENGINES["tgi"], {"e2e_p50_seconds": e2e, "ttft_p50_seconds": ttft})
    assert out.to_dicts() == [{"namespace": "n", "model": None, "engine": "tgi", "ttft_p50_seconds": None,
                               "ttft_p95_seconds": None, "e2e_p50_seconds": 3.75, "e2e_p95_seconds": None}]
