"""Synthetic GenAI EKS cluster for benchmarks: a Snapshot built column-wise with NumPy and Polars.

`synthetic_snapshot(nodes, pods, seed=..., now=...)` returns a realistic mix: real EC2 instance types
of the bundled catalog (m6i/c6i/r6i, g5/g6/g6e/p4d/p5 GPUs, inf2) plus one fictional type the catalog
cannot price; ~70 % on-demand / 30 % spot; Karpenter and managed node groups; whole, time-sliced
(4 replicas) and MIG (mixed profiles) GPUs; DaemonSets, inference Deployments, general workloads and
Jobs; 1–3 containers per pod; requests and usages (some without metrics); labels; EBS PVs with mounts;
a few LoadBalancer services. GPU requests never exceed a node's devices (× replicas, or MIG slices).

CLI: `python -m bench.generate --nodes 2000 --pods 60000 --out FILE.json`.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl

from genaicost.domain.snapshot import ClusterInfo, Snapshot, conform, empty_table
from genaicost.domain.window import Window

MIB = 1024.0**2
GIB = 1024.0**3
REGION = "us-east-1"
ZONES = np.array(["us-east-1a", "us-east-1b", "us-east-1c"])
UNKNOWN_INSTANCE_TYPE = "c9x.4xlarge"   # fictional: exercises the unpriced path

# instance_type, vcpu, memory GiB, accelerator devices, gpu_model (node label), share of nodes.
# Specs as in EC2 DescribeInstanceTypes.
INSTANCE_TYPES: list[tuple[str, float, float, float, str | None, float]] = [
    ("m6i.large", 2, 8, 0, None, 0.06), ("m6i.xlarge", 4, 16, 0, None, 0.10),
    ("m6i.2xlarge", 8, 32, 0, None, 0.14), ("m6i.4xlarge", 16, 64, 0, None, 0.12),
    ("m6i.8xlarge", 32, 128, 0, None, 0.05), ("c6i.xlarge", 4, 8, 0, None, 0.06),
    ("c6i.2xlarge", 8, 16, 0, None, 0.07), ("c6i.4xlarge", 16, 32, 0, None, 0.06),
    ("r6i.xlarge", 4, 32, 0, None, 0.04), ("r6i.2xlarge", 8, 64, 0, None, 0.05),
    ("r6i.4xlarge", 16, 128, 0, None, 0.04),
    ("g5.xlarge", 4, 16, 1, "NVIDIA-A10G", 0.04), ("g5.2xlarge", 8, 32, 1, "NVIDIA-A10G", 0.02),
    ("g5.12xlarge", 48, 192, 4, "NVIDIA-A10G", 0.02), ("g5.48xlarge", 192, 768, 8, "NVIDIA-A10G", 0.005),
    ("g6.xlarge", 4, 16, 1, "NVIDIA-L4", 0.03), ("g6.12xlarge", 48, 192, 4, "NVIDIA-L4", 0.01),
    ("g6e.xlarge", 4, 32, 1, "NVIDIA-L40S", 0.015), ("g6e.12xlarge", 48, 384, 4, "NVIDIA-L40S", 0.01),
    ("p4d.24xlarge", 96, 1152, 8, "NVIDIA-A100-SXM4-40GB", 0.01),
    ("p5.48xlarge", 192, 2048, 8, "NVIDIA-H100-80GB-HBM3", 0.006),
    ("inf2.xlarge", 4, 16, 1, "Inferentia2", 0.01), ("inf2.48xlarge", 192, 768, 12, "Inferentia2", 0.002),
    (UNKNOWN_INSTANCE_TYPE, 16, 32, 0, None, 0.004),
]
# The first nodes are these types, so that small clusters show every case too.
SHOWCASE = ("p4d.24xlarge", "p5.48xlarge", "g5.xlarge", "g5.12xlarge", "inf2.xlarge", UNKNOWN_INSTANCE_TYPE)
MIG_MODELS = ("NVIDIA-A100-SXM4-40GB", "NVIDIA-H100-80GB-HBM3")
MIG_MEMORY_GB = {MIG_MODELS[0]: (0, 5, 10, 20, 20, 0, 0, 40), MIG_MODELS[1]: (0, 10, 20, 40, 40, 0, 0, 80)}
MIG_LAYOUTS = ((7,), (4, 3), (3, 3), (2, 2, 2, 1), (1,) * 7)   # compute slices per profile, per card
# DaemonSets: namespace, name, cpu cores, memory MiB, which nodes ("all", "nvidia", "neuron").
DAEMONSETS = (("kube-system", "aws-node", 0.025, 0, "all"), ("kube-system", "kube-proxy", 0.1, 0, "all"),
              ("kube-system", "ebs-csi-node", 0.03, 120, "all"),
              ("monitoring", "node-exporter", 0.1, 180, "all"),
              ("gpu-operator", "nvidia-dcgm-exporter", 0.1, 512, "nvidia"),
              ("kube-system", "neuron-device-plugin", 0.1, 256, "neuron"))
# Inference deployments: namespace, team, model, serving engine.
INFERENCE = (("llm-serving", "ml-platform", "llama-3.1-8b-instruct", "vllm"),
             ("llm-serving", "ml-platform", "llama-3.1-70b-instruct", "vllm"),
             ("chat-prod", "chat", "llama-3.3-70b-instruct", "vllm"),
             ("chat-prod", "chat", "mistral-7b-instruct", "tgi"),
             ("search", "search", "qwen2.5-32b-instruct", "sglang"),
             ("rag", "rag", "mixtral-8x7b-instruct", "vllm"),
             ("embeddings", "search", "bge-large-en-v1.5", "triton"),
             ("agents", "agents", "deepseek-r1-distill-qwen-32b", "vllm"),
             ("evals", "research", "llama-3.1-8b-instruct", "nim"))
NAMESPACES = (("chat-prod", "chat"), ("chat-staging", "chat"), ("search", "search"), ("rag", "rag"),
              ("embeddings", "search"), ("agents", "agents"), ("api-gateway", "platform"),
              ("billing", "payments"), ("web", "frontend"), ("ml-platform", "ml-platform"),
              ("data-pipelines", "data"), ("feature-store", "data"), ("notebooks", "research"),
              ("evals", "research"), ("observability", "platform"), ("auth", "platform"),
              ("kafka", "data"), ("vector-db", "search"))
WORKLOADS = np.array(["api", "web", "worker", "retriever", "reranker", "tokenizer", "gateway", "redis",
                      "postgres", "ingest", "scheduler", "cache", "indexer", "frontend", "queue"])
CONTAINER_NAMES = np.array(["app", "istio-proxy", "fluent-bit"])
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def _strings(codes: np.ndarray) -> pl.Series:
    """(n, width) uint8 ASCII codes -> a String Series."""
    width = codes.shape[1]
    return pl.Series(np.ascontiguousarray(codes, dtype=np.uint8).view(f"S{width}").ravel()).cast(pl.String)


def _hex(values: np.ndarray, width: int) -> pl.Series:
    shifts = 4 * np.arange(width - 1, -1, -1, dtype=np.uint64)
    return _strings(_HEX[(values.astype(np.uint64)[:, None] >> shifts) & np.uint64(15)])


def _uuids(rng: np.random.Generator, n: int) -> pl.Series:
    digits = _HEX[rng.integers(0, 16, size=(n, 32))]
    digits[:, 12] = ord("4")
    digits[:, 16] = _HEX[8 + rng.integers(0, 4, n)]
    dash = np.full((n, 1), ord("-"), dtype=np.uint8)
    parts = (digits[:, :8], dash, digits[:, 8:12], dash, digits[:, 12:16], dash, digits[:, 16:20], dash,
             digits[:, 20:])
    return _strings(np.hstack(parts))


def _pick(rng: np.random.Generator, n: int, weights: list[float]) -> np.ndarray:
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(p), size=n, p=p / p.sum())


def _nodes(rng: np.random.Generator, n: int, hours: float) -> pl.DataFrame:
    names = [t[0] for t in INSTANCE_TYPES]
    kind = _pick(rng, n, [t[5] for t in INSTANCE_TYPES])
    showcase = [names.index(t) for t in SHOWCASE][: n // 2]
    kind[: len(showcase)] = showcase
    vcpu, ram, devices = (np.array([t[i] for t in INSTANCE_TYPES], dtype=float)[kind] for i in (1, 2, 3))
    model = np.array([t[4] or "" for t in INSTANCE_TYPES], dtype=object)[kind]
    itype = np.array(names, dtype=object)[kind]
    mig_capable = np.isin(model, MIG_MODELS)
    nvidia = np.char.startswith(model.astype(str), "NVIDIA")
    u = rng.random(n)
    mig = mig_capable & (u < 0.5)
    ts = nvidia & (devices == 1) & (u < 0.35)
    mig[: len(showcase)] = mig_capable[: len(showcase)]
    ts[: len(showcase)] = (itype[: len(showcase)] == "g5.xlarge")
    sharing = np.where(mig, "mig", np.where(ts, "time-slicing", "none"))
    big = np.isin(itype, ["p4d.24xlarge", "p5.48xlarge"])
    spot = (rng.random(n) < np.where(big, 0.1, 0.3)) & (itype != UNKNOWN_INSTANCE_TYPE)
    karpenter = rng.random(n) < 0.6
    gpu = devices > 0
    ip = rng.choice(1 << 20, size=n, replace=False)
    zone = ZONES[rng.integers(0, 3, n)]
    df = pl.DataFrame({
        "ip": ip, "zone": zone, "iid": _hex(rng.integers(0, 1 << 62, n), 16),
        "instance_type": itype.astype(str), "capacity_type": np.where(spot, "spot", "on-demand"),
        "nodepool": np.where(karpenter, np.where(gpu, "gpu", "default"),
                             np.where(gpu, "ng-gpu", "ng-general")),
        "managed_by": np.where(karpenter, "karpenter", "eks-nodegroup"),
        "kubelet_version": np.where(rng.random(n) < 0.8, "v1.31.4-eks-aeac579", "v1.30.8-eks-2d5f260"),
        "vcpu": vcpu, "ram_gib": ram, "gpu_count": devices,
        "gpu_model": pl.Series(model.astype(str)).replace("", None), "gpu_sharing": sharing,
        "gpu_replicas": np.where(ts, 4, 1), "mig_slices_per_gpu": np.where(mig, 7, 0),
        "neuron_cores_per_device": np.where(model == "Inferentia2", 2, 0),
    })
    return df.with_columns(
        name=pl.format("ip-10-{}-{}-{}.ec2.internal", 64 + pl.col("ip") // 65536, pl.col("ip") // 256 % 256,
                       pl.col("ip") % 256),
        provider_id=pl.format("aws:///{}/i-0{}", "zone", "iid"),
        region=pl.lit(REGION), compute_type=pl.lit("ec2"), arch=pl.lit("amd64"), hours=pl.lit(hours),
        mig_slices_per_gpu=pl.when(pl.col("mig_slices_per_gpu") > 0).then("mig_slices_per_gpu"),
        neuron_cores_per_device=pl.when(pl.col("neuron_cores_per_device") > 0)
        .then("neuron_cores_per_device"),
    )


def _whole_gpu_slots(rng: np.random.Generator, nodes: pl.DataFrame) -> pl.DataFrame:
    """Pods on whole-device and time-sliced nodes: requests of 1/2/4/8 devices (replicas) filling a node."""
    sel = np.flatnonzero((nodes["gpu_count"].to_numpy() > 0) & (nodes["gpu_sharing"] != "mig").to_numpy())
    devices = nodes["gpu_count"].to_numpy()[sel]
    replicas = nodes["gpu_replicas"].to_numpy()[sel]
    units = devices * replicas
    width = int(units.max()) if len(sel) else 0
    max_exp = np.where(replicas > 1, 1, np.floor(np.log2(np.maximum(devices, 1))))
    size = 2.0 ** np.floor(rng.random((len(sel), width)) * (max_exp + 1)[:, None])
    target = np.where(rng.random(len(sel)) < 0.4, units, np.floor(units * rng.uniform(0.3, 1.0, len(sel))))
    keep = size.cumsum(axis=1) <= target[:, None]
    row, _ = np.nonzero(keep)
    neuron = (nodes["neuron_cores_per_device"].to_numpy()[sel][row] > 0) & (rng.random(len(row)) < 0.3)
    req = size[keep]
    return pl.DataFrame({
        "node_idx": sel[row], "gpu_request": np.where(neuron, 0.0, req),
        "neuroncore_request": np.where(neuron, req * 2, 0.0), "mig_profile": pl.Series([None] * len(row),
                                                                                       dtype=pl.String),
        "mig_count": np.zeros(len(row)), "share": req / units[row],
    })


def _mig_slots(rng: np.random.Generator, nodes: pl.DataFrame) -> pl.DataFrame:
    """Pods on MIG nodes: each card cut by a random layout (mixed strategy), ~80 % of slices in use."""
    sel = np.flatnonzero((nodes["gpu_sharing"] == "mig").to_numpy())
    devices = nodes["gpu_count"].to_numpy()[sel].astype(int)
    card_node = np.repeat(sel, devices)
    flat = np.concatenate([np.array(lay) for lay in MIG_LAYOUTS])
    lengths = np.array([len(lay) for lay in MIG_LAYOUTS])
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    layout = rng.integers(0, len(MIG_LAYOUTS), len(card_node))
    n_slots = lengths[layout]
    first = np.repeat(np.cumsum(n_slots) - n_slots, n_slots)
    slices = flat[np.repeat(starts[layout], n_slots) + np.arange(n_slots.sum()) - first]
    slot_node = np.repeat(card_node, n_slots)
    used = rng.random(len(slot_node)) < 0.8
    slot_node, slices = slot_node[used], slices[used]
    is_h100 = (nodes["gpu_model"].to_numpy()[slot_node] == MIG_MODELS[1]).astype(int)
    mem = np.array([MIG_MEMORY_GB[m] for m in MIG_MODELS])[is_h100, slices]
    share = slices / (7.0 * nodes["gpu_count"].to_numpy()[slot_node])
    return pl.DataFrame({"node_idx": slot_node, "slices": slices, "mem": mem, "share": share}).select(
        "node_idx", gpu_request=pl.lit(0.0), neuroncore_request=pl.lit(0.0),
        mig_profile=pl.format("{}g.{}gb", "slices", "mem"), mig_count=pl.lit(1.0), share="share",
    )


def _gpu_pods(rng: np.random.Generator, nodes: pl.DataFrame, budget: int) -> pl.DataFrame:
    slots = pl.concat([_whole_gpu_slots(rng, nodes), _mig_slots(rng, nodes)])
    if slots.height > budget:
        slots = slots[np.sort(rng.choice(slots.height, budget, replace=False))]
    n = slots.height
    deploy = rng.integers(0, len(INFERENCE), n)
    ns, team, model, engine = (np.array([d[i] for d in INFERENCE])[deploy] for i in range(4))
    share = slots["share"].to_numpy()
    vcpu = nodes["vcpu"].to_numpy()[slots["node_idx"].to_numpy()]
    ram = nodes["ram_gib"].to_numpy()[slots["node_idx"].to_numpy()]
    return slots.with_columns(
        namespace=ns, team=team, model=model, controller=pl.format("{}-{}", pl.lit(pl.Series(engine)),
                                                                   pl.lit(pl.Series(model))),
        controller_kind=pl.lit("Deployment"), containers=1 + (rng.random(n) < 0.3).astype(np.int64),
        cpu=np.maximum(share * vcpu * rng.uniform(0.3, 0.7, n), 1.0),
        ram=np.maximum(share * ram * rng.uniform(0.3, 0.7, n), 4.0) * GIB,
    ).drop("share")


def _daemon_pods(nodes: pl.DataFrame) -> pl.DataFrame:
    model = nodes["gpu_model"].fill_null("")
    frames = []
    for ns, name, cpu, mem, where in DAEMONSETS:
        mask = {"all": pl.lit(True), "nvidia": model.str.starts_with("NVIDIA"),
                "neuron": model == "Inferentia2"}[where]
        idx = nodes.with_row_index("i").filter(mask)["i"].cast(pl.Int64)
        frames.append(pl.DataFrame({"node_idx": idx}).with_columns(
            namespace=pl.lit(ns), controller=pl.lit(name), cpu=pl.lit(cpu), ram=pl.lit(max(mem, 64) * MIB)))
    return pl.concat(frames).with_columns(controller_kind=pl.lit("DaemonSet"), containers=pl.lit(1),
                                          team=pl.lit("platform"))


def _general_pods(rng: np.random.Generator, nodes: pl.DataFrame, n: int) -> pl.DataFrame:
    n_ctrl = max(1, n // 25)
    ctrl_ns = rng.integers(0, len(NAMESPACES), n_ctrl)
    ctrl_kind = np.where(rng.random(n_ctrl) < 0.08, "StatefulSet", "Deployment")
    ctrl_weight = rng.lognormal(0.0, 1.0, n_ctrl)
    ctrl = rng.choice(n_ctrl, n, p=ctrl_weight / ctrl_weight.sum())
    job = rng.random(n) < 0.03
    cpu_nodes = np.flatnonzero(nodes["gpu_count"].to_numpy() == 0)
    if len(cpu_nodes) == 0:
        cpu_nodes = np.arange(nodes.height)
    weight = nodes["vcpu"].to_numpy()[cpu_nodes]
    node_idx = cpu_nodes[rng.choice(len(cpu_nodes), n, p=weight / weight.sum())]
    budget = 0.55 * weight.sum() / max(n, 1)
    return pl.DataFrame({
        "node_idx": node_idx, "namespace": np.array([x[0] for x in NAMESPACES])[ctrl_ns[ctrl]],
        "team": np.array([x[1] for x in NAMESPACES])[ctrl_ns[ctrl]],
        "workload": WORKLOADS[ctrl % len(WORKLOADS)], "ctrl": ctrl,
        "controller_kind": np.where(job, "Job", ctrl_kind[ctrl]),
        "containers": 1 + _pick(rng, n, [0.6, 0.3, 0.1]),
        "cpu": budget * rng.lognormal(-0.3, 0.8, n), "ram": budget * 4 * GIB * rng.lognormal(-0.3, 0.8, n),
    }).with_columns(
        controller=pl.when(pl.col("controller_kind") == "Job")
        .then(pl.format("{}-batch-{}", "workload", "ctrl")).otherwise(pl.format("{}-{}", "workload", "ctrl")),
        model=pl.when(pl.col("workload").is_in(["retriever", "reranker"])).then(pl.lit("bge-reranker-v2-m3")),
    ).drop("workload", "ctrl")


def _phases(rng: np.random.Generator, pods: pl.DataFrame) -> pl.DataFrame:
    n = pods.height
    u = rng.random(n)
    job = (pods["controller_kind"] == "Job").to_numpy()
    daemon = (pods["controller_kind"] == "DaemonSet").to_numpy()
    phase = np.where(job, np.where(u < 0.85, "Succeeded", np.where(u < 0.9, "Failed", "Running")),
                     np.where(~daemon & (u < 0.02), "Pending", "Running"))
    pending = phase == "Pending"
    no_metrics = pending | (phase != "Running") | (rng.random(n) < 0.08)
    return pods.with_columns(
        phase=phase, started=~pending, no_metrics=no_metrics,
        node_idx=pl.when(pl.Series(pending & (rng.random(n) < 0.5))).then(None).otherwise("node_idx"),
    )


def _fit_requests(pods: pl.DataFrame, nodes: pl.DataFrame) -> pl.DataFrame:
    """Scale CPU / memory requests down on nodes where they would exceed 92 % of capacity."""
    cap = nodes.select(node_idx=pl.int_range(pl.len(), dtype=pl.Int64), vcpu="vcpu",
                       ram=pl.col("ram_gib") * GIB)
    sums = pods.group_by("node_idx").agg(cpu_sum=pl.col("cpu").sum(), ram_sum=pl.col("ram").sum())
    f = sums.join(cap, on="node_idx").select(
        "node_idx", fc=pl.min_horizontal(1.0, 0.92 * pl.col("vcpu") / pl.col("cpu_sum")),
        fr=pl.min_horizontal(1.0, 0.92 * pl.col("ram") / pl.col("ram_sum")))
    return pods.join(f, on="node_idx", how="left").with_columns(
        cpu=(pl.col("cpu") * pl.col("fc").fill_null(1.0) * 1000).floor() / 1000,
        ram=(pl.col("ram") * pl.col("fr").fill_null(1.0) / MIB).floor() * MIB,
    ).drop("fc", "fr")


def _pods(rng: np.random.Generator, nodes: pl.DataFrame, n: int) -> pl.DataFrame:
    """One row per pod: node_idx, namespace, team, model, controller(_kind), containers, cpu, ram, phase."""
    gpu = _gpu_pods(rng, nodes, budget=n // 10)
    daemons = _daemon_pods(nodes)
    d_budget = int(0.3 * (n - gpu.height))
    if daemons.height > d_budget:
        daemons = daemons[np.sort(rng.choice(daemons.height, d_budget, replace=False))]
    general = _general_pods(rng, nodes, n - gpu.height - daemons.height)
    best_effort = pl.Series(rng.random(general.height) < 0.02)
    general = general.with_columns(cpu=pl.when(best_effort).then(0.0).otherwise("cpu"),
                                   ram=pl.when(best_effort).then(0.0).otherwise("ram"))
    cols = ["node_idx", "namespace", "team", "model", "controller", "controller_kind", "containers", "cpu",
            "ram", "gpu_request", "neuroncore_request", "mig_profile", "mig_count"]
    pods = pl.concat([f.select([pl.col(c) if c in f.columns else pl.lit(None).alias(c) for c in cols])
                      .cast({"node_idx": pl.Int64, "containers": pl.Int64, "model": pl.String,
                             "gpu_request": pl.Float64, "neuroncore_request": pl.Float64,
                             "mig_profile": pl.String, "mig_count": pl.Float64})
                      for f in (daemons, gpu, general)])
    pods = _fit_requests(_phases(rng, pods), nodes).with_columns(
        pl.col("gpu_request", "neuroncore_request", "mig_count").fill_null(0.0))
    return pods.with_columns(pod_uid=_uuids(rng, n), pod=_pod_names(pods))


def _pod_names(pods: pl.DataFrame) -> pl.Series:
    n = pods.height
    # a bijection of the row number on 20 bits: unique, random-looking 5-hex-digit suffixes
    mixed = np.arange(n, dtype=np.uint64) * np.uint64(0x9E3B5) + np.uint64(0x1F2E3)
    suffix = _hex(mixed % np.uint64(1 << 20), 5)
    rs = _hex(pods["controller"].hash(seed=7).to_numpy() >> np.uint64(24), 10)
    ordinal = pl.int_range(pl.len()).over("namespace", "controller")
    kind = pl.col("controller_kind")
    return pods.select(
        pl.when(kind == "StatefulSet").then(pl.format("{}-{}", "controller", ordinal))
        .when(kind == "Deployment").then(pl.format("{}-{}-{}", "controller", pl.lit(rs), pl.lit(suffix)))
        .otherwise(pl.format("{}-{}", "controller", pl.lit(suffix)))
    ).to_series()


def _containers(rng: np.random.Generator, pods: pl.DataFrame, nodes: pl.DataFrame,
                hours: float) -> pl.DataFrame:
    k = pods["containers"].to_numpy()
    row = np.repeat(np.arange(pods.height), k)
    pos = np.arange(len(row)) - np.repeat(np.cumsum(k) - k, k)
    weight = np.where(pos == 0, 1.0 - 0.1 * (k[row] - 1), 0.1)
    c = pods[row]
    cpu = np.floor(c["cpu"].to_numpy() * weight * 1000) / 1000
    ram = np.floor(c["ram"].to_numpy() * weight / MIB) * MIB
    n = len(row)
    cpu_use = np.where(cpu > 0, cpu * rng.gamma(2.0, 0.35, n), rng.uniform(0.005, 0.1, n))
    ram_use = np.where(ram > 0, ram * rng.uniform(0.2, 1.1, n), rng.uniform(50, 500, n) * MIB)
    no_metrics = pl.col("no_metrics")
    main = pl.lit(pl.Series(pos == 0))
    return c.with_columns(
        container=CONTAINER_NAMES[pos], cpu_request_cores=cpu, ram_request_bytes=ram,
        cpu_usage_cores=pl.when(no_metrics).then(None).otherwise(pl.lit(pl.Series(np.round(cpu_use, 4)))),
        ram_usage_bytes=pl.when(no_metrics).then(None).otherwise(pl.lit(pl.Series(np.floor(ram_use)))),
        gpu_request=pl.when(main).then("gpu_request").otherwise(0.0),
        neuroncore_request=pl.when(main).then("neuroncore_request").otherwise(0.0),
        mig_profile=pl.when(main).then("mig_profile"),
        mig_count=pl.when(main).then("mig_count").otherwise(0.0),
        node=nodes["name"].gather(c["node_idx"]), hours=pl.lit(hours),
    )


def _labels(pods: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    team = pods.filter(pl.Series(rng.random(pods.height) >= 0.05) | (pl.col("team") == "platform"))
    return pl.concat([
        pods.select("pod_uid", key=pl.lit("app"), value="controller"),
        team.select("pod_uid", key=pl.lit("team"), value="team"),
        pods.filter(pl.col("model").is_not_null()).select("pod_uid", key=pl.lit("model"), value="model"),
    ])


def _volumes(rng: np.random.Generator, pods: pl.DataFrame, hours: float) -> tuple[pl.DataFrame, pl.DataFrame]:
    stateful = pods.filter(pl.col("controller_kind") == "StatefulSet").select(
        "pod_uid", "namespace", claim=pl.format("data-{}", "pod"))
    gpu = pods.filter(pl.col("model").is_not_null() & (pl.col("controller_kind") == "Deployment"))
    cache = gpu.filter(pl.Series(rng.random(gpu.height) < 0.3)).select(
        "pod_uid", "namespace", claim=pl.format("{}-model-cache", "pod"))
    n_s, n_c = stateful.height, cache.height
    vtype = np.concatenate([np.array(["gp3", "gp2", "io2"])[_pick(rng, n_s, [0.65, 0.2, 0.15])],
                            np.full(n_c, "gp3")])
    bound = pl.concat([stateful, cache])
    n_free = max(1, bound.height // 30)
    n = bound.height + n_free
    vtype = np.concatenate([vtype, np.array(["gp3", "gp2"])[rng.integers(0, 2, n_free)]])
    size = np.where(vtype == "io2", rng.choice([100, 200, 500, 1000], n),
                    rng.choice([10, 20, 50, 100, 200, 500], n))
    size[n_s:n_s + n_c] = rng.choice([200, 500, 1000], n_c)
    gp3_extra = (vtype == "gp3") & (rng.random(n) < 0.2)
    iops = np.where(vtype == "io2", rng.choice([3000, 6000, 10000, 16000], n),
                    np.where(gp3_extra, rng.choice([6000, 10000], n), np.nan))
    tput = np.where(gp3_extra, rng.choice([250, 500], n), np.nan)
    claims = bound.select("namespace", "claim").vstack(
        pl.DataFrame({"namespace": [None] * n_free, "claim": [None] * n_free}, schema={"namespace": pl.String,
                                                                                       "claim": pl.String}))
    volumes = pl.DataFrame({
        "uuid": _uuids(rng, n), "storage_class": vtype, "volume_type": vtype,
        "capacity_gib": size.astype(float), "iops": iops, "throughput_mibps": tput,
    }).with_columns(
        name=pl.format("pvc-{}", "uuid"), region=pl.lit(REGION), hours=pl.lit(hours),
        iops=pl.col("iops").fill_nan(None), throughput_mibps=pl.col("throughput_mibps").fill_nan(None),
        claim_namespace=claims["namespace"], claim_name=claims["claim"])
    mounts = bound.select("pod_uid", claim_namespace="namespace", claim_name="claim")
    return conform("volumes", volumes), conform("mounts", mounts)


def _services(rng: np.random.Generator, pods: pl.DataFrame,
              hours: float) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A LoadBalancer per inference deployment and per api-gateway deployment, selecting its running pods."""
    exposed = (pods.filter((pl.col("model").is_not_null() | (pl.col("namespace") == "api-gateway"))
                           & (pl.col("controller_kind") == "Deployment"))
               .select("namespace", "controller").unique(maintain_order=True).head(40))
    services = exposed.select(
        "namespace", name="controller",
        lb_kind=pl.Series(np.where(rng.random(exposed.height) < 0.8, "nlb", "clb")),
        region=pl.lit(REGION), hours=pl.lit(hours))
    selected = pods.filter(pl.col("phase") == "Running").join(
        exposed, on=["namespace", "controller"]).select("namespace", service="controller", pod_uid="pod_uid")
    return conform("services", services), conform("service_pods", selected)


