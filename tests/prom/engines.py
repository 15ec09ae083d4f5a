"""DCGM exporter and serving-engine (vLLM, SGLang, TGI) series of a scenario.

Shapes: dcgm-exporter (labels gpu, UUID, device, modelName, Hostname, DCGM_FI_DRIVER_VERSION, and with the
Kubernetes pod mapping container/namespace/pod; MIG instances add GPU_I_PROFILE/GPU_I_ID, and report no
DCGM_FI_DEV_GPU_UTIL); vLLM V1 (`vllm:*`, labels model_name and engine); SGLang (`sglang:*`, model_name);
TGI (`tgi_*`, no model label, counters without `_total`). Sources are listed in docs/testing.md.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import numpy as np

from .counters import counter, histogram_buckets
from .model import GpuUse, Node, Pod, Scenario, Serving
from .promgen import Block, Family, HistBlock, render_labels

TTFT_LES = (0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
            float("inf"))
E2E_LES = (0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, float("inf"))
PHASE_LES = (0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 60.0, float("inf"))
TOKEN_LES = (1.0, 10.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0, 4000.0, 8000.0, float("inf"))

DCGM = {name: Family(name, "gauge", help_) for name, help_ in [
    ("DCGM_FI_DEV_GPU_UTIL", "GPU utilization (in %)."),
    ("DCGM_FI_PROF_GR_ENGINE_ACTIVE", "Ratio of time the graphics engine is active."),
    ("DCGM_FI_DEV_FB_USED", "Framebuffer memory used (in MiB)."),
    ("DCGM_FI_DEV_FB_FREE", "Framebuffer memory free (in MiB)."),
]}


def gpu_uuid(node: str, gpu: int) -> str:
    return "GPU-" + str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{node}/{gpu}"))


def gpu_devices(node: Node) -> list[tuple[int, str | None, int | None, float]]:
    """(gpu index, MIG profile, GPU_I_ID, framebuffer MiB) of every DCGM entity on the node."""
    if node.mig_layout:
        return [(g, p, gi, fb) for g in range(node.gpus) for p, gi, fb in node.mig_layout]
    return [(g, None, None, node.gpu_fb_mib) for g in range(node.gpus)]


def _holders(scn: Scenario, node: Node, gpu: int, gi: int | None) -> list[tuple[Pod, str, GpuUse]]:
    return [(p, c.name, c.gpu) for p in scn.pods if p.node == node.name for c in p.containers
            if c.gpu is not None and c.gpu.device == gpu and c.gpu.mig_instance == gi]


def _dcgm_series(base: dict[str, str], idx: np.ndarray, util: float, used: float, total: float,
                 mig: bool) -> Iterator[Block]:
    lab = [render_labels(base)]
    def const(v: float) -> np.ndarray:
        return np.full((1, len(idx)), v)
    if not mig:
        yield Block(DCGM["DCGM_FI_DEV_GPU_UTIL"], lab, idx, const(util))
    yield Block(DCGM["DCGM_FI_PROF_GR_ENGINE_ACTIVE"], lab, idx, const(util / 100.0))
    yield Block(DCGM["DCGM_FI_DEV_FB_USED"], lab, idx, const(used))
    yield Block(DCGM["DCGM_FI_DEV_FB_FREE"], lab, idx, const(total - used))


def dcgm_blocks(scn: Scenario) -> Iterator[Block]:
    """One series per GPU (or MIG instance) and holder; a GPU no pod holds has no pod labels and reads 0.
    A time-sliced GPU appears once per pod sharing it, each with the physical GPU's values."""
    tl = scn.timeline
    for node in (n for n in scn.nodes if n.gpus):
        life = tl.span(node.from_h, node.to_h)
        for gpu, profile, gi, fb in gpu_devices(node):
            base = {"gpu": str(gpu), "UUID": gpu_uuid(node.name, gpu), "device": f"nvidia{gpu}",
                    "modelName": (node.gpu_product or "").replace("-", " "), "Hostname": node.name,
                    "DCGM_FI_DRIVER_VERSION": "550.127.05", "instance": f"{node.internal_ip}:9400",
                    "job": "nvidia-dcgm-exporter"}
            if profile:
                base |= {"GPU_I_PROFILE": profile, "GPU_I_ID": str(gi)}
            held = np.zeros(len(life), dtype=bool)
            for pod, container, use in _holders(scn, node, gpu, gi):
                idx = tl.span(pod.from_h, pod.to_h)
                held |= np.isin(life, idx)
                labels = base | {"container": container, "namespace": pod.namespace, "pod": pod.name}
                yield from _dcgm_series(labels, idx, use.util_pct, use.fb_used_mib, fb, profile is not None)
            yield from _dcgm_series(base, life[~held], 0.0, 0.0, fb, profile is not None)


def _fam(name: str, kind: str, help_: str) -> Family:
    return Family(name, kind, help_)


def _counter_block(fam: Family, labels: dict[str, str], idx: np.ndarray, per_scrape: float,
                   resets: np.ndarray) -> Block:
    return Block(fam, [render_labels(labels)], idx, counter(np.full(len(idx), per_scrape), resets)[None, :])


def _hist_block(fam: Family, labels: dict[str, str], idx: np.ndarray, les: tuple[float, ...], count: np.ndarray,
                observation: float) -> HistBlock:
    buckets = histogram_buckets(count, les, observation)[None, :, :]
    return HistBlock(fam, [render_labels(labels)], idx, les, buckets, (count * observation)[None, :])


