"""Benchmark history for the Prometheus source: 7 days, 500 nodes, 10,000 pods, 5-minute scrapes.

Writes exporter-shaped OpenMetrics (the writer and series shapes of tests/prom/, see docs/testing.md) in a
streaming, vectorised way, backfills it with `promtool tsdb create-blocks-from openmetrics`, and reports the
time of each step and the TSDB size. `--serve` then starts Prometheus on the result and prints its URL, for
the query-side benchmark.

The cluster: 450 nodes for the whole week (300 m6i.2xlarge on-demand in a node group, 100 c6i.4xlarge spot
and 50 g5.xlarge spot under Karpenter) plus 50 Karpenter c6i.4xlarge spot nodes that each live one random
12-72 h stretch; 7,000 pods for the whole week (15-16 per whole-week node) and 3,000 pods living 1-24 h on
the churning nodes (60 per node, inside its lifetime); one of the pods on each g5 node is a vLLM server
(50 in all) with its DCGM GPU series.

Reduced honestly to the series the history queries read (docs/testing.md): per pod kube_pod_info,
kube_pod_owner, kube_pod_labels, kube_pod_status_phase{phase="Running"} (KSM also writes the four other
phases at 0: left out), kube_pod_container_resource_requests cpu and memory, and the container-level
cAdvisor series (not the pod-level cgroup ones); per node kube_node_info, kube_node_labels,
kube_node_status_capacity cpu/memory(/nvidia_com_gpu); DCGM GPU_UTIL/FB_USED; vLLM counters and the TTFT
and e2e histograms.

    .venv/bin/python -m bench.prom_history --out /tmp/prom-bench [--scale 0.1] [--serve] [--reuse]

`build(out, scale)` is the same from Python: out/data is the TSDB to start Prometheus on
(tests.prom.backfill.PrometheusServer.start), the window is [START, START + 7 days).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from tests.prom.backfill import PrometheusServer, backfill, dir_size
from tests.prom.counters import counter_rows, histogram_buckets
from tests.prom.engines import E2E_LES, TTFT_LES
from tests.prom.ksm import F as KSM
from tests.prom.promgen import (
    Block,
    Family,
    HistBlock,
    WriteStats,
    group_by_family,
    render_labels,
    write_openmetrics,
)

START = datetime(2025, 2, 3, tzinfo=UTC)   # a Monday; 7 days to 2025-02-10
STEP_S = 300
GIB = 1024.0**3


@dataclass(frozen=True)
class Cluster:
    n: int                     # samples
    node_names: list[str]
    node_kind: np.ndarray      # 0 m6i on-demand, 1 c6i spot, 2 g5 spot, 3 c6i spot churning
    node_span: np.ndarray      # [nodes, 2] sample index [from, to)
    pod_node: np.ndarray
    pod_span: np.ndarray       # [pods, 2]
    pod_names: list[str]
    pod_ns: list[str]
    pod_serving: np.ndarray    # bool


KINDS = [("m6i.2xlarge", "on-demand", 8, 32, 0), ("c6i.4xlarge", "spot", 16, 32, 0),
         ("g5.xlarge", "spot", 4, 16, 1), ("c6i.4xlarge", "spot", 16, 32, 0)]


def make_cluster(scale: float, seed: int = 7, days: int = 7) -> Cluster:
    rng = np.random.default_rng(seed)
    n = days * 24 * 3600 // STEP_S
    counts = [round(c * scale) for c in (300, 100, 50, 50)]
    kind = np.repeat(np.arange(4), counts)
    span = np.tile([0, n], (len(kind), 1))
    churn = kind == 3
    life = rng.integers(min(12 * 12, n // 2), min(72 * 12, n - 1), churn.sum())
    begin = rng.integers(0, n - life)
    span[churn] = np.column_stack([begin, begin + life])
    whole = np.flatnonzero(~churn)
    long_pods = round(7000 * scale)
    pod_node = list(whole[np.arange(long_pods) % len(whole)])
    pod_span = [[0, n]] * long_pods
    for i in np.flatnonzero(churn):
        for _ in range(round(3000 * scale / max(churn.sum(), 1))):
            length = int(rng.integers(12, 24 * 12))
            lo = int(rng.integers(span[i, 0], max(span[i, 0] + 1, span[i, 1] - length)))
            pod_node.append(i)
            pod_span.append([lo, min(lo + length, span[i, 1])])
    pods = len(pod_node)
    node_arr = np.array(pod_node)
    serving = (kind[node_arr] == 2) & (np.arange(pods) < long_pods)
    first_serving = {}
    for p in np.flatnonzero(serving):  # one vLLM pod per g5 node
        first_serving.setdefault(node_arr[p], p)
    serving[:] = False
    serving[list(first_serving.values())] = True
    ns = [f"team-{i % 18:02d}" if not serving[i] else "llm" for i in range(pods)]
    return Cluster(n, [f"ip-10-{1 + i // 250}-{i % 250}-{i % 7}.ec2.internal" for i in range(len(kind))], kind,
                   span, node_arr, np.array(pod_span), [f"w-{i:05d}-6d4cf56db6-{i % 997:05d}" for i in range(pods)],
                   ns, serving)


def _groups(spans: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(rows, sample indices) for rows sharing the same [from, to)."""
    keys, inverse = np.unique(spans, axis=0, return_inverse=True)
    for g, (lo, hi) in enumerate(keys):
        yield np.flatnonzero(inverse.ravel() == g), np.arange(lo, hi, dtype=np.int64)


