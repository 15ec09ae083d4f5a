"""kube-state-metrics + cAdvisor pod series → `containers`, `pod_labels`, `pod_annotations`, `mounts` (Polars).

A container row is one (namespace, pod, uid, container) that was Running in the window: `hours` = Running
steps × step; requests are their mean over those steps; usage and billed (max(request, usage) per clock hour) are
Σ over the pod name's Running steps ÷ those steps (cAdvisor series carry the pod name, not the uid: when one
name was reused by several uids inside the window they share the name's mean).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from genaicost.domain.snapshot import conform, empty_table
from genaicost.sources.k8s.gpus import GpuInfo
from genaicost.sources.prometheus.history_nodes import KSM_MIG_PREFIX

POD_KEYS = ["namespace", "pod", "uid"]
ROW_KEYS = [*POD_KEYS, "container"]
NAME_KEYS = ["namespace", "pod", "container"]
GPU_RESOURCES = ("nvidia_com_gpu", "nvidia_com_gpu_shared", "aws_amazon_com_neuron", "aws_amazon_com_neurondevice")
# pod-template-hash: SafeEncodeString alphabet (no vowels, no 0/1/3), 1-10 characters
TEMPLATE_HASH_SUFFIX = r"-[bcdfghjklmnpqrstvwxz2456789]{1,10}$"
NONE_OWNER = "<none>"


@dataclass(frozen=True)
class PodSeries:
    running_steps: pl.DataFrame      # namespace, pod, uid, value (Running steps)
    info: pl.DataFrame               # namespace, pod, uid, node, pod_ip
    owners: pl.DataFrame             # namespace, pod, uid, owner_kind, owner_name, owner_is_controller
    replicaset_owners: pl.DataFrame  # namespace, replicaset, owner_kind, owner_name
    job_owners: pl.DataFrame         # namespace, job_name, owner_kind, owner_name
    requests_sum: pl.DataFrame       # namespace, pod, uid, container, resource, value
    usage_sums: Mapping[str, pl.DataFrame]  # cpu/ram usage and billed sums: namespace, pod, container, value


def with_uid(frame: pl.DataFrame) -> pl.DataFrame:
    """KSM before v2 has no `uid` label: stand in namespace/pod."""
    uid = pl.col("uid") if "uid" in frame.columns else pl.lit(None, dtype=pl.String)
    return frame.with_columns(pl.coalesce(uid, pl.format("{}/{}", "namespace", "pod")).alias("uid"))


def running_pods(steps: pl.DataFrame) -> pl.DataFrame:
    return with_uid(steps).filter(pl.col("value") > 0).group_by(POD_KEYS).agg(pl.col("value").sum().alias("steps"))


def _request_means(requests_sum: pl.DataFrame, running: pl.DataFrame) -> pl.DataFrame:
    long = with_uid(requests_sum).join(running, on=POD_KEYS, how="inner").with_columns(
        (pl.col("value") / pl.col("steps")).alias("mean"))
    res = pl.col("resource")

    def total(cond: pl.Expr) -> pl.Expr:
        return pl.col("mean").filter(cond).sum()

    mig = res.str.starts_with(KSM_MIG_PREFIX) & (pl.col("mean") > 0)
    return long.sort(["resource"]).group_by(ROW_KEYS).agg(
        total(res == "cpu").alias("cpu_request_cores"),
        total(res == "memory").alias("ram_request_bytes"),
        total(res.is_in(GPU_RESOURCES)).alias("gpu_request"),
        total(res == "aws_amazon_com_neuroncore").alias("neuroncore_request"),
        res.filter(mig).first().str.strip_prefix(KSM_MIG_PREFIX).str.replace_all("_", ".").alias("mig_profile"),
        pl.col("mean").filter(mig).first().alias("mig_count"),
        mig.sum().alias("mig_profiles"),
    )


USAGE_COLUMNS = {"cpu_usage": "cpu_usage_cores", "ram_usage": "ram_usage_bytes",
                 "cpu_billed": "cpu_billed_cores", "ram_billed": "ram_billed_bytes"}


def _usage_means(sums: Mapping[str, pl.DataFrame], name_steps: pl.DataFrame) -> pl.DataFrame:
    parts = [sums[name].select(*NAME_KEYS, pl.col("value").alias(column)) for name, column in USAGE_COLUMNS.items()]
    out = parts[0]
    for part in parts[1:]:
        out = out.join(part, on=NAME_KEYS, how="full", coalesce=True)
    out = out.join(name_steps, on=["namespace", "pod"], how="inner")
    return out.with_columns((pl.col(c) / pl.col("name_steps")).alias(c) for c in USAGE_COLUMNS.values()
                            ).drop("name_steps")


def containers_table(series: PodSeries, node_gpus: Mapping[str, GpuInfo], step_s: float
                     ) -> tuple[pl.DataFrame, list[str]]:
    """The `containers` table and warnings (several MIG profiles in one container)."""
    running = running_pods(series.running_steps)
    if running.is_empty():
        return empty_table("containers"), []
    name_steps = running.group_by("namespace", "pod").agg(pl.col("steps").sum().alias("name_steps"))
    requests = _request_means(series.requests_sum, running)
    usage = _usage_means(series.usage_sums, name_steps)
    keys = pl.concat([requests.select(ROW_KEYS),
                      usage.select(NAME_KEYS).join(running.select(POD_KEYS), on=["namespace", "pod"]).select(ROW_KEYS)]
                     ).unique()
    info = with_uid(series.info).select(*POD_KEYS, "node").unique(POD_KEYS, keep="last")
    rows = (keys.join(running, on=POD_KEYS, how="inner")
            .join(requests, on=ROW_KEYS, how="left")
            .join(usage, on=NAME_KEYS, how="left")
            .join(info, on=POD_KEYS, how="left")
            .join(controllers(series), on=POD_KEYS, how="left"))
    rows = _single_mig(rows, node_gpus).with_columns(
        pl.col("uid").alias("pod_uid"),
        pl.lit("Running").alias("phase"),
        pl.lit(True).alias("started"),
        (pl.col("steps") * step_s / 3600.0).alias("hours"),
        *(pl.col(c).fill_null(0.0) for c in ("cpu_request_cores", "ram_request_bytes", "gpu_request",
                                            "neuroncore_request", "mig_count")),
    )
    warnings = [f"pod {ns}/{pod} container {c} requests several MIG profiles; only {p} is counted"
                for ns, pod, c, p in rows.filter(pl.col("mig_profiles") > 1)
                .select("namespace", "pod", "container", "mig_profile").iter_rows()]
    return conform("containers", rows.sort(ROW_KEYS)), warnings


def _single_mig(rows: pl.DataFrame, node_gpus: Mapping[str, GpuInfo]) -> pl.DataFrame:
    """MIG 'single' strategy: nvidia.com/gpu on such a node is a MIG device of the node's one profile."""
    single = {n: g.single_mig_profile for n, g in node_gpus.items() if g.single_mig_profile}
    if not single:
        return rows
    profile = pl.col("node").replace_strict(single, default=None, return_dtype=pl.String)
    hit = profile.is_not_null() & (pl.col("gpu_request").fill_null(0.0) > 0) & pl.col("mig_profile").is_null()
    return rows.with_columns(
        pl.when(hit).then(profile).otherwise(pl.col("mig_profile")).alias("mig_profile"),
        pl.when(hit).then(pl.col("gpu_request")).otherwise(pl.col("mig_count")).alias("mig_count"),
        pl.when(hit).then(0.0).otherwise(pl.col("gpu_request")).alias("gpu_request"),
    )


