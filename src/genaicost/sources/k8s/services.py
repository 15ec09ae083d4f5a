"""Services of type LoadBalancer → `services`; the pods each one selects → `service_pods` (Polars joins)."""

from __future__ import annotations

import polars as pl

from genaicost.domain.snapshot import empty_table
from genaicost.sources.k8s.common import Obj, TableBuilder, annotations_of, name_of, namespace_of

SELECTOR_SCHEMA = {"namespace": pl.String, "name": pl.String, "key": pl.String, "value": pl.String}
NLB_TYPES = {"nlb", "external", "nlb-ip"}
NLB_CLASS = "service.k8s.aws/nlb"
LB_TYPE_ANNOTATION = "service.beta.kubernetes.io/aws-load-balancer-type"


def lb_kind(service: Obj) -> str:
    spec = service.get("spec") or {}
    if (
        annotations_of(service).get(LB_TYPE_ANNOTATION, "").lower() in NLB_TYPES
        or spec.get("loadBalancerClass") == NLB_CLASS
    ):
        return "nlb"
    return "clb"


def load_balancers(services: list[Obj]) -> list[Obj]:
    return [s for s in services if (s.get("spec") or {}).get("type") == "LoadBalancer"]


def add_service(
    table: TableBuilder, selectors: TableBuilder, service: Obj, region: str | None, hours: float
) -> None:
    ns, name = namespace_of(service), name_of(service)
    table.add(namespace=ns, name=name, lb_kind=lb_kind(service), region=region, hours=hours)
    for key, value in ((service.get("spec") or {}).get("selector") or {}).items():
        selectors.add(namespace=ns, name=name, key=key, value=str(value))


def service_pods(
    selectors: pl.DataFrame, pod_labels: pl.DataFrame, pod_namespaces: pl.DataFrame
) -> pl.DataFrame:
    """Pods whose labels match every key of a service's selector, in the service's namespace.

    selectors: namespace, name, key, value (one row per selector key); pod_namespaces: pod_uid, namespace.
    """
    if selectors.is_empty() or pod_labels.is_empty():
        return empty_table("service_pods")
    wanted = selectors.with_columns(pl.len().over("namespace", "name").alias("n_keys"))
    labelled = pod_labels.join(pod_namespaces, on="pod_uid", how="inner")
    matched = wanted.join(labelled, on=["namespace", "key", "value"], how="inner")
    counts = matched.group_by("namespace", "name", "pod_uid", "n_keys").agg(pl.len().alias("hits"))
    return (
        counts.filter(pl.col("hits") == pl.col("n_keys"))
        .select("namespace", pl.col("name").alias("service"), "pod_uid")
        .sort("namespace", "service", "pod_uid")
    )
