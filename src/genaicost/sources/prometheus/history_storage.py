"""kube-state-metrics PV / StorageClass / Service / Endpoint series → `volumes`, `services`, `service_pods`."""

from __future__ import annotations

import polars as pl

from genaicost.domain.snapshot import conform, empty_table
from genaicost.sources.k8s.common import GIB
from genaicost.sources.k8s.services import NLB_TYPES
from genaicost.sources.k8s.volumes import DEFAULT_TYPE, EBS_CSI, EBS_IN_TREE
from genaicost.sources.prometheus.history_pods import with_uid
from genaicost.sources.prometheus.queries import LB_TYPE_LABEL

PV = "persistentvolume"


def volumes_table(steps: pl.DataFrame, info: pl.DataFrame, capacity: pl.DataFrame, claims: pl.DataFrame,
                  classes: pl.DataFrame, *, region: str | None, step_s: float) -> tuple[pl.DataFrame, list[str]]:
    """PVs present in the window, at their provisioner's default type (KSM does not export class parameters)."""
    if steps.is_empty():
        return empty_table("volumes"), []
    provisioners = classes.select("storageclass", "provisioner").unique("storageclass", keep="last")
    df = (steps.filter(pl.col("value") > 0).select(PV, pl.col("value").alias("steps"))
          .join(info.select(PV, "storageclass", "csi_driver").unique(PV, keep="last"), on=PV, how="left")
          .join(provisioners, on="storageclass", how="left")
          .join(capacity.select(PV, pl.col("value").alias("bytes")).unique(PV, keep="last"), on=PV, how="left")
          .join(claims.select(PV, "claim_namespace", pl.col("name").alias("claim_name")).unique(PV, keep="last"),
                on=PV, how="left"))
    driver = pl.coalesce("provisioner", "csi_driver")
    df = df.with_columns(driver.alias("driver"),
                         driver.replace_strict(DEFAULT_TYPE, default="unknown", return_dtype=pl.String)
                         .alias("volume_type"))
    table = df.select(
        pl.col(PV).alias("name"), pl.col("storageclass").alias("storage_class"), "volume_type",
        (pl.col("bytes").fill_null(0.0) / GIB).alias("capacity_gib"),
        pl.lit(None, dtype=pl.Float64).alias("iops"), pl.lit(None, dtype=pl.Float64).alias("throughput_mibps"),
        pl.lit(region, dtype=pl.String).alias("region"), "claim_namespace", "claim_name",
        (pl.col("steps") * step_s / 3600.0).alias("hours"),
    )
    return conform("volumes", table.sort("name")), _default_type_warning(df)


def _default_type_warning(df: pl.DataFrame) -> list[str]:
    ebs = df.filter(pl.col("driver").is_in([EBS_CSI, EBS_IN_TREE]))
    if ebs.is_empty():
        return []
    classes = sorted({str(c) for c in ebs.get_column("storageclass").to_list() if c})
    return [f"{ebs.height} EBS volume(s) (storage classes {', '.join(classes) or '(none)'}) are priced as their "
            f"provisioner's default type ({EBS_CSI} → gp3, {EBS_IN_TREE} → gp2): kube-state-metrics does not "
            "export StorageClass parameters, so a class with `type: io1/io2/st1/sc1` or provisioned IOPS / "
            "throughput would be mispriced; check those classes or use the kubectl source for volumes"]


def services_table(steps: pl.DataFrame, annotations: pl.DataFrame, *, region: str | None, step_s: float
                   ) -> tuple[pl.DataFrame, list[str]]:
    """LoadBalancer services for the hours they existed; their kind from the allow-listed annotation, else null."""
    if steps.is_empty():
        return empty_table("services"), []
    lbs = steps.filter(pl.col("value") > 0).select("namespace", pl.col("service").alias("name"),
                                                   (pl.col("value") * step_s / 3600.0).alias("hours"))
    exported = LB_TYPE_LABEL in annotations.columns and annotations.get_column(LB_TYPE_LABEL).is_not_null().any()
    warnings = []
    if exported:
        kinds = annotations.select("namespace", pl.col("service").alias("name"), pl.col(LB_TYPE_LABEL).alias("t"))
        lbs = lbs.join(kinds.drop_nulls("t").unique(["namespace", "name"], keep="last"), on=["namespace", "name"],
                       how="left")
        kind = pl.when(pl.col("t").str.to_lowercase().is_in(list(NLB_TYPES))).then(pl.lit("nlb")).otherwise(
            pl.lit("clb"))
    else:
        lbs = lbs.with_columns(pl.lit(None, dtype=pl.String).alias("t"))
        kind = pl.lit(None, dtype=pl.String)
        warnings.append(
            f"{lbs.height} LoadBalancer service(s) are unpriced: their kind (NLB or CLB) is in the annotation "
            "service.beta.kubernetes.io/aws-load-balancer-type, which kube-state-metrics exports only when "
            "allow-listed: --metric-annotations-allowlist=services=[service.beta.kubernetes.io/aws-load-balancer-type]")
    table = lbs.select("namespace", "name", kind.alias("lb_kind"), pl.lit(region, dtype=pl.String).alias("region"),
                       "hours")
    return conform("services", table.sort("namespace", "name")), warnings


def service_pods_table(services: pl.DataFrame, endpoints: pl.DataFrame, pod_info: pl.DataFrame,
                       pod_uids: pl.Series) -> tuple[pl.DataFrame, list[str]]:
    """Pods behind each LoadBalancer service: its Endpoints' IPs matched to the pods' IPs in the namespace."""
    if services.is_empty():
        return empty_table("service_pods"), []
    ips = (with_uid(pod_info).filter(pl.col("uid").is_in(pod_uids.implode()) & pl.col("pod_ip").is_not_null())
           .select("namespace", pl.col("pod_ip").alias("ip"), pl.col("uid").alias("pod_uid")).unique())
    addresses = endpoints.select("namespace", pl.col("endpoint").alias("service"), "ip")
    matched = (services.select("namespace", pl.col("name").alias("service"))
               .join(addresses, on=["namespace", "service"], how="inner")
               .join(ips, on=["namespace", "ip"], how="inner")
               .select("namespace", "service", "pod_uid").unique().sort("namespace", "service", "pod_uid"))
    orphans = services.height - matched.get_column("service").n_unique() if matched.height else services.height
    notes = [] if not orphans else [
        f"{orphans} LoadBalancer service(s) have no pods matched through kube_endpoint_address / kube_pod_info "
        "pod_ip; their cost is shown as __unmounted__"]
    return conform("service_pods", matched), notes
