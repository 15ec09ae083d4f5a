"""Accelerators on a node: NVIDIA GPUs (whole, time-sliced, MIG mixed / single) and AWS Neuron devices."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

NVIDIA_GPU = "nvidia.com/gpu"
NVIDIA_SHARED = "nvidia.com/gpu.shared"
MIG_PREFIX = "nvidia.com/mig-"
NEURON_DEVICES = ("aws.amazon.com/neuron", "aws.amazon.com/neurondevice")
NEURON_CORE = "aws.amazon.com/neuroncore"

# instance family → (neuron cores per device, accelerator model)
NEURON_FAMILIES: dict[str, tuple[int, str]] = {
    "inf1": (4, "Inferentia"),
    "inf2": (2, "Inferentia2"),
    "trn1": (2, "Trainium"),
    "trn1n": (2, "Trainium"),
    "trn2": (8, "Trainium2"),
    "trn2u": (8, "Trainium2"),
}
# compute slices per card; the A30 splits in 4, the A100/H100/H200/B200/GB200 in 7 (the default)
MIG_SLICES_BY_MODEL = (("A30", 4), ("A100", 7), ("H100", 7), ("H200", 7), ("GB200", 7), ("B200", 7))
DEFAULT_MIG_SLICES = 7
_SLICES_RE = re.compile(r"(?:^|\.)(\d+)g\.")

Quantity = Callable[[str], float]  # capacity key → parsed value (0.0 when absent)


@dataclass(frozen=True)
class GpuInfo:
    gpu_count: float = 0.0
    gpu_model: str | None = None
    gpu_sharing: str = "none"
    gpu_replicas: int = 1
    mig_slices_per_gpu: int | None = None
    neuron_cores_per_device: int | None = None
    single_mig_profile: str | None = None  # MIG "single" strategy: what nvidia.com/gpu means on this node


def mig_slices(profile: str) -> int:
    """'3g.20gb' → 3, '1c.2g.10gb' → 2 (GPU-instance slices)."""
    match = _SLICES_RE.search(profile)
    return int(match.group(1)) if match else 1


def slices_per_gpu(product: str | None) -> int:
    upper = (product or "").upper()
    for model, slices in MIG_SLICES_BY_MODEL:
        if model in upper:
            return slices
    return DEFAULT_MIG_SLICES


def base_model(product: str | None) -> str | None:
    """Strip what the device plugin appends to the product label: '-MIG-1g.5gb', '-SHARED'."""
    if not product:
        return None
    model = product.split("-MIG-")[0]
    return model.removesuffix("-SHARED")


def gpu_info(
    labels: Mapping[str, str], capacity_keys: set[str], quantity: Quantity, instance_type: str | None
) -> GpuInfo:
    if any(k in capacity_keys for k in (*NEURON_DEVICES, NEURON_CORE)):
        return _neuron(capacity_keys, quantity, instance_type)
    mig_keys = sorted(k for k in capacity_keys if k.startswith(MIG_PREFIX) and quantity(k) > 0)
    if mig_keys:
        return _mig_mixed(labels, mig_keys, quantity)
    product = labels.get("nvidia.com/gpu.product")
    if labels.get("nvidia.com/mig.strategy") == "single" and "-MIG-" in (product or ""):
        return _mig_single(labels, quantity)
    if NVIDIA_GPU in capacity_keys or NVIDIA_SHARED in capacity_keys:
        return _nvidia(labels, capacity_keys, quantity)
    return GpuInfo()


def _count_label(labels: Mapping[str, str], key: str) -> float | None:
    text = labels.get(key)
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def _nvidia(labels: Mapping[str, str], capacity_keys: set[str], quantity: Quantity) -> GpuInfo:
    product = labels.get("nvidia.com/gpu.product")
    devices = quantity(NVIDIA_GPU) + quantity(NVIDIA_SHARED)
    replicas_label = _count_label(labels, "nvidia.com/gpu.replicas")
    physical = _count_label(labels, "nvidia.com/gpu.count")
    strategy = labels.get("nvidia.com/gpu.sharing-strategy", "")
    shared = (
        (replicas_label or 1) > 1 or strategy in ("time-slicing", "mps") or NVIDIA_SHARED in capacity_keys
    )
    if not shared:
        return GpuInfo(gpu_count=devices, gpu_model=base_model(product))
    replicas = int(replicas_label) if replicas_label else None
    if replicas is None:
        replicas = round(devices / physical) if physical else 1
    count = physical if physical is not None else devices / max(replicas, 1)
    return GpuInfo(
        gpu_count=count,
        gpu_model=base_model(product),
        gpu_sharing="time-slicing",
        gpu_replicas=max(replicas, 1),
    )


def _mig_mixed(labels: Mapping[str, str], mig_keys: list[str], quantity: Quantity) -> GpuInfo:
    product = labels.get("nvidia.com/gpu.product")
    spg = slices_per_gpu(product)
    physical = _count_label(labels, "nvidia.com/gpu.count")
    if physical is None:
        sliced = sum(mig_slices(k.removeprefix(MIG_PREFIX)) * quantity(k) for k in mig_keys)
        physical = sliced / spg + quantity(NVIDIA_GPU)
    return GpuInfo(
        gpu_count=physical, gpu_model=base_model(product), gpu_sharing="mig", mig_slices_per_gpu=spg
    )


def _mig_single(labels: Mapping[str, str], quantity: Quantity) -> GpuInfo:
    # GFD overrides nvidia.com/gpu.count with the number of MIG devices under the single strategy,
    # so the physical count comes from the device count × slices per device ÷ slices per card.
    product = labels["nvidia.com/gpu.product"]
    profile = product.split("-MIG-", 1)[1]
    spg = slices_per_gpu(product)
    devices = quantity(NVIDIA_GPU) or (_count_label(labels, "nvidia.com/gpu.count") or 0.0)
    return GpuInfo(
        gpu_count=devices * mig_slices(profile) / spg,
        gpu_model=base_model(product),
        gpu_sharing="mig",
        mig_slices_per_gpu=spg,
        single_mig_profile=profile,
    )


def _neuron(capacity_keys: set[str], quantity: Quantity, instance_type: str | None) -> GpuInfo:
    family = (instance_type or "").split(".")[0]
    cores_per_device, model = NEURON_FAMILIES.get(family, (None, None))
    devices = max(quantity(k) for k in NEURON_DEVICES)
    cores = quantity(NEURON_CORE)
    if cores_per_device is None and devices and cores:
        cores_per_device = round(cores / devices)
    if not devices and cores and cores_per_device:
        devices = cores / cores_per_device
    return GpuInfo(gpu_count=devices, gpu_model=model, neuron_cores_per_device=cores_per_device)
