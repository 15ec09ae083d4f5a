"""Scenario description: nodes, pods, GPUs and serving engines over a window, and its ground truth.

Time is counted in scrape samples: sample k is at `start + k * step_s`, k = 0 .. n-1, so the samples
cover the half-open window [start, end). A thing alive from hour a to hour b has samples
k in [a * 3600 / step, b * 3600 / step) and lasts (b - a) hours. Usage values are step functions of
time given as (from_hour, to_hour, value) pieces; the value at sample k is the piece containing
t_k. Ground truth is computed from these step functions at the scrape step:

    hours                = samples * step / 3600
    billed core-hours    = Σ_hours max(request * n_h, Σ_{k in h} usage_k) * step / 3600
                           (clock hours h; running samples only; n_h = the hour's running samples)
    token / request sums = Σ of the per-scrape increments a counter shows (a reset scrape shows none)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from genaicost.domain.window import Window

Pieces = tuple[tuple[float, float, float], ...]  # (from_hour, to_hour, value), hours from window start


@dataclass(frozen=True)
class Timeline:
    start: datetime
    hours: float
    step_s: int

    @property
    def n(self) -> int:
        return round(self.hours * 3600 / self.step_s)

    @property
    def end(self) -> datetime:
        return self.start + timedelta(hours=self.hours)

    @property
    def window(self) -> Window:
        return Window(self.start, self.end)

    def k(self, hour: float) -> int:
        """Sample index at an hour offset (must fall on a sample)."""
        exact = hour * 3600 / self.step_s
        if abs(exact - round(exact)) > 1e-9:
            raise ValueError(f"hour {hour} is not on a {self.step_s}s sample")
        return min(max(round(exact), 0), self.n)

    def span(self, from_h: float, to_h: float) -> np.ndarray:
        return np.arange(self.k(from_h), self.k(to_h), dtype=np.int64)

    def timestamps_s(self) -> np.ndarray:
        return self.start.timestamp() + np.arange(self.n, dtype=np.int64) * self.step_s

    def step_values(self, pieces: Pieces, idx: np.ndarray) -> np.ndarray:
        """Value of a step function at the given samples (0 outside every piece)."""
        hours = idx * self.step_s / 3600.0
        out = np.zeros(len(idx), dtype=np.float64)
        for lo, hi, value in pieces:
            out[(hours >= lo) & (hours < hi)] = value
        return out


@dataclass(frozen=True)
class GpuUse:
    """The GPU a container holds as DCGM reports it."""

    device: int                       # physical GPU index on the node
    util_pct: float                   # DCGM_FI_DEV_GPU_UTIL (physical GPU, 0-100); MIG: not reported
    fb_used_mib: float
    mig_profile: str | None = None    # e.g. "3g.20gb": the DCGM series is the MIG instance
    mig_instance: int | None = None   # GPU_I_ID

    @property
    def engine_active(self) -> float:
        """DCGM_FI_PROF_GR_ENGINE_ACTIVE (0-1): the scenarios set it to util_pct / 100."""
        return self.util_pct / 100.0


@dataclass(frozen=True)
class Serving:
    """Serving-engine counters of one pod: increments per scrape, constant over the pod's life."""

    engine: str                       # "vllm" | "sglang" | "tgi"
    model: str                        # model_name label (TGI: none; the pod label carries the model)
    prompt_tokens: float              # per scrape
    generation_tokens: float
    requests: float                   # finished requests per scrape, any outcome
    failed: float = 0.0               # of which aborted / failed
    cached_tokens: float = 0.0
    prefill_s: float = 0.0            # per request (vLLM)
    decode_s: float = 0.0
    ttft_s: float = 0.3               # every request's time to first token
    e2e_s: float = 2.0                # every request's end-to-end latency
    resets_h: tuple[float, ...] = ()  # process restarts: the counters show 0 at that scrape


@dataclass(frozen=True)
class Container:
    name: str
    cpu_request: float                # cores
    ram_request: float                # bytes
    cpu_usage: Pieces                 # cores
    ram_usage: Pieces                 # bytes (working set)
    gpu_resource: str | None = None   # KSM resource name: "nvidia_com_gpu", "nvidia_com_mig_3g_20gb"
    gpu_count: float = 0.0
    gpu: GpuUse | None = None


@dataclass(frozen=True)
class Pod:
    namespace: str
    name: str
    uid: str
    node: str
    owner_kind: str
    owner_name: str
    labels: dict[str, str]
    containers: tuple[Container, ...]
    from_h: float                     # Running from ...
    to_h: float                       # ... to (exclusive)
    succeeded_to_h: float | None = None  # then Succeeded (still listed by KSM) until this hour
    pvc: str | None = None
    serving: Serving | None = None
    restarts_h: tuple[float, ...] = ()   # container restarts: a new cAdvisor series (new container id)
    pod_ip: str = "10.0.100.1"


@dataclass(frozen=True)
class Node:
    name: str
    instance_type: str
    capacity_type: str                # "on-demand" | "spot"
    zone: str
    vcpu: float
    ram_bytes: float
    from_h: float
    to_h: float
    managed_by: str                   # "karpenter" | "eks-nodegroup"
    pool: str                         # Karpenter nodepool or EKS node group
    internal_ip: str
    instance_id: str
    gpus: int = 0
    gpu_product: str | None = None    # nvidia.com/gpu.product
    gpu_fb_mib: float = 0.0           # framebuffer per GPU (or per MIG instance: see mig_layout)
    gpu_replicas: int = 1             # time-slicing replicas
    mig_layout: tuple[tuple[str, int, float], ...] = ()  # per GPU: (profile, GPU_I_ID, fb MiB)
    region: str = "us-east-1"


@dataclass(frozen=True)
class Volume:
    pv: str
    storage_class: str
    capacity_bytes: float
    claim_namespace: str
    claim: str
    volume_id: str
    from_h: float
    to_h: float


@dataclass(frozen=True)
class LoadBalancer:
    namespace: str
    name: str
    uid: str
    lb_type: str                      # service.beta.kubernetes.io/aws-load-balancer-type
    from_h: float
    to_h: float
    endpoints: tuple[str, ...] = ()   # pods (same namespace) whose IPs are its ready Endpoints addresses
    ports: tuple[tuple[str, int], ...] = (("http", 80),)  # (port name, number), TCP


@dataclass(frozen=True)
class Scenario:
    name: str
    timeline: Timeline
    nodes: tuple[Node, ...]
    pods: tuple[Pod, ...]
    volumes: tuple[Volume, ...] = ()
    services: tuple[LoadBalancer, ...] = ()
    exporters: frozenset[str] = field(default_factory=lambda: frozenset({"ksm", "cadvisor", "dcgm", "serving"}))
    description: str = ""

    @property
    def window(self) -> Window:
        return self.timeline.window

    def node(self, name: str) -> Node:
        return next(n for n in self.nodes if n.name == name)

    def pod(self, name: str) -> Pod:
        return next(p for p in self.pods if p.name == name)
