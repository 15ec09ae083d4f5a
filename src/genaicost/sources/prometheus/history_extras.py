"""GPU (DCGM / Neuron, `gpu.py`) and serving-engine (`serving.py`) measurements joined into the history snapshot."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from genaicost.domain.snapshot import conform
from genaicost.domain.window import Window
from genaicost.sources.prometheus.client import PrometheusClient

CONTAINER_GPU_COLUMNS = ("gpu_utilization", "gpu_memory_used_bytes")
CONTAINER_KEYS = ["namespace", "pod", "container"]


@dataclass(frozen=True)
class Measurements:
    container_gpu: pl.DataFrame   # namespace, pod, container, gpu_utilization, gpu_memory_used_bytes
    node_gpu: pl.DataFrame        # node, gpu_utilization
    model_usage: pl.DataFrame     # MODEL_USAGE_SCHEMA
    model_latency: pl.DataFrame   # MODEL_LATENCY_SCHEMA
    warnings: tuple[str, ...]


def gpu_and_serving_measurements(client: PrometheusClient, window: Window, step_s: float) -> Measurements:
    """P4a's `gpu_usage` and `model_usage` over the window; their warnings are passed on."""
    from genaicost.sources.prometheus.gpu import gpu_usage
    from genaicost.sources.prometheus.serving import model_usage

    container_gpu, node_gpu, gpu_warnings = gpu_usage(client, window, step_s=step_s)
    usage, latency, serving_warnings = model_usage(client, window, step_s=step_s)
    return Measurements(container_gpu, node_gpu, conform("model_usage", usage), conform("model_latency", latency),
                        (*gpu_warnings, *serving_warnings))


def with_container_gpu(containers: pl.DataFrame, gpu: pl.DataFrame) -> pl.DataFrame:
    """Fill the containers' `gpu_utilization` / `gpu_memory_used_bytes` from the DCGM frame (by name)."""
    if gpu.is_empty() or containers.is_empty():
        return containers
    measured = gpu.select(*CONTAINER_KEYS, *(pl.col(c).cast(pl.Float64).alias(f"_{c}") for c in CONTAINER_GPU_COLUMNS))
    joined = containers.join(measured.unique(CONTAINER_KEYS, keep="last"), on=CONTAINER_KEYS, how="left")
    return conform("containers", joined.with_columns(
        pl.coalesce(f"_{c}", c).alias(c) for c in CONTAINER_GPU_COLUMNS))


def with_node_gpu(nodes: pl.DataFrame, gpu: pl.DataFrame) -> pl.DataFrame:
    if gpu.is_empty() or nodes.is_empty():
        return nodes
    measured = gpu.select(pl.col("node").alias("name"), pl.col("gpu_utilization").cast(pl.Float64).alias("_util"))
    joined = nodes.join(measured.unique("name", keep="last"), on="name", how="left")
    return conform("nodes", joined.with_columns(pl.coalesce("_util", "gpu_utilization").alias("gpu_utilization")))