def _const_block(fam: Family, labels: list[str], idx: np.ndarray, values: np.ndarray) -> Block:
    return Block(fam, labels, idx, np.repeat(np.asarray(values, dtype=np.float64)[:, None], len(idx), axis=1))


def node_blocks(c: Cluster) -> Iterator[Block]:
    ksm = {"job": "kube-state-metrics", "instance": "10.0.0.5:8080"}
    for rows, idx in _groups(c.node_span):
        info, labels, cap = [], [], {"cpu": ([], []), "memory": ([], []), "nvidia_com_gpu": ([], [])}
        for i in rows:
            itype, capacity, vcpu, ram, gpus = KINDS[c.node_kind[i]]
            name = c.node_names[i]
            info.append(render_labels({"node": name, "provider_id": f"aws:///us-east-1a/i-{i:017x}",
                                       "kubelet_version": "v1.31.2-eks-94953ac", "internal_ip": f"10.1.0.{i % 250}"}
                                      | ksm))
            pool = {"label_eks_amazonaws_com_capacity_type": "ON_DEMAND", "label_eks_amazonaws_com_nodegroup": "main"}
            if capacity == "spot":
                pool = {"label_karpenter_sh_capacity_type": "spot", "label_karpenter_sh_nodepool": "default"}
            labels.append(render_labels({"node": name, "label_node_kubernetes_io_instance_type": itype,
                                         "label_topology_kubernetes_io_region": "us-east-1",
                                         "label_topology_kubernetes_io_zone": "us-east-1a"} | pool | ksm))
            for res, unit, value in [("cpu", "core", vcpu), ("memory", "byte", ram * GIB),
                                     ("nvidia_com_gpu", "integer", gpus)]:
                if value:
                    cap[res][0].append(render_labels({"node": name, "resource": res, "unit": unit} | ksm))
                    cap[res][1].append(value)
        yield _const_block(KSM["kube_node_info"], info, idx, np.ones(len(info)))
        yield _const_block(KSM["kube_node_labels"], labels, idx, np.ones(len(labels)))
        for lab, vals in cap.values():
            yield _const_block(KSM["kube_node_status_capacity"], lab, idx, np.array(vals))


