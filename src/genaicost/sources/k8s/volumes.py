"""PersistentVolumes (with their StorageClasses and claims) → `volumes` rows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from genaicost.sources.k8s.common import (
    GIB,
    Context,
    Obj,
    TableBuilder,
    name_of,
    namespace_of,
    region_from_zone,
)

EBS_CSI, EBS_IN_TREE, EFS_CSI = "ebs.csi.aws.com", "kubernetes.io/aws-ebs", "efs.csi.aws.com"
EBS_TYPES = {"gp2", "gp3", "io1", "io2", "st1", "sc1", "standard"}
DEFAULT_TYPE = {EBS_CSI: "gp3", EBS_IN_TREE: "gp2", EFS_CSI: "efs"}
IOPS_PER_GB_TYPES = {"io1", "io2", "gp3"}
ZONE_KEYS = (
    "topology.kubernetes.io/zone",
    "topology.ebs.csi.aws.com/zone",
    "failure-domain.beta.kubernetes.io/zone",
)
REGION_KEYS = ("topology.kubernetes.io/region", "failure-domain.beta.kubernetes.io/region")


def _driver_and_params(pv: Obj, storage_class: Obj | None) -> tuple[str | None, Mapping[str, Any], str]:
    """(provisioner, parameters, where they came from): the StorageClass when known, else the PV's source."""
    spec = pv.get("spec") or {}
    csi = spec.get("csi") or {}
    if storage_class is not None:
        params = {**(csi.get("volumeAttributes") or {}), **(storage_class.get("parameters") or {})}
        return storage_class.get("provisioner"), params, f"StorageClass {name_of(storage_class)} parameters"
    if csi:
        return csi.get("driver"), csi.get("volumeAttributes") or {}, "spec.csi.volumeAttributes"
    if spec.get("awsElasticBlockStore"):
        return EBS_IN_TREE, {}, "spec.awsElasticBlockStore"
    return None, {}, "spec"


def volume_type(pv: Obj, driver: str | None, params: Mapping[str, Any], ctx: Context) -> str:
    if driver == EFS_CSI:
        return "efs"
    if driver not in (EBS_CSI, EBS_IN_TREE):
        return "unknown"
    declared = params.get("type")
    kind = str(declared).lower() if declared else DEFAULT_TYPE[driver]
    if kind not in EBS_TYPES:
        ctx.warnings.append(
            f"PersistentVolume {name_of(pv)}: EBS type {declared!r} is not one of "
            f"{sorted(EBS_TYPES)}; volume type set to unknown"
        )
        return "unknown"
    return kind


def _number(pv: Obj, params: Mapping[str, Any], where: str, key: str, ctx: Context) -> float | None:
    return ctx.quantity(pv, params[key], f"{where}.{key}") if params.get(key) else None


def pv_region(pv: Obj, cluster_region: str | None) -> str | None:
    terms = (((pv.get("spec") or {}).get("nodeAffinity") or {}).get("required") or {}).get(
        "nodeSelectorTerms"
    ) or []
    for term in terms:
        for expr in term.get("matchExpressions") or []:
            values = expr.get("values") or []
            if values and expr.get("key") in REGION_KEYS:
                return str(values[0])
            if values and expr.get("key") in ZONE_KEYS:
                return region_from_zone(str(values[0])) or cluster_region
    return cluster_region


def claim_classes(claims: Iterable[Obj]) -> dict[str, str]:
    """PV name → storage class named by its bound claim (for PVs that do not name one themselves)."""
    return {
        str(spec["volumeName"]): str(spec["storageClassName"])
        for spec in ((c.get("spec") or {}) for c in claims)
        if spec.get("volumeName") and spec.get("storageClassName")
    }


def add_volume(
    table: TableBuilder,
    pv: Obj,
    ctx: Context,
    hours: float,
    classes: Mapping[str, Obj],
    claim_class: Mapping[str, str],
    cluster_region: str | None,
) -> None:
    spec = pv.get("spec") or {}
    class_name = spec.get("storageClassName") or claim_class.get(name_of(pv))
    driver, params, where = _driver_and_params(pv, classes.get(class_name) if class_name else None)
    kind = volume_type(pv, driver, params, ctx)
    storage = (spec.get("capacity") or {}).get("storage")
    capacity_gib = ctx.quantity(pv, storage, "spec.capacity.storage") / GIB if storage is not None else 0.0
    iops = _number(pv, params, where, "iops", ctx)
    per_gb = _number(pv, params, where, "iopsPerGB", ctx)
    if iops is None and per_gb is not None and kind in IOPS_PER_GB_TYPES:
        iops = per_gb * capacity_gib
    claim = spec.get("claimRef") or {}
    table.add(
        name=name_of(pv),
        storage_class=class_name,
        volume_type=kind,
        capacity_gib=capacity_gib,
        iops=iops,
        throughput_mibps=_number(pv, params, where, "throughput", ctx),
        region=pv_region(pv, cluster_region),
        claim_namespace=claim.get("namespace") if claim else None,
        claim_name=claim.get("name") if claim else None,
        hours=hours,
    )


def storage_classes(objects: Iterable[Obj]) -> dict[str, Obj]:
    return {name_of(sc): sc for sc in objects}


def claim_key(obj: Obj) -> tuple[str, str]:
    return namespace_of(obj), name_of(obj)