def vllm_blocks(srv: Serving, lab: dict[str, str], idx: np.ndarray,
                resets: np.ndarray) -> Iterator[Block | HistBlock]:
    lab = {"engine": "0", "model_name": srv.model} | lab
    requests = counter(np.full(len(idx), srv.requests), resets)
    ok = srv.requests - srv.failed
    yield _counter_block(_fam("vllm:prompt_tokens", "counter", "Number of prefill tokens processed."),
                         lab, idx, srv.prompt_tokens, resets)
    yield _counter_block(_fam("vllm:generation_tokens", "counter", "Number of generation tokens processed."),
                         lab, idx, srv.generation_tokens, resets)
    fam = _fam("vllm:request_success", "counter", "Count of successfully processed requests.")
    yield _counter_block(fam, lab | {"finished_reason": "stop"}, idx, ok, resets)
    yield _counter_block(fam, lab | {"finished_reason": "abort"}, idx, srv.failed, resets)
    yield _counter_block(_fam("vllm:prefix_cache_queries", "counter",
                              "Prefix cache queries, in terms of number of queried tokens."),
                         lab, idx, srv.prompt_tokens, resets)
    yield _counter_block(_fam("vllm:prefix_cache_hits", "counter",
                              "Prefix cache hits, in terms of number of cached tokens."),
                         lab, idx, srv.cached_tokens, resets)
    yield _counter_block(_fam("vllm:prompt_tokens_cached", "counter",
                              "Number of cached prompt tokens (local + external)."),
                         lab, idx, srv.cached_tokens, resets)
    for name, les, obs, help_ in [
        ("vllm:time_to_first_token_seconds", TTFT_LES, srv.ttft_s, "Histogram of time to first token in seconds."),
        ("vllm:e2e_request_latency_seconds", E2E_LES, srv.e2e_s,
         "Histogram of end to end request latency in seconds."),
        ("vllm:request_prefill_time_seconds", PHASE_LES, srv.prefill_s,
         "Histogram of time spent in PREFILL phase for request."),
        ("vllm:request_decode_time_seconds", PHASE_LES, srv.decode_s,
         "Histogram of time spent in DECODE phase for request."),
    ]:
        yield _hist_block(_fam(name, "histogram", help_), lab, idx, les, requests, obs)


def sglang_blocks(srv: Serving, lab: dict[str, str], idx: np.ndarray,
                  resets: np.ndarray) -> Iterator[Block | HistBlock]:
    lab = {"model_name": srv.model} | lab
    requests = counter(np.full(len(idx), srv.requests), resets)
    for name, help_, per in [
        ("sglang:prompt_tokens", "Number of prefill tokens processed.", srv.prompt_tokens),
        ("sglang:generation_tokens", "Number of generation tokens processed.", srv.generation_tokens),
        ("sglang:cached_tokens", "Number of cached prompt tokens.", srv.cached_tokens),
        ("sglang:num_requests", "Number of requests processed.", srv.requests),
        ("sglang:num_aborted_requests", "Number of requests aborted.", srv.failed),
    ]:
        yield _counter_block(_fam(name, "counter", help_), lab, idx, per, resets)
    yield _hist_block(_fam("sglang:time_to_first_token_seconds", "histogram",
                           "Histogram of time to first token in seconds."), lab, idx, TTFT_LES, requests, srv.ttft_s)
    yield _hist_block(_fam("sglang:e2e_request_latency_seconds", "histogram",
                           "Histogram of End-to-end request latency in seconds"),
                      lab, idx, E2E_LES, requests, srv.e2e_s)


def tgi_blocks(srv: Serving, lab: dict[str, str], idx: np.ndarray,
               resets: np.ndarray) -> Iterator[Block | HistBlock]:
    requests = counter(np.full(len(idx), srv.requests), resets)
    yield _counter_block(_fam("tgi_request_count", "unknown", "Total number of requests"),
                         lab, idx, srv.requests, resets)
    yield _counter_block(_fam("tgi_request_success", "unknown", "Number of successful requests"),
                         lab, idx, srv.requests - srv.failed, resets)
    per_req_in = srv.prompt_tokens / srv.requests
    per_req_out = srv.generation_tokens / srv.requests
    yield _hist_block(_fam("tgi_request_input_length", "histogram", "Input token length per request"),
                      lab, idx, TOKEN_LES, requests, per_req_in)
    yield _hist_block(_fam("tgi_request_generated_tokens", "histogram", "Generated tokens per request"),
                      lab, idx, TOKEN_LES, requests, per_req_out)
    yield _hist_block(_fam("tgi_request_duration", "histogram", "Total time spent processing the request"),
                      lab, idx, E2E_LES, requests, srv.e2e_s)


ENGINES = {"vllm": vllm_blocks, "sglang": sglang_blocks, "tgi": tgi_blocks}


def serving_blocks(scn: Scenario) -> Iterator[Block | HistBlock]:
    tl = scn.timeline
    for pod in (p for p in scn.pods if p.serving is not None):
        srv = pod.serving
        assert srv is not None
        idx = tl.span(pod.from_h, pod.to_h)
        resets = np.array([tl.k(h) - idx[0] for h in srv.resets_h], dtype=np.int64)
        scrape = {"container": pod.containers[0].name, "endpoint": "metrics", "instance": f"{pod.pod_ip}:8000",
                  "job": f"{pod.namespace}/{srv.engine}", "namespace": pod.namespace, "pod": pod.name}
        yield from ENGINES[srv.engine](srv, scrape, idx, resets)