def pod_blocks(c: Cluster, family: str, rng: np.random.Generator) -> Iterator[Block]:
    ksm = {"job": "kube-state-metrics", "instance": "10.0.0.5:8080"}
    for rows, idx in _groups(c.pod_span):
        keys = [{"namespace": c.pod_ns[p], "pod": c.pod_names[p], "uid": f"00000000-0000-4000-8000-{p:012d}"}
                for p in rows]
        ones = np.ones(len(rows))
        if family == "kube_pod_info":
            lab = [render_labels(k | {"node": c.node_names[c.pod_node[p]], "created_by_kind": "ReplicaSet",
                                      "created_by_name": k["pod"][:-6]} | ksm) for k, p in zip(keys, rows, strict=True)]
        elif family == "kube_pod_owner":
            lab = [render_labels(k | {"owner_kind": "ReplicaSet", "owner_name": k["pod"][:-6],
                                      "owner_is_controller": "true"} | ksm) for k in keys]
        elif family == "kube_pod_labels":
            lab = [render_labels(k | {"label_team": k["namespace"], "label_app": k["pod"][:7]}
                                 | ({"label_model": "llama-3-8b"} if c.pod_serving[p] else {}) | ksm)
                   for k, p in zip(keys, rows, strict=True)]
        elif family == "kube_pod_status_phase":
            lab = [render_labels(k | {"phase": "Running"} | ksm) for k in keys]
        else:
            yield from usage_blocks(c, rows, idx, keys, rng)
            continue
        yield _const_block(KSM[family], lab, idx, ones)


def usage_blocks(c: Cluster, rows: np.ndarray, idx: np.ndarray, keys: list[dict[str, str]],
                 rng: np.random.Generator) -> Iterator[Block]:
    ksm = {"job": "kube-state-metrics", "instance": "10.0.0.5:8080"}
    container = [k | {"container": "main", "node": c.node_names[c.pod_node[p]]}
                 for k, p in zip(keys, rows, strict=True)]
    cpu_req = rng.choice([0.1, 0.25, 0.5, 1.0], len(rows))
    ram_req = rng.choice([0.25, 0.5, 1.0, 2.0], len(rows)) * GIB
    yield _const_block(KSM["kube_pod_container_resource_requests"],
                       [render_labels(k | {"resource": "cpu", "unit": "core"} | ksm) for k in container], idx, cpu_req)
    yield _const_block(KSM["kube_pod_container_resource_requests"],
                       [render_labels(k | {"resource": "memory", "unit": "byte"} | ksm) for k in container],
                       idx, ram_req)
    daily = 1.0 + 0.4 * np.sin(2 * np.pi * idx * STEP_S / 86400.0)[None, :]
    cpu = (cpu_req * rng.uniform(0.3, 1.4, len(rows)))[:, None] * daily
    cad = [render_labels({k2: v for k2, v in k.items() if k2 != "uid"} | {"job": "kubelet",
                         "metrics_path": "/metrics/cadvisor", "image": "registry.example/app:1"}) for k in container]
    yield Block(KSM["container_cpu_usage_seconds"], cad, idx, counter_rows(cpu * STEP_S))
    yield Block(KSM["container_memory_working_set_bytes"], cad, idx,
                (ram_req * rng.uniform(0.4, 1.2, len(rows)))[:, None] * daily)


