"""Aggregation by every key and a combination, on the example cluster (docs/cost-model.md §5).

Workload costs of the example (2 h window), by hand — see test_allocate.py for each container:
  ml/vllm-a  vllm 0.24+0.16+2.0, sidecar 0.02+0.005, PV 0.01, NLB 0.0225     = 2.4575
  ml/vllm-b  0.32+0.40+4.0, PV 0.01, NLB 0.0225                               = 4.7525
  team-x/chat-0 0.16+0.08+0.40 = 0.64     team-x/chat-1 0.08+0.04+0.80 = 0.92
  ml/embed-0 0.10+0.16+6.0 = 6.26         ml/rerank-0 0.05+0.08+4.0 = 4.13
  web/api-0 0.08×10/14 + 0.04             web/api-1 0.08×4/14 + 0.02        (together 0.14)
"""

from __future__ import annotations

import pytest
from snapshot_factory import example_report

from genaicost.domain.errors import InputError
from genaicost.domain.report import IDLE, OVERHEAD, UNALLOCATED, UNMOUNTED, Report
from genaicost.engine.aggregate import parse_aggregate

VLLM_A, VLLM_B, CHAT_0, CHAT_1, EMBED, RERANK, WEB = 2.4575, 4.7525, 0.64, 0.92, 6.26, 4.13, 0.14
SYNTHETIC = {IDLE, OVERHEAD, UNMOUNTED}


def _workload(report: Report) -> dict[str, float]:
    return {a.name: a.total_usd for a in report.allocations if a.name not in SYNTHETIC}


def _check(report: Report, expected: dict[str, float]) -> None:
    got = _workload(report)
    assert set(got) == set(expected)
    for name, usd in expected.items():
        assert got[name] == pytest.approx(usd, abs=1e-9), name


def test_by_namespace() -> None:
    report = example_report(aggregate=("namespace",))
    _check(report, {"ml": VLLM_A + VLLM_B + EMBED + RERANK, "team-x": CHAT_0 + CHAT_1, "web": WEB})
    ml = next(a for a in report.allocations if a.name == "ml")
    assert ml.properties == {"namespace": "ml"}
    assert (ml.pods, ml.containers) == (4, 5)
    assert ml.gpu_hours == pytest.approx(2 + 4 + 6 / 7 + 4 / 7)
    assert ml.storage_gib_hours == pytest.approx(200.0)
    assert ml.cpu_request_core_hours == pytest.approx(2 * (4 + 0.5 + 8 + 1 + 0.5))
    assert ml.cpu_usage_core_hours == pytest.approx(2 * (6 + 2))  # only containers with metrics
    assert ml.hourly_usd == pytest.approx(17.6 / 2) and ml.monthly_usd == pytest.approx(17.6 / 2 * 730)


def test_by_cluster() -> None:
    _check(example_report(aggregate=("cluster",)), {"test-cluster": 19.30})


def test_by_node() -> None:
    _check(
        example_report(aggregate=("node",)),
        {"gpu-a": VLLM_A + VLLM_B, "ts-b": CHAT_0 + CHAT_1, "mig-c": EMBED + RERANK, "spot-d": WEB},
    )


def test_by_controller_and_kind() -> None:
    rest = EMBED + RERANK + WEB
    _check(
        example_report(aggregate=("controller",)),
        {
            "ml/Deployment:vllm": VLLM_A + VLLM_B,
            "team-x/StatefulSet:chat": CHAT_0 + CHAT_1,
            UNALLOCATED: rest,
        },
    )
    _check(
        example_report(aggregate=("controllerKind",)),
        {"Deployment": VLLM_A + VLLM_B, "StatefulSet": CHAT_0 + CHAT_1, UNALLOCATED: rest},
    )


def test_by_pod_and_container() -> None:
    by_pod = example_report(aggregate=("pod",))
    assert _workload(by_pod)["ml/vllm-a"] == pytest.approx(VLLM_A)
    assert _workload(by_pod)["web/api-0"] == pytest.approx(0.08 * 10 / 14 + 0.04)
    vllm_a = next(a for a in by_pod.allocations if a.name == "ml/vllm-a")
    assert (vllm_a.pods, vllm_a.containers) == (1, 2)
    by_container = _workload(example_report(aggregate=("container",)))
    assert by_container["ml/vllm-a/sidecar"] == pytest.approx(0.02 + 0.005 + 0.005 + 0.01125)
    assert by_container["ml/vllm-a/vllm"] == pytest.approx(0.24 + 0.16 + 2.0 + 0.005 + 0.01125)
    assert len(by_container) == 9


def test_by_label_and_annotation() -> None:
    _check(
        example_report(aggregate=("label:team",)),
        {"search": VLLM_A + VLLM_B, "x": CHAT_0, UNALLOCATED: CHAT_1 + EMBED + RERANK + WEB},
    )
    _check(
        example_report(aggregate=("annotation:owner",)),
        {"alice": EMBED, UNALLOCATED: VLLM_A + VLLM_B + CHAT_0 + CHAT_1 + RERANK + WEB},
    )


def test_combination_names_values_with_slash_and_keeps_properties() -> None:
    report = example_report(aggregate=("namespace,label:team",))
    _check(
        report,
        {
            "ml/search": VLLM_A + VLLM_B,
            f"ml/{UNALLOCATED}": EMBED + RERANK,
            "team-x/x": CHAT_0,
            f"team-x/{UNALLOCATED}": CHAT_1,
            f"web/{UNALLOCATED}": WEB,
        },
    )
    line = next(a for a in report.allocations if a.name == "ml/search")
    assert line.properties == {"namespace": "ml", "label:team": "search"}
    assert report.aggregate == ["namespace", "label:team"]


@pytest.mark.parametrize(
    "keys",
    [
        ("namespace",),
        ("pod",),
        ("container",),
        ("node",),
        ("label:team",),
        ("controller", "annotation:owner"),
    ],
)
def test_every_key_gives_the_same_grand_total(keys: tuple[str, ...]) -> None:
    report = example_report(aggregate=keys)
    assert sum(a.total_usd for a in report.allocations) == pytest.approx(report.totals.total_usd, abs=0.005)
    assert sum(_workload(report).values()) == pytest.approx(19.30, abs=1e-9)


def test_synthetic_lines_have_no_properties() -> None:
    report = example_report()
    for a in report.allocations:
        if a.name in SYNTHETIC:
            assert a.properties == {} and a.pods == 0


def test_unknown_key_is_an_input_error() -> None:
    with pytest.raises(InputError, match="unknown aggregate key 'team'"):
        parse_aggregate(["namespace,team"])
    with pytest.raises(InputError):
        parse_aggregate(["label:"])
    assert parse_aggregate(["namespace, pod", "label:app"]) == ["namespace", "pod", "label:app"]
