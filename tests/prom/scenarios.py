"""The cluster histories the Prometheus tests backfill, with their hand-computed ground truth.

Every number below is worked out by hand in the docstrings (and docs/testing.md); `tests/prom/truth.py`
computes the same numbers from the scenario objects and `tests/prom/test_promgen.py` checks both agree.
Hours are offsets from the window start. A counter shows (samples - 1 - resets) increments (model.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime

from .model import (
    Container,
    GpuUse,
    LoadBalancer,
    Node,
    Pod,
    Scenario,
    Serving,
    Timeline,
    Volume,
)

GIB = 1024.0**3
MIB = 1024.0**2

NODE_M6I = "ip-10-0-1-10.ec2.internal"
NODE_G5 = "ip-10-0-2-20.ec2.internal"
NODE_P4D = "ip-10-0-3-30.ec2.internal"
NODE_G6 = "ip-10-0-4-40.ec2.internal"

POD_API = "api-6d4cf56db6-x7k2p"
POD_REPORT = "report-28990-xk2lp"
POD_VLLM = "vllm-llama-6d4cf56db6-q9z8w"
POD_MISTRAL = "vllm-mistral-6d4cf56db6-m1s7r"
POD_PHI = "tgi-phi-6d4cf56db6-p4h1x"
POD_QWEN = "sglang-qwen-6d4cf56db6-q2w3n"
POD_GEMMA = "vllm-gemma-6d4cf56db6-g3m2a"


def churn(start: datetime | None = None) -> Scenario:
    """6 h at 60 s (360 samples), 2025-03-03 00:00-06:00 UTC.

    Nodes: m6i.xlarge on-demand (EKS node group "system") hours 0-6 = 360 samples = 6 node-hours;
    g5.12xlarge spot (Karpenter nodepool "gpu", 4 x A10G) hours 2-5 = 180 samples = 3 node-hours,
    12 GPU-hours of which the vLLM pod holds 3.
    Pods:
    - web/api (Deployment): 0-6 h on the m6i; cpu request 0.5, usage 0.25 (0-3 h) then 1.0 (3-6 h):
      billed core-hours = 3 x 0.5 + 3 x 1.0 = 4.5 (mean 0.75), usage mean 0.625;
      memory request 1 GiB, usage 512 MiB: billed 6 GiB-hours.
    - batch/report (Job): Running 0.5-1.5 h, then Succeeded until 2.0 h (listed by KSM, costs nothing),
      then deleted; cpu request 1 = usage 0.8 -> billed 1.0 core-hour; memory 2 GiB request, 1.5 GiB used.
    - llm/vllm-llama (Deployment, label model=llama-3-8b): 2-5 h on the g5 (3 h, 1 GPU = 3 GPU-hours);
      cpu request 4, usage 2 -> 12 core-hours; memory request 32 GiB, usage 24 GiB; container restart
      at 3.5 h (new cAdvisor series; vLLM counters drop to 0). DCGM: its GPU 60 % busy, 20000 MiB used;
      the other 3 GPUs 0 % -> node utilisation 0.15. Serving: 180 samples, 1 reset -> 178 increments
      of 3000 prompt / 1200 generation / 600 cached tokens / 30 requests (1 aborted):
      534,000 input, 213,600 output, 106,800 cached tokens, 5,340 requests, 5,162 successful,
      prefill 5,340 x 0.2 = 1,068 s, decode 5,340 x 2.0 = 10,680 s; TTFT 0.3 s (bucket 0.25-0.5:
      p50 0.375, p95 0.4875), e2e 2.4 s (bucket 2.0-2.5: p50 2.25, p95 2.475).
    - PV gp3 100 GiB bound to llm/model-cache for 6 h; Service llm/vllm-llama type LoadBalancer (nlb) 6 h.
    """
    tl = Timeline(start or datetime(2025, 3, 3, tzinfo=UTC), 6.0, 60)
    nodes = (
        Node(NODE_M6I, "m6i.xlarge", "on-demand", "us-east-1a", 4, 16 * GIB, 0, 6, "eks-nodegroup", "system",
             "10.0.1.10", "i-0a1b2c3d4e5f60001"),
        Node(NODE_G5, "g5.12xlarge", "spot", "us-east-1b", 48, 192 * GIB, 2, 5, "karpenter", "gpu",
             "10.0.2.20", "i-0a1b2c3d4e5f60002", gpus=4, gpu_product="NVIDIA-A10G", gpu_fb_mib=23028),
    )
    api = Container("api", 0.5, 1 * GIB, ((0, 3, 0.25), (3, 6, 1.0)), ((0, 6, 512 * MIB),))
    report = Container("report", 1.0, 2 * GIB, ((0.5, 1.5, 0.8),), ((0.5, 1.5, 1.5 * GIB),))
    vllm = Container("vllm", 4.0, 32 * GIB, ((2, 5, 2.0),), ((2, 5, 24 * GIB),), "nvidia_com_gpu", 1,
                     GpuUse(device=0, util_pct=60, fb_used_mib=20000))
    llama = Serving("vllm", "meta-llama/Meta-Llama-3-8B-Instruct", prompt_tokens=3000, generation_tokens=1200,
                    requests=30, failed=1, cached_tokens=600, prefill_s=0.2, decode_s=2.0, ttft_s=0.3, e2e_s=2.4,
                    resets_h=(3.5,))
    pods = (
        Pod("web", POD_API, "0f6a1c52-1111-4a6b-9c1e-000000000001", NODE_M6I, "Deployment", "api",
            {"app": "api", "team": "web"}, (api,), 0, 6, pod_ip="10.0.1.101"),
        Pod("batch", POD_REPORT, "0f6a1c52-2222-4a6b-9c1e-000000000002", NODE_M6I, "Job", "report-28990",
            {"job-name": "report-28990", "team": "data"}, (report,), 0.5, 1.5, succeeded_to_h=2.0,
            pod_ip="10.0.1.102"),
        Pod("llm", POD_VLLM, "0f6a1c52-3333-4a6b-9c1e-000000000003", NODE_G5, "Deployment", "vllm-llama",
            {"app": "vllm-llama", "model": "llama-3-8b", "team": "ml"}, (vllm,), 2, 5, pvc="model-cache",
            serving=llama, restarts_h=(3.5,), pod_ip="10.0.2.101"),
    )
    volumes = (Volume("pvc-5f0c2a5e-0000-4000-8000-000000000001", "gp3", 100 * GIB, "llm", "model-cache",
                      "vol-0123456789abcdef0", 0, 6),)
    services = (LoadBalancer("llm", "vllm-llama", "7c1d-0000-0000-0000-000000000001", "nlb", 0, 6),)
    return Scenario("churn", tl, nodes, pods, volumes, services, description="pod churn, Karpenter spot scale-out/in")


def gpu_sharing(start: datetime | None = None) -> Scenario:
    """2 h at 60 s (120 samples), 2025-03-04 00:00-02:00 UTC; every pod runs 0-2 h (119 increments).

    - p4d.24xlarge on-demand (node group "gpu-mig"), 8 x A100-SXM4-40GB, MIG all-balanced: per GPU one
      3g.20gb (GPU_I_ID 1), one 2g.10gb (5), two 1g.5gb (13, 14); capacity mig-3g.20gb 8, mig-2g.10gb 8,
      mig-1g.5gb 16 (7 compute slices per GPU). 2 node-hours, 16 GPU-hours.
      - llm/vllm-mistral: 1 x mig-3g.20gb on GPU 0 (3/7 of a GPU), engine active 0.6, 15000 MiB; vLLM
        per scrape 6000 prompt / 3000 generation / 1200 cached tokens / 60 requests, prefill 0.1 s,
        decode 1.5 s: 714,000 in, 357,000 out, 142,800 cached, 7,140 requests (all successful),
        prefill 714 s, decode 10,710 s; TTFT 0.2 s (0.1-0.25), e2e 1.8 s (1.5-2.0).
      - llm/tgi-phi (label model=phi-3-mini; TGI has no model label): 1 x mig-1g.5gb on GPU 0 (1/7),
        engine active 0.3, 4000 MiB; 30 requests per scrape (2 failed) of 200 input / 100 output tokens:
        714,000 in, 357,000 out, 3,570 requests, 3,332 successful; e2e 3.0 s.
    - g6.xlarge spot (Karpenter nodepool "gpu-shared"), 1 x L4 time-sliced, replicas 4 (capacity
      nvidia.com/gpu 4). 2 node-hours. The GPU is 80 % busy, 18000 MiB used (both pods see these values).
      - chat/sglang-qwen: 1 replica (1/4 GPU); cpu request 1, usage 1.5 (above: billed 3 core-hours);
        memory request 4 GiB, usage 6 GiB; 4800 prompt / 2400 generation / 2400 cached tokens /
        40 requests (1 aborted): 571,200 in, 285,600 out, 285,600 cached, 4,760 requests, 4,641 ok;
        TTFT 0.15 s, e2e 4.0 s.
      - chat/vllm-gemma: 1 replica; 1200 / 600 tokens, 20 requests (2 aborted), prefill 0.05 s,
        decode 0.8 s: 142,800 in, 71,400 out, 0 cached, 2,380 requests, 2,142 ok, prefill 119 s,
        decode 1,904 s; TTFT 0.08 s (0.06-0.08], e2e 0.9 s.
    """
    tl = Timeline(start or datetime(2025, 3, 4, tzinfo=UTC), 2.0, 60)
    mig = (("3g.20gb", 1, 19968.0), ("2g.10gb", 5, 9984.0), ("1g.5gb", 13, 4864.0), ("1g.5gb", 14, 4864.0))
    nodes = (
        Node(NODE_P4D, "p4d.24xlarge", "on-demand", "us-east-1c", 96, 1152 * GIB, 0, 2, "eks-nodegroup", "gpu-mig",
             "10.0.3.30", "i-0a1b2c3d4e5f60003", gpus=8, gpu_product="NVIDIA-A100-SXM4-40GB", gpu_fb_mib=40960,
             mig_layout=mig),
        Node(NODE_G6, "g6.xlarge", "spot", "us-east-1a", 4, 16 * GIB, 0, 2, "karpenter", "gpu-shared",
             "10.0.4.40", "i-0a1b2c3d4e5f60004", gpus=1, gpu_product="NVIDIA-L4", gpu_fb_mib=23034, gpu_replicas=4),
    )
    def ctr(name: str, cpu: float, cpu_use: float, ram: float, ram_use: float, res: str, use: GpuUse) -> Container:
        return Container(name, cpu, ram * GIB, ((0, 2, cpu_use),), ((0, 2, ram_use * GIB),), res, 1, use)
    pods = (
        Pod("llm", POD_MISTRAL, "1a2b3c4d-0001-4000-8000-000000000011", NODE_P4D, "Deployment", "vllm-mistral",
            {"app": "vllm-mistral", "model": "mistral-7b", "team": "ml"},
            (ctr("vllm", 8, 6, 64, 48, "nvidia_com_mig_3g_20gb", GpuUse(0, 60, 15000, "3g.20gb", 1)),), 0, 2,
            serving=Serving("vllm", "mistralai/Mistral-7B-Instruct-v0.3", 6000, 3000, 60, 0, 1200, 0.1, 1.5,
                            ttft_s=0.2, e2e_s=1.8), pod_ip="10.0.3.101"),
        Pod("llm", POD_PHI, "1a2b3c4d-0002-4000-8000-000000000012", NODE_P4D, "Deployment", "tgi-phi",
            {"app": "tgi-phi", "model": "phi-3-mini", "team": "ml"},
            (ctr("tgi", 2, 1, 16, 8, "nvidia_com_mig_1g_5gb", GpuUse(0, 30, 4000, "1g.5gb", 13)),), 0, 2,
            serving=Serving("tgi", "microsoft/Phi-3-mini-4k-instruct", 6000, 3000, 30, 2, e2e_s=3.0),
            pod_ip="10.0.3.102"),
        Pod("chat", POD_QWEN, "1a2b3c4d-0003-4000-8000-000000000013", NODE_G6, "Deployment", "sglang-qwen",
            {"app": "sglang-qwen", "model": "qwen2.5-7b", "team": "chat"},
            (ctr("sglang", 1, 1.5, 4, 6, "nvidia_com_gpu", GpuUse(0, 80, 18000)),), 0, 2,
            serving=Serving("sglang", "Qwen/Qwen2.5-7B-Instruct", 4800, 2400, 40, 1, 2400, ttft_s=0.15, e2e_s=4.0),
            pod_ip="10.0.4.101"),
        Pod("chat", POD_GEMMA, "1a2b3c4d-0004-4000-8000-000000000014", NODE_G6, "Deployment", "vllm-gemma",
            {"app": "vllm-gemma", "model": "gemma-2-2b", "team": "chat"},
            (ctr("vllm", 1, 0.5, 4, 3, "nvidia_com_gpu", GpuUse(0, 80, 18000)),), 0, 2,
            serving=Serving("vllm", "google/gemma-2-2b-it", 1200, 600, 20, 2, 0, 0.05, 0.8, ttft_s=0.08, e2e_s=0.9),
            pod_ip="10.0.4.102"),
    )
    return Scenario("gpu-sharing", tl, nodes, pods, description="MIG p4d and time-sliced g6, four models")


def no_dcgm(start: datetime | None = None) -> Scenario:
    """`churn` without the DCGM exporter and without serving metrics (kube-state-metrics + cAdvisor only)."""
    return dataclasses.replace(churn(start), name="no-dcgm", exporters=frozenset({"ksm", "cadvisor"}),
                               description="churn without DCGM and serving metrics")


def no_ksm(start: datetime | None = None) -> Scenario:
    """`churn` without kube-state-metrics (cAdvisor, DCGM and vLLM only): no node, pod, volume or load balancer
    can be costed, and without nodes neither the region nor EKS is known: the report is partial and costs $0
    (the vLLM counters are still there: 534,000 prompt tokens shown, no pod to charge them to)."""
    return dataclasses.replace(churn(start), name="no-ksm", exporters=frozenset({"cadvisor", "dcgm", "serving"}),
                               description="churn without kube-state-metrics")


def no_cadvisor(start: datetime | None = None) -> Scenario:
    """`churn` without cAdvisor: CPU and memory are billed by requests. web/api: 0.5 cores x 6 h = 3.0 core-hours
    (not 4.5) and 1 GiB x 6 h = 6 GiB-hours; on the m6i.xlarge ($0.192/h, 4 vCPU, 16 GiB) split aws-scad:
    unit = 0.192 / (0.9 x 4 + 0.1 x 16) = 0.192 / 5.2, c = 0.9 unit = $0.0332308/vCPU-h, m = 0.1 unit =
    $0.00369231/GiB-h -> 3 x c + 6 x m = 0.0996923 + 0.0221538 = $0.1218462 (with cAdvisor: 4.5 c + 6 m
    = $0.1716923)."""
    return dataclasses.replace(churn(start), name="no-cadvisor", exporters=frozenset({"ksm", "dcgm", "serving"}),
                               description="churn without cAdvisor")


def lb_web(start: datetime | None = None, replicas: int = 3) -> Scenario:
    """2 h at 60 s (120 samples), 2025-03-05 00:00-02:00 UTC, kube-state-metrics + cAdvisor only.

    - m6i.xlarge on-demand (node group "system") 0-2 h: 2 node-hours x $0.192 = $0.384.
    - web/shop (Deployment) `replicas` pods 0-2 h, pod IPs 10.0.1.110 + i; cpu request 0.25 (usage 0.1),
      memory 256 MiB (usage 128 MiB); web/worker (Deployment) 0-2 h, IP 10.0.1.200, behind no Service.
    - Service web/shop type LoadBalancer (nlb) 0-2 h; its Endpoints list the shop pods' IPs (ready) on two
      ports (http 80, metrics 9090): kube_endpoint_address = 2 series per pod.
      NLB 2 h x $0.0225 = $0.045 split equally over the shop pods: 3 replicas -> $0.015 each, 6 -> $0.0075;
      the worker gets none and nothing is left to __unmounted__.
    - Total (3 or 6 replicas): $0.384 + EKS 2 x $0.10 + $0.045 = $0.629.
    """
    tl = Timeline(start or datetime(2025, 3, 5, tzinfo=UTC), 2.0, 60)
    nodes = (Node(NODE_M6I, "m6i.xlarge", "on-demand", "us-east-1a", 4, 16 * GIB, 0, 2, "eks-nodegroup", "system",
                  "10.0.1.10", "i-0a1b2c3d4e5f60001"),)
    shop = Container("shop", 0.25, 256 * MIB, ((0, 2, 0.1),), ((0, 2, 128 * MIB),))
    worker = Container("worker", 0.5, 512 * MIB, ((0, 2, 0.2),), ((0, 2, 256 * MIB),))
    shops = tuple(Pod("web", shop_pod(i), f"2b3c4d5e-0000-4000-8000-{i:012d}", NODE_M6I, "Deployment", "shop",
                      {"app": "shop", "team": "web"}, (shop,), 0, 2, pod_ip=f"10.0.1.{110 + i}")
                  for i in range(replicas))
    pods = (*shops, Pod("web", POD_WORKER, "2b3c4d5e-0000-4000-8000-999999999999", NODE_M6I, "Deployment", "worker",
                        {"app": "worker", "team": "web"}, (worker,), 0, 2, pod_ip="10.0.1.200"))
    services = (LoadBalancer("web", "shop", "7c1d-0000-0000-0000-000000000002", "nlb", 0, 2,
                             endpoints=tuple(shop_pod(i) for i in range(replicas)),
                             ports=(("http", 80), ("metrics", 9090))),)
    name = "lb-web" if replicas == 3 else f"lb-web-{replicas}"
    return Scenario(name, tl, nodes, pods, services=services,
                    exporters=frozenset({"ksm", "cadvisor"}), description="NLB in front of a Deployment's pods")


def hour_billing(start: datetime | None = None) -> Scenario:
    """3 h at 60 s (180 samples), 2025-03-06 00:00-03:00 UTC, kube-state-metrics + cAdvisor only: CPU and memory
    are billed max(request, usage) per container and clock hour, so usage above the request for part of an hour
    is billed only beyond what the rest of the hour left unused.

    - m6i.xlarge on-demand 0-3 h; batch/burst (Deployment) 0-3 h, cpu request 1 core, usage 0.5 (0-0.5 h),
      2.0 (0.5-1 h), 0.5 (1-3 h); memory request 1 GiB, usage 0.5 GiB (0-1.5 h), 3 GiB (1.5-2 h), 0.5 GiB (2-3 h).
    - Whole window, CPU: hour 0 max(1, 0.5 x 0.5 + 0.5 x 2 = 1.25) = 1.25, hours 1 and 2: 1 each -> 3.25 core-hours
      (a per-step max would give 3.5); memory: 1 + max(1, 0.5 x 0.5 + 0.5 x 3 = 1.75) + 1 = 3.75 GiB-hours (4.0).
    - Window 00:45-02:15 (partial hours at both ends): CPU [00:45, 01:00) max(0.25, 0.25 x 2 = 0.5) = 0.5,
      [01:00, 02:00) 1, [02:00, 02:15) max(0.25, 0.125) = 0.25 -> 1.75 core-hours; memory 0.25 + 1.75 + 0.25 =
      2.25 GiB-hours.
    """
    tl = Timeline(start or datetime(2025, 3, 6, tzinfo=UTC), 3.0, 60)
    nodes = (Node(NODE_M6I, "m6i.xlarge", "on-demand", "us-east-1a", 4, 16 * GIB, 0, 3, "eks-nodegroup", "system",
                  "10.0.1.10", "i-0a1b2c3d4e5f60001"),)
    burst = Container("burst", 1.0, 1 * GIB, ((0, 0.5, 0.5), (0.5, 1, 2.0), (1, 3, 0.5)),
                      ((0, 1.5, 0.5 * GIB), (1.5, 2, 3 * GIB), (2, 3, 0.5 * GIB)))
    pods = (Pod("batch", POD_BURST, "3c4d5e6f-0000-4000-8000-000000000001", NODE_M6I, "Deployment", "burst",
                {"app": "burst"}, (burst,), 0, 3),)
    return Scenario("hour-billing", tl, nodes, pods, exporters=frozenset({"ksm", "cadvisor"}),
                    description="usage above the request for part of an hour")


def shop_pod(i: int) -> str:
    return f"shop-6d4cf56db6-s{i:04d}"


POD_WORKER = "worker-6d4cf56db6-w0rk1"
POD_BURST = "burst-6d4cf56db6-b7r2s"


SCENARIOS: dict[str, Callable[..., Scenario]] = {
    "churn": churn, "gpu-sharing": gpu_sharing, "no-dcgm": no_dcgm, "no-ksm": no_ksm, "no-cadvisor": no_cadvisor,
    "lb-web": lb_web, "lb-web-6": lambda start=None: lb_web(start, replicas=6), "hour-billing": hour_billing,
}


def scenario(name: str, start: datetime | None = None) -> Scenario:
    if name not in SCENARIOS:
        raise KeyError(f"unknown scenario {name!r}; known: {sorted(SCENARIOS)}")
    return SCENARIOS[name](start)
