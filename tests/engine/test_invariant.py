"""Property tests on random clusters: Σ allocations + idle + overhead = total to the cent, nothing negative,
and every aggregation gives the same grand total (docs/cost-model.md §6)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from catalog_factory import make_catalog
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from snapshot_factory import GIB, container, make_snapshot, node, priced_items, priced_nodes, service, volume

from genaicost.domain.options import ReportOptions
from genaicost.domain.report import PricingInfo, Report
from genaicost.domain.snapshot import Snapshot
from genaicost.engine.report import Priced, compute_report, report_from_priced

NAMESPACES = ("ml", "web", "infra", "batch")
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
money = st.floats(min_value=0.0, max_value=5.0, allow_nan=False)
hours = st.sampled_from([0.5, 1.0, 2.0, 3.0])


@st.composite
def nodes(draw: st.DrawFn) -> list[dict[str, Any]]:
    out = []
    for i in range(draw(st.integers(0, 5))):
        sharing = draw(st.sampled_from(["none", "time-slicing", "mig"]))
        out.append(
            node(
                f"n{i}",
                vcpu=draw(st.sampled_from([0.0, 2.0, 4.0, 48.0])),
                ram_gib=draw(st.sampled_from([0.0, 8.0, 192.0])),
                gpu_count=draw(st.sampled_from([0.0, 1.0, 4.0])),
                gpu_sharing=sharing,
                gpu_replicas=draw(st.integers(1, 8)),
                mig_slices_per_gpu=draw(st.sampled_from([None, 4, 7])),
                neuron_cores_per_device=draw(st.sampled_from([None, 2])),
                hours=draw(hours),
                instance_type=draw(st.sampled_from(["g5.12xlarge", "m6i.large", "x9.unknown", None])),
                capacity_type=draw(st.sampled_from(["on-demand", "spot", "unknown"])),
            )
        )
    return out


@st.composite
def containers(draw: st.DrawFn, node_names: list[str]) -> list[dict[str, Any]]:
    out = []
    for i in range(draw(st.integers(0, 14))):
        pod = f"p{draw(st.integers(0, 6))}"
        ns = draw(st.sampled_from(NAMESPACES))
        out.append(
            container(
                ns,
                pod,
                name=f"c{i}",
                node=draw(st.sampled_from([*node_names, None, "ghost"])),
                phase=draw(st.sampled_from(["Running", "Running", "Pending", "Succeeded", "Failed"])),
                started=draw(st.booleans() | st.just(True)),
                cpu_request_cores=draw(st.floats(0, 40)),
                cpu_usage_cores=draw(st.none() | st.floats(0, 40)),
                ram_request_bytes=draw(st.floats(0, 100)) * GIB,
                ram_usage_bytes=draw(st.none() | st.floats(0, 200).map(lambda g: g * GIB)),
                gpu_request=float(draw(st.integers(0, 3))),
                neuroncore_request=float(draw(st.integers(0, 2))),
                mig_profile=draw(st.sampled_from([None, "1g.5gb", "3g.20gb", "7g.80gb", "weird"])),
                mig_count=float(draw(st.integers(0, 3))),
                hours=draw(hours),
                controller_kind=draw(st.sampled_from([None, "Deployment"])),
                controller="app",
            )
        )
    return out


@st.composite
def snapshots(draw: st.DrawFn) -> Snapshot:
    node_rows = draw(nodes())
    rows = draw(containers([n["name"] for n in node_rows]))
    uids = sorted({r["pod_uid"] for r in rows}) or ["none/none"]
    claims = [("ml", "c0"), ("web", "c1"), ("ml", "c2")]
    vols = [
        volume(
            f"v{i}",
            capacity_gib=draw(st.floats(1, 500)),
            claim=draw(st.none() | st.sampled_from(claims)),
            hours=draw(hours),
        )
        for i in range(draw(st.integers(0, 4)))
    ]
    mounts = [
        (draw(st.sampled_from(uids)), *draw(st.sampled_from(claims))) for _ in range(draw(st.integers(0, 5)))
    ]
    svcs = [service("ml", f"s{i}", hours=draw(hours)) for i in range(draw(st.integers(0, 3)))]
    svc_pods = [
        ("ml", f"s{draw(st.integers(0, 2))}", draw(st.sampled_from(uids)))
        for _ in range(draw(st.integers(0, 4)))
    ]
    labels = [(u, "team", draw(st.sampled_from(["a", "b"]))) for u in uids if draw(st.booleans())]
    return make_snapshot(
        node_rows,
        rows,
        volumes=vols,
        mounts=mounts,
        services=svcs,
        service_pods=svc_pods,
        labels=labels,
        hours=draw(hours),
        is_eks=draw(st.booleans()),
    )


@st.composite
def options(draw: st.DrawFn) -> ReportOptions:
    return ReportOptions(
        aggregate=draw(
            st.sampled_from(
                [
                    ("namespace",),
                    ("pod",),
                    ("container",),
                    ("node",),
                    ("label:team",),
                    ("namespace", "controller"),
                    ("cluster",),
                ]
            )
        ),
        include_idle=draw(st.booleans()),
        share_idle=draw(st.booleans()),
        share_overhead=draw(st.booleans()),
        shared_namespaces=draw(st.sampled_from([(), ("infra",), ("ml", "web"), NAMESPACES])),
        split=draw(st.sampled_from(["residual", "aws-scad", "opencost"])),
    )


def _check_report(report: Report) -> None:
    got = sum(a.total_usd for a in report.allocations) + report.idle.total_usd + report.overhead.total_usd
    assert got == pytest.approx(report.totals.total_usd, abs=0.005)
    for a in report.allocations:
        parts = (
            a.cpu_usd,
            a.ram_usd,
            a.gpu_usd,
            a.storage_usd,
            a.network_usd,
            a.shared_usd,
            a.idle_usd,
            a.overhead_usd,
        )
        assert min(parts) >= -1e-9, a
    for n in report.nodes:
        assert min(n.idle_cpu_usd, n.idle_ram_usd, n.idle_gpu_usd) >= 0.0
        assert n.cpu_usd + n.ram_usd + n.gpu_usd <= n.total_usd + 1e-9
    assert report.idle.total_usd >= 0.0 and report.totals.idle_usd >= -1e-9


@SETTINGS
@given(snap=snapshots(), opts=options(), data=st.data())
def test_invariant_with_hand_prices(snap: Snapshot, opts: ReportOptions, data: st.DataObject) -> None:
    names = snap.nodes.get_column("name").to_list()
    rates = {n: data.draw(st.none() | st.tuples(money, money, money)) for n in names}
    priced = Priced(
        nodes=priced_nodes(snap, rates),
        volumes=priced_items(
            snap.volumes, [data.draw(st.none() | money) for _ in range(snap.volumes.height)]
        ),
        services=priced_items(
            snap.services, [data.draw(st.none() | money) for _ in range(snap.services.height)]
        ),
        overhead_hourly_usd=data.draw(st.none() | money),
        overhead_reason=None,
    )
    if priced.overhead_hourly_usd is None:
        priced = Priced(priced.nodes, priced.volumes, priced.services, None, "no fee in the test")
    pricing = PricingInfo(catalog_as_of=date(2026, 7, 1), split=opts.split, sources={})
    report = report_from_priced(
        snap, priced, opts, pricing=pricing, generated_at=datetime(2026, 7, 1, tzinfo=UTC)
    )
    _check_report(report)
    expected = (
        sum(n.total_usd for n in report.nodes)
        + report.totals.storage_usd
        + report.totals.network_usd
        + report.totals.overhead_usd
    )
    assert report.totals.total_usd == pytest.approx(expected, abs=1e-9)


@SETTINGS
@given(snap=snapshots(), opts=options())
def test_namespace_and_pod_give_the_same_grand_total(snap: Snapshot, opts: ReportOptions) -> None:
    rates = {n: (0.03, 0.004, 0.9) for n in snap.nodes.get_column("name").to_list()}
    priced = Priced(
        priced_nodes(snap, rates),
        priced_items(snap.volumes, [0.01] * snap.volumes.height),
        priced_items(snap.services, [0.0225] * snap.services.height),
        0.10,
    )
    pricing = PricingInfo(catalog_as_of=date(2026, 7, 1), split=opts.split, sources={})
    at = datetime(2026, 7, 1, tzinfo=UTC)
    totals = []
    for keys in (("namespace",), ("pod",), ("container",)):
        report = report_from_priced(
            snap, priced, opts.model_copy(update={"aggregate": keys}), pricing=pricing, generated_at=at
        )
        totals.append(sum(a.total_usd for a in report.allocations))
    assert totals[1] == pytest.approx(totals[0], abs=1e-6) and totals[2] == pytest.approx(totals[0], abs=1e-6)


@SETTINGS
@given(snap=snapshots(), opts=options(), g5=money, m6i=money, spot=st.none() | money, gp3=money)
def test_invariant_through_the_real_pricing(
    snap: Snapshot, opts: ReportOptions, g5: float, m6i: float, spot: float | None, gp3: float
) -> None:
    catalog = make_catalog(
        ec2_rows=[
            {
                "region": "us-east-1",
                "instance_type": "g5.12xlarge",
                "ondemand_usd_per_hour": g5 * 3,
                "spot_usd_per_hour": spot,
            },
            {"region": "us-east-1", "instance_type": "m6i.large", "ondemand_usd_per_hour": m6i},
        ],
        spec_rows=[
            {
                "instance_type": "g5.12xlarge",
                "vcpu": 48,
                "memory_gib": 192,
                "gpu_count": 4,
                "accelerator": "nvidia",
            },
            {"instance_type": "m6i.large", "vcpu": 2, "memory_gib": 8},
        ],
        ebs_rows=[{"region": "us-east-1", "volume_type": "gp3", "usd_per_gb_month": gp3}],
        services={"eks/cluster-standard/*": 0.10, "elb/nlb-hour/us-east-1": 0.0225},
    )
    _check_report(compute_report(snap, catalog, opts, generated_at=datetime(2026, 7, 1, tzinfo=UTC)))