def gpu_and_serving_blocks(c: Cluster) -> Iterator[Block | HistBlock]:
    pods = np.flatnonzero(c.pod_serving)
    if len(pods) == 0:
        return
    idx = np.arange(c.n, dtype=np.int64)
    base = [{"namespace": c.pod_ns[p], "pod": c.pod_names[p], "container": "vllm"} for p in pods]
    dcgm = [render_labels({"gpu": "0", "UUID": f"GPU-{p:08x}-0000-0000-0000-000000000000", "device": "nvidia0",
                           "modelName": "NVIDIA A10G", "Hostname": c.node_names[c.pod_node[p]]} | b)
            for p, b in zip(pods, base, strict=True)]
    util = np.linspace(20, 90, len(pods))
    yield _const_block(Family("DCGM_FI_DEV_GPU_UTIL", "gauge", "GPU utilization (in %)."), dcgm, idx, util)
    yield _const_block(Family("DCGM_FI_DEV_FB_USED", "gauge", "Framebuffer memory used (in MiB)."), dcgm, idx,
                       np.full(len(pods), 20000.0))
    vllm = [render_labels({"engine": "0", "model_name": "meta-llama/Meta-Llama-3-8B-Instruct"} | b) for b in base]
    requests = counter_rows(np.full((len(pods), c.n), 150.0))
    for name, per in [("vllm:prompt_tokens", 15000.0), ("vllm:generation_tokens", 6000.0)]:
        yield Block(Family(name, "counter", name), vllm, idx, counter_rows(np.full((len(pods), c.n), per)))
    yield Block(Family("vllm:request_success", "counter", "requests"), vllm, idx, requests)
    for name, les, obs in [("vllm:time_to_first_token_seconds", TTFT_LES, 0.3),
                           ("vllm:e2e_request_latency_seconds", E2E_LES, 2.4)]:
        buckets = np.stack([histogram_buckets(r, les, obs) for r in requests])
        yield HistBlock(Family(name, "histogram", name), vllm, idx, les, buckets, requests * obs)


def all_blocks(c: Cluster, seed: int = 11) -> Iterator[Block | HistBlock]:
    rng = np.random.default_rng(seed)
    yield from group_by_family(node_blocks(c))
    for family in ("kube_pod_info", "kube_pod_owner", "kube_pod_labels", "kube_pod_status_phase"):
        yield from pod_blocks(c, family, rng)
    usage = list(pod_blocks(c, "usage", rng))  # requests, cpu and memory: regroup by family
    for fam in ("kube_pod_container_resource_requests", "container_cpu_usage_seconds",
                "container_memory_working_set_bytes"):
        yield from (b for b in usage if b.family.name == fam)
    yield from gpu_and_serving_blocks(c)


def generate(out: Path, scale: float, days: int = 7) -> tuple[WriteStats, float, Cluster]:
    t0 = time.perf_counter()
    cluster = make_cluster(scale, days=days)
    timestamps = START.timestamp() + np.arange(cluster.n, dtype=np.int64) * STEP_S
    stats = write_openmetrics(out, timestamps, all_blocks(cluster))
    return stats, time.perf_counter() - t0, cluster


def build(out: Path, scale: float, *, keep_openmetrics: bool = False) -> dict[str, object]:
    """Generate, backfill into out/data, and return the measurements."""
    out.mkdir(parents=True, exist_ok=True)
    om, data = out / "history.om", out / "data"
    data.mkdir(exist_ok=True)
    stats, gen_s, cluster = generate(om, scale)
    promtool_s = backfill(om, data)
    if not keep_openmetrics:
        om.unlink()
    return {"nodes": len(cluster.node_names), "pods": len(cluster.pod_names), "samples_per_series": cluster.n,
            "series": stats.series, "samples": stats.samples, "openmetrics_bytes": stats.bytes,
            "generate_s": round(gen_s, 1), "promtool_s": round(promtool_s, 1), "tsdb_bytes": dir_size(data),
            "window": [START.isoformat(), datetime.fromtimestamp(START.timestamp() + 7 * 86400, UTC).isoformat()]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the 500 nodes / 10,000 pods")
    parser.add_argument("--keep-openmetrics", action="store_true", help="keep out/history.om (~31 GB at scale 1)")
    parser.add_argument("--reuse", action="store_true", help="serve an existing out/data without regenerating")
    parser.add_argument("--serve", action="store_true", help="start Prometheus on the result and wait")
    args = parser.parse_args(argv)
    if not (args.reuse and any((args.out / "data").glob("01*"))):
        print(json.dumps(build(args.out, args.scale, keep_openmetrics=args.keep_openmetrics), indent=2), flush=True)
    if args.serve:
        server = PrometheusServer.start(args.out / "data")
        print(f"prometheus: {server.url} (Ctrl-C to stop)", flush=True)
        try:
            server.process.wait()
        except KeyboardInterrupt:
            server.stop()


if __name__ == "__main__":
    main()
