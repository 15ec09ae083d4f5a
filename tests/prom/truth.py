"""Ground truth of a scenario, computed from its step functions at the scrape step (see model.py).

These are the numbers tests compare against; the scenario docstrings and docs/testing.md show the same
numbers worked out by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .counters import shown_increase
from .model import Container, Pod, Scenario

BUCKET_S = 3600  # billing bucket: the clock hour (UTC, since the epoch)


def node_hours(scn: Scenario, node: str) -> float:
    n = scn.node(node)
    return len(scn.timeline.span(n.from_h, n.to_h)) * scn.timeline.step_s / 3600.0


def node_samples(scn: Scenario, node: str) -> int:
    n = scn.node(node)
    return len(scn.timeline.span(n.from_h, n.to_h))


def _container(scn: Scenario, pod: str, container: str) -> tuple[Pod, Container]:
    p = scn.pod(pod)
    return p, next(c for c in p.containers if c.name == container)


def running_hours(scn: Scenario, pod: str) -> float:
    p = scn.pod(pod)
    return len(scn.timeline.span(p.from_h, p.to_h)) * scn.timeline.step_s / 3600.0


@dataclass(frozen=True)
class ContainerTruth:
    hours: float                      # Running hours in the window
    cpu_request_cores: float
    ram_request_bytes: float
    cpu_usage_cores: float            # mean over running samples
    ram_usage_bytes: float
    cpu_billed_cores: float           # billed core-hours ÷ Running hours
    ram_billed_bytes: float
    cpu_billed_core_hours: float      # Σ over clock hours of max(request-hours, usage-hours)
    ram_billed_byte_hours: float
    gpu_request: float
    gpu_hours: float                  # gpu_count * hours (a MIG slice / time-slice replica counts 1)


def container_truth(scn: Scenario, pod: str, container: str) -> ContainerTruth:
    tl = scn.timeline
    p, c = _container(scn, pod, container)
    idx = tl.span(p.from_h, p.to_h)
    hours = len(idx) * tl.step_s / 3600.0
    cpu = tl.step_values(c.cpu_usage, idx)
    ram = tl.step_values(c.ram_usage, idx)
    bucket = (tl.timestamps_s()[idx] // BUCKET_S).astype(np.int64)   # the clock hour of each Running step
    cpu_billed = billed_steps(cpu, c.cpu_request, bucket)
    ram_billed = billed_steps(ram, c.ram_request, bucket)
    return ContainerTruth(
        hours=hours, cpu_request_cores=c.cpu_request, ram_request_bytes=c.ram_request,
        cpu_usage_cores=float(cpu.mean()), ram_usage_bytes=float(ram.mean()),
        cpu_billed_cores=cpu_billed / len(idx), ram_billed_bytes=ram_billed / len(idx),
        cpu_billed_core_hours=cpu_billed * tl.step_s / 3600.0,
        ram_billed_byte_hours=ram_billed * tl.step_s / 3600.0,
        gpu_request=c.gpu_count, gpu_hours=c.gpu_count * hours,
    )


def billed_steps(usage: np.ndarray, request: float, bucket: np.ndarray) -> float:
    """Σ over clock hours of max(request × the hour's Running steps, Σ the hour's usage), in value × steps
    (docs/cost-model.md: CPU and memory are billed max(request, usage) per container and hour)."""
    hours, steps = np.unique(bucket, return_counts=True)
    used = np.bincount(np.searchsorted(hours, bucket), weights=usage, minlength=len(hours))
    return float(np.maximum(request * steps, used).sum())


@dataclass(frozen=True)
class ModelTruth:
    namespace: str
    pod: str
    model: str
    engine: str
    input_tokens: float
    output_tokens: float
    cached_input_tokens: float | None
    requests: float
    successful_requests: float
    prefill_seconds: float | None
    decode_seconds: float | None
    ttft_s: float | None              # every request's TTFT (None: the engine does not expose it)
    e2e_s: float


def model_truth(scn: Scenario, pod: str) -> ModelTruth:
    """What the serving counters of a pod rose by over the window (resets handled: the lost scrape
    interval at each restart is not counted, because no counter shows it)."""
    p = scn.pod(pod)
    srv = p.serving
    if srv is None:
        raise ValueError(f"pod {pod} serves no model")
    idx = scn.timeline.span(p.from_h, p.to_h)
    resets = np.array([scn.timeline.k(h) - idx[0] for h in srv.resets_h], dtype=np.int64)
    def rise(per_scrape: float) -> float:
        return shown_increase(np.full(len(idx), per_scrape), resets)
    requests = rise(srv.requests)
    vllm = srv.engine == "vllm"
    return ModelTruth(
        namespace=p.namespace, pod=p.name, model=srv.model if srv.engine != "tgi" else p.labels["model"],
        engine=srv.engine, input_tokens=rise(srv.prompt_tokens), output_tokens=rise(srv.generation_tokens),
        cached_input_tokens=rise(srv.cached_tokens) if srv.engine != "tgi" else None,
        requests=requests, successful_requests=rise(srv.requests - srv.failed),
        prefill_seconds=requests * srv.prefill_s if vllm else None,
        decode_seconds=requests * srv.decode_s if vllm else None,
        ttft_s=srv.ttft_s if srv.engine != "tgi" else None, e2e_s=srv.e2e_s,
    )


def serving_pods(scn: Scenario) -> list[str]:
    return [p.name for p in scn.pods if p.serving is not None]