def synthetic_snapshot(nodes: int, pods: int, *, seed: int, now: datetime,
                       window_hours: float = 1.0) -> Snapshot:
    """A synthetic GenAI EKS cluster of `nodes` nodes and exactly `pods` pods; deterministic for a seed."""
    if nodes < 1 or pods < 1:
        raise ValueError("a synthetic cluster needs at least one node and one pod")
    rng = np.random.default_rng(seed)
    node_df = _nodes(rng, nodes, window_hours)
    pod_df = _pods(rng, node_df, pods)
    containers = _containers(rng, pod_df, node_df, window_hours)
    volumes, mounts = _volumes(rng, pod_df, window_hours)
    services, service_pods = _services(rng, pod_df, window_hours)
    return Snapshot(
        cluster=ClusterInfo(name=f"synthetic-{nodes}n-{pods}p", region=REGION, source="synthetic"),
        window=Window.ending_at(now, window_hours), collected_at=now,
        nodes=conform("nodes", node_df), containers=conform("containers", containers),
        pod_labels=conform("pod_labels", _labels(pod_df, rng)),
        pod_annotations=empty_table("pod_annotations"),
        volumes=volumes, mounts=mounts, services=services, service_pods=service_pods,
        notes=(f"synthetic cluster (bench.generate): seed={seed}, nodes={nodes}, pods={pods}",),
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=2000)
    parser.add_argument("--pods", type=int, default=60000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--now", default="2026-01-15T12:00:00+00:00", help="window end, ISO 8601 with offset")
    parser.add_argument("--window-hours", type=float, default=1.0)
    parser.add_argument("--out", type=Path, required=True, help="snapshot file to write (JSON)")
    args = parser.parse_args(argv)
    from genaicost.sources.snapshot_file import save_snapshot

    now = datetime.fromisoformat(args.now).astimezone(UTC)
    snap = synthetic_snapshot(args.nodes, args.pods, seed=args.seed, now=now, window_hours=args.window_hours)
    save_snapshot(snap, args.out)
    print(f"wrote {args.out}: {snap.nodes.height} nodes, {snap.containers['pod_uid'].n_unique()} pods, "
          f"{snap.containers.height} containers, {snap.volumes.height} volumes, "
          f"{snap.services.height} services")


if __name__ == "__main__":
    main()
