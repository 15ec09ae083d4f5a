"""Build small Snapshots (and hand-priced node / volume / service frames) for engine tests.

Import it from a test module in tests/engine as ``from snapshot_factory import make_snapshot, node, ...``.
Every helper fills the columns a test does not care about with sensible defaults; keys that are not
columns of the table raise KeyError.

    snap = make_snapshot(
        nodes=[node("gpu-1", instance_type="g5.12xlarge", vcpu=48, ram_gib=192, gpu_count=4)],
        containers=[container("ml", "vllm-0", node="gpu-1", gpu_request=1)],
    )
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

import polars as pl

from genaicost.domain.options import ReportOptions
from genaicost.domain.report import PricingInfo, Report
from genaicost.domain.snapshot import TABLE_SCHEMAS, ClusterInfo, Snapshot, table_from_rows
from genaicost.domain.window import Window
from genaicost.engine.report import Priced, report_from_priced

WINDOW_END = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
GIB = float(2**30)


def _check(table: str, row: dict[str, Any]) -> dict[str, Any]:
    unknown = set(row) - set(TABLE_SCHEMAS[table])
    if unknown:
        raise KeyError(f"unknown {table} columns {sorted(unknown)}")
    return row


def node(name: str, *, hours: float = 1.0, **fields: Any) -> dict[str, Any]:
    """A node row: on-demand EC2 in us-east-1, no GPU, not shared, unless `fields` say otherwise."""
    row: dict[str, Any] = {
        "name": name,
        "region": "us-east-1",
        "zone": "us-east-1a",
        "capacity_type": "on-demand",
        "compute_type": "ec2",
        "managed_by": "karpenter",
        "arch": "amd64",
        "vcpu": 0.0,
        "ram_gib": 0.0,
        "gpu_count": 0.0,
        "gpu_sharing": "none",
        "gpu_replicas": 1,
        "hours": hours,
    }
    row.update(fields)
    return _check("nodes", row)


def container(
    namespace: str,
    pod: str,
    *,
    name: str = "main",
    node: str | None = "node-1",
    uid: str | None = None,
    hours: float = 1.0,
    **fields: Any,
) -> dict[str, Any]:
    """A Running, started container; pod_uid defaults to "namespace/pod"; ram in bytes."""
    row: dict[str, Any] = {
        "pod_uid": uid or f"{namespace}/{pod}",
        "namespace": namespace,
        "pod": pod,
        "container": name,
        "node": node,
        "phase": "Running",
        "started": True,
        "cpu_request_cores": 0.0,
        "ram_request_bytes": 0.0,
        "gpu_request": 0.0,
        "neuroncore_request": 0.0,
        "mig_count": 0.0,
        "hours": hours,
    }
    row.update(fields)
    return _check("containers", row)


def volume(
    name: str,
    *,
    capacity_gib: float,
    claim: tuple[str, str] | None = None,
    volume_type: str = "gp3",
    hours: float = 1.0,
    **fields: Any,
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "name": name,
        "storage_class": volume_type,
        "volume_type": volume_type,
        "capacity_gib": capacity_gib,
        "region": "us-east-1",
        "claim_namespace": claim[0] if claim else None,
        "claim_name": claim[1] if claim else None,
        "hours": hours,
    }
    row.update(fields)
    return _check("volumes", row)


def service(namespace: str, name: str, *, lb_kind: str = "nlb", hours: float = 1.0) -> dict[str, Any]:
    return {"namespace": namespace, "name": name, "lb_kind": lb_kind, "region": "us-east-1", "hours": hours}


def make_snapshot(
    nodes: Sequence[dict[str, Any]] = (),
    containers: Sequence[dict[str, Any]] = (),
    *,
    volumes: Sequence[dict[str, Any]] = (),
    mounts: Sequence[tuple[str, str, str]] = (),  # (pod_uid, claim_namespace, claim_name)
    services: Sequence[dict[str, Any]] = (),
    service_pods: Sequence[tuple[str, str, str]] = (),  # (namespace, service, pod_uid)
    labels: Sequence[tuple[str, str, str]] = (),  # (pod_uid, key, value)
    annotations: Sequence[tuple[str, str, str]] = (),
    hours: float = 1.0,
    cluster: str = "test-cluster",
    is_eks: bool = True,
    eks_support: str = "standard",
    notes: Sequence[str] = (),
    warnings: Sequence[str] = (),
) -> Snapshot:
    """A Snapshot of a window of `hours` ending at WINDOW_END."""

    def long(name: str, rows: Sequence[tuple[str, str, str]], cols: tuple[str, str, str]) -> pl.DataFrame:
        return table_from_rows(name, [dict(zip(cols, r, strict=True)) for r in rows])

    return Snapshot(
        cluster=ClusterInfo(
            name=cluster, region="us-east-1", is_eks=is_eks, eks_support=eks_support, source="test"
        ),
        window=Window.ending_at(WINDOW_END, hours),
        collected_at=WINDOW_END,
        nodes=table_from_rows("nodes", list(nodes)),
        containers=table_from_rows("containers", list(containers)),
        pod_labels=long("pod_labels", labels, ("pod_uid", "key", "value")),
        pod_annotations=long("pod_annotations", annotations, ("pod_uid", "key", "value")),
        volumes=table_from_rows("volumes", list(volumes)),
        mounts=long("mounts", mounts, ("pod_uid", "claim_namespace", "claim_name")),
        services=table_from_rows("services", list(services)),
        service_pods=long("service_pods", service_pods, ("namespace", "service", "pod_uid")),
        notes=tuple(notes),
        warnings=tuple(warnings),
    )


def priced_nodes(
    snapshot: Snapshot, rates: dict[str, tuple[float, float, float] | None], *, source: str = "test-price"
) -> pl.DataFrame:
    """The snapshot's nodes priced by hand: name -> (usd per vCPU-hour, per GiB-hour, per GPU-hour), or
    None for an unpriced node. hourly_usd = vcpu·c + ram_gib·m + gpu_count·g, as engine.split guarantees."""
    rows = []
    for name, vcpu, ram_gib, gpus in snapshot.nodes.select(
        "name", "vcpu", "ram_gib", "gpu_count"
    ).iter_rows():
        rate = rates.get(name)
        hourly = None if rate is None else vcpu * rate[0] + ram_gib * rate[1] + gpus * rate[2]
        rows.append(
            {
                "name": name,
                "hourly_usd": hourly,
                "price_source": source if rate else "unpriced",
                "price_is_estimate": False,
                "unpriced_reason": None if rate else "no price in the test",
                "priced_gpu_count": gpus,
                "ondemand_usd_per_hour": hourly,
                "usd_per_vcpu_hour": rate[0] if rate else None,
                "usd_per_gib_hour": rate[1] if rate else None,
                "usd_per_gpu_hour": rate[2] if rate else None,
            }
        )
    schema = {
        "name": pl.String,
        "hourly_usd": pl.Float64,
        "price_source": pl.String,
        "price_is_estimate": pl.Boolean,
        "unpriced_reason": pl.String,
        "priced_gpu_count": pl.Float64,
        "ondemand_usd_per_hour": pl.Float64,
        "usd_per_vcpu_hour": pl.Float64,
        "usd_per_gib_hour": pl.Float64,
        "usd_per_gpu_hour": pl.Float64,
    }
    added = pl.DataFrame(rows, schema=schema)
    return snapshot.nodes.join(added, on="name", how="left", maintain_order="left")


def priced_items(frame: pl.DataFrame, hourly_usd: Sequence[float | None]) -> pl.DataFrame:
    """Volumes or services with the given hourly prices (None = unpriced), in row order."""
    return frame.with_columns(
        pl.Series("hourly_usd", list(hourly_usd), dtype=pl.Float64),
        pl.Series(
            "price_source",
            ["test-price" if h is not None else "unpriced" for h in hourly_usd],
            dtype=pl.String,
        ),
        pl.Series(
            "unpriced_reason",
            [None if h is not None else "no price in the test" for h in hourly_usd],
            dtype=pl.String,
        ),
    )


# --- the worked example of docs/cost-model.md sections 3–6 ---------------------------------------------
# Window 2 h. Rates per node (usd per vCPU-hour, per GiB-hour, per GPU-hour) are given by hand.
EXAMPLE_HOURS = 2.0
EXAMPLE_RATES: dict[str, tuple[float, float, float] | None] = {
    "gpu-a": (0.02, 0.005, 1.0),  # 48 vCPU, 192 GiB, 4 GPUs: $5.92/h
    "ts-b": (0.04, 0.01, 0.8),  # 8 vCPU, 32 GiB, 1 GPU time-sliced ×4: $1.44/h
    "mig-c": (0.05, 0.01, 7.0),  # 16 vCPU, 64 GiB, 1 GPU in MIG (7 slices): $8.44/h
    "spot-d": (0.01, 0.0025, 0.0),  # 4 vCPU, 16 GiB spot: $0.08/h
}
EXAMPLE_VOLUME_HOURLY = (0.01, 0.005)  # pv-models (100 GiB gp3), pv-orphan (50 GiB gp3, unbound)
EXAMPLE_NLB_HOURLY = 0.0225
EXAMPLE_CONTROL_PLANE_HOURLY = 0.10


def example_snapshot() -> Snapshot:
    h = EXAMPLE_HOURS
    c = container
    return make_snapshot(
        nodes=[
            node("gpu-a", instance_type="g5.12xlarge", vcpu=48, ram_gib=192, gpu_count=4, hours=h),
            node(
                "ts-b", vcpu=8, ram_gib=32, gpu_count=1, gpu_sharing="time-slicing", gpu_replicas=4, hours=h
            ),
            node("mig-c", vcpu=16, ram_gib=64, gpu_count=1, gpu_sharing="mig", mig_slices_per_gpu=7, hours=h),
            node("spot-d", vcpu=4, ram_gib=16, capacity_type="spot", hours=h),
        ],
        containers=[
            c(
                "ml",
                "vllm-a",
                name="vllm",
                node="gpu-a",
                gpu_request=1,
                cpu_request_cores=4,
                cpu_usage_cores=6,
                ram_request_bytes=16 * GIB,
                hours=h,
                controller_kind="Deployment",
                controller="vllm",
            ),
            c(
                "ml",
                "vllm-a",
                name="sidecar",
                node="gpu-a",
                cpu_request_cores=0.5,
                ram_request_bytes=0.5 * GIB,
                hours=h,
                controller_kind="Deployment",
                controller="vllm",
            ),
            c(
                "ml",
                "vllm-b",
                node="gpu-a",
                gpu_request=2,
                cpu_request_cores=8,
                cpu_usage_cores=2,
                ram_request_bytes=32 * GIB,
                ram_usage_bytes=40 * GIB,
                hours=h,
                controller_kind="Deployment",
                controller="vllm",
            ),
            c(
                "team-x",
                "chat-0",
                node="ts-b",
                gpu_request=1,
                cpu_request_cores=2,
                ram_request_bytes=4 * GIB,
                hours=h,
                controller_kind="StatefulSet",
                controller="chat",
            ),
            c(
                "team-x",
                "chat-1",
                node="ts-b",
                gpu_request=2,
                cpu_request_cores=1,
                ram_request_bytes=2 * GIB,
                hours=h,
                controller_kind="StatefulSet",
                controller="chat",
            ),
            c(
                "ml",
                "embed-0",
                node="mig-c",
                mig_profile="3g.20gb",
                mig_count=1,
                cpu_request_cores=1,
                ram_request_bytes=8 * GIB,
                hours=h,
            ),
            c(
                "ml",
                "rerank-0",
                node="mig-c",
                mig_profile="1g.5gb",
                mig_count=2,
                cpu_request_cores=0.5,
                ram_request_bytes=4 * GIB,
                hours=h,
            ),
            c(
                "web",
                "api-0",
                node="spot-d",
                cpu_request_cores=3,
                cpu_usage_cores=5,
                ram_request_bytes=8 * GIB,
                hours=h,
            ),
            c("web", "api-1", node="spot-d", cpu_request_cores=2, ram_request_bytes=4 * GIB, hours=h),
            c("batch", "job-1", node="gpu-a", phase="Succeeded", gpu_request=1, hours=h),
            c("ml", "pending", node=None, phase="Pending", started=False, hours=h),
            c("ml", "lost", node="ghost", hours=h),
        ],
        volumes=[
            volume("pv-models", capacity_gib=100, claim=("ml", "models"), hours=h),
            volume("pv-orphan", capacity_gib=50, hours=h),
        ],
        mounts=[("ml/vllm-a", "ml", "models"), ("ml/vllm-b", "ml", "models")],
        services=[service("ml", "vllm-lb", hours=h)],
        service_pods=[("ml", "vllm-lb", "ml/vllm-a"), ("ml", "vllm-lb", "ml/vllm-b")],
        labels=[
            ("ml/vllm-a", "team", "search"),
            ("ml/vllm-b", "team", "search"),
            ("team-x/chat-0", "team", "x"),
        ],
        annotations=[("ml/embed-0", "owner", "alice")],
        hours=h,
        warnings=("pod ml/lost is bound to unknown node ghost",),
    )


def example_report(**options: Any) -> Report:
    """The example cluster through engine.report.report_from_priced with hand prices and these options."""
    snap = example_snapshot()
    priced = Priced(
        nodes=priced_nodes(snap, EXAMPLE_RATES),
        volumes=priced_items(snap.volumes, EXAMPLE_VOLUME_HOURLY),
        services=priced_items(snap.services, [EXAMPLE_NLB_HOURLY]),
        overhead_hourly_usd=EXAMPLE_CONTROL_PLANE_HOURLY,
    )
    pricing = PricingInfo(catalog_as_of=date(2026, 7, 1), split="residual", sources={"test-price": "by hand"})
    opts = ReportOptions(**options)
    return report_from_priced(snap, priced, opts, pricing=pricing, generated_at=WINDOW_END)