def controllers(series: PodSeries) -> pl.DataFrame:
    """namespace, pod, uid → controller_kind, controller (ReplicaSet → Deployment, Job → CronJob)."""
    owners = (with_uid(series.owners)
              .filter(pl.col("owner_kind").is_not_null() & (pl.col("owner_kind") != NONE_OWNER))
              .sort(pl.col("owner_is_controller") == "true", descending=True)
              .unique(POD_KEYS, keep="first"))
    rs = series.replicaset_owners.select("namespace", pl.col("replicaset").alias("owner_name"),
                                         pl.col("owner_kind").alias("rs_kind"), pl.col("owner_name").alias("rs_owner"))
    jobs = series.job_owners.select("namespace", pl.col("job_name").alias("owner_name"),
                                    pl.col("owner_kind").alias("job_kind"), pl.col("owner_name").alias("job_owner"))
    df = (owners.select(*POD_KEYS, "owner_kind", "owner_name")
          .join(rs.unique(["namespace", "owner_name"]), on=["namespace", "owner_name"], how="left")
          .join(jobs.filter(pl.col("job_kind") != NONE_OWNER).unique(["namespace", "owner_name"]),
                on=["namespace", "owner_name"], how="left"))
    is_rs, known_rs = pl.col("owner_kind") == "ReplicaSet", pl.col("rs_kind").is_not_null()
    rs_has_owner = known_rs & (pl.col("rs_kind") != NONE_OWNER)
    hashed = pl.col("owner_name").str.contains(TEMPLATE_HASH_SUFFIX)
    kind = (pl.when(is_rs & rs_has_owner).then(pl.col("rs_kind"))
            .when(is_rs & ~known_rs & hashed).then(pl.lit("Deployment"))
            .when((pl.col("owner_kind") == "Job") & pl.col("job_kind").is_not_null()).then(pl.col("job_kind"))
            .otherwise(pl.col("owner_kind")))
    name = (pl.when(is_rs & rs_has_owner).then(pl.col("rs_owner"))
            .when(is_rs & ~known_rs & hashed).then(pl.col("owner_name").str.replace(TEMPLATE_HASH_SUFFIX, ""))
            .when((pl.col("owner_kind") == "Job") & pl.col("job_kind").is_not_null()).then(pl.col("job_owner"))
            .otherwise(pl.col("owner_name")))
    return df.select(*POD_KEYS, kind.alias("controller_kind"), name.alias("controller"))


def key_values(raw: pl.DataFrame, prefix: str, pod_uids: pl.Series) -> pl.DataFrame:
    """kube_pod_labels / kube_pod_annotations rows → (pod_uid, key, value), key = the KSM name without prefix."""
    columns = [c for c in raw.columns if c.startswith(prefix)]
    if raw.is_empty() or not columns or "namespace" not in raw.columns:
        return empty_table("pod_labels")
    long = (with_uid(raw).filter(pl.col("uid").is_in(pod_uids.implode()))
            .select("uid", *columns).with_row_index("_order")
            .unpivot(index=["uid", "_order"], on=columns, variable_name="key", value_name="value")
            .filter(pl.col("value").is_not_null() & (pl.col("value") != "")))
    return conform("pod_labels", long.sort("_order").unique(["uid", "key"], keep="last")
                   .select(pl.col("uid").alias("pod_uid"), pl.col("key").str.strip_prefix(prefix), "value")
                   .sort("pod_uid", "key"))


def mounts_table(claims: pl.DataFrame, pod_uids: pl.Series) -> pl.DataFrame:
    if claims.is_empty():
        return empty_table("mounts")
    df = with_uid(claims).filter(pl.col("uid").is_in(pod_uids.implode()))
    return conform("mounts", df.select(pl.col("uid").alias("pod_uid"), pl.col("namespace").alias("claim_namespace"),
                                       pl.col("persistentvolumeclaim").alias("claim_name")).unique().sort("pod_uid"))
