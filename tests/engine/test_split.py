"""engine.split / engine.reference_rates: the node price split (docs/cost-model.md §2).

Expected values are computed by hand in the comments; the Σ identity is checked with hypothesis.
"""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest
from catalog_factory import make_catalog
from hypothesis import given, settings
from hypothesis import strategies as st

from genaicost.domain.prices import PriceOverride
from genaicost.domain.snapshot import table_from_rows
from genaicost.engine.price import price_nodes
from genaicost.engine.reference_rates import reference_rates
from genaicost.engine.split import split_node_rates

E1, W1, AP, SA = "us-east-1", "eu-west-1", "ap-south-1", "sa-east-1"

# Hand-made reference data.
# us-east-1, c6i/m6i/r6i (2 vCPU each; 4, 8, 16 GiB; $0.10, $0.12, $0.17): least squares without intercept
#   ΣV² = 12, ΣVM = 2·(4+8+16) = 56, ΣM² = 16+64+256 = 336,
#   ΣVP = 2·(0.10+0.12+0.17) = 0.78, ΣMP = 0.40+0.96+2.72 = 4.08, det = 12·336 − 56² = 896
#   c₀ = (0.78·336 − 56·4.08)/896 = (262.08 − 228.48)/896 = 33.6/896 = 0.0375
#   m₀ = (12·4.08 − 56·0.78)/896 = (48.96 − 43.68)/896 = 5.28/896 = 0.005892857142857…
#   (the three prices are not collinear: residuals +0.00143, −0.00214, +0.00071 — a real fit)
#   c5/m5 rows in the same region must be ignored: c6i/m6i/r6i is preferred.
# eu-west-1 has only m6i (one family: no fit) → c5/m5/r5 at $0.10, $0.12, $0.16 → c₀ = 0.04, m₀ = 0.005
#   exactly (0.08 + 0.02, 0.08 + 0.04, 0.08 + 0.08).
# ap-south-1 has no c5 generation → c7i/m7i at $0.076, $0.092 → c₀ = 0.03, m₀ = 0.004 (two equations).
# sa-east-1 has no reference family at all.
C0_E1, M0_E1 = 33.6 / 896, 5.28 / 896

SPECS = [
    {"instance_type": t, "vcpu": v, "memory_gib": m, "gpu_count": g} for t, v, m, g in [
        ("c6i.large", 2, 4, 0), ("m6i.large", 2, 8, 0), ("r6i.large", 2, 16, 0),
        ("c5.large", 2, 4, 0), ("m5.large", 2, 8, 0), ("r5.large", 2, 16, 0),
        ("c7i.large", 2, 4, 0), ("m7i.large", 2, 8, 0), ("m6g.large", 2, 8, 0),
        ("g5.xlarge", 4, 16, 1), ("g9.48xlarge", 192, 2048, 1), ("p5.48xlarge", 192, 2048, 8),
        ("p3.16xlarge", 64, 488, 8), ("m5.xlarge", 4, 16, 0),
    ]
]
EC2 = [
    {"region": r, "instance_type": t, "ondemand_usd_per_hour": p, "spot_usd_per_hour": s} for r, t, p, s in [
        (E1, "c6i.large", 0.10, None), (E1, "m6i.large", 0.12, None), (E1, "r6i.large", 0.17, None),
        (E1, "c5.large", 0.5, None), (E1, "m5.large", 0.6, None), (E1, "m6g.large", 0.001, None),
        (E1, "g5.xlarge", 1.006, 0.4), (E1, "g9.48xlarge", 5.0, None),
        (W1, "m6i.large", 0.107, None),
        (W1, "c5.large", 0.10, None), (W1, "m5.large", 0.12, None), (W1, "r5.large", 0.16, None),
        (AP, "m6i.large", 0.5, None), (AP, "c7i.large", 0.076, None), (AP, "m7i.large", 0.092, None),
        (AP, "g5.xlarge", 1.5, None),
        (SA, "g5.xlarge", 2.0, None),
    ]
]
CATALOG = make_catalog(
    ec2_rows=EC2, spec_rows=SPECS,
    services={"fargate/vcpu-hour/us-east-1": 0.04048, "fargate/gb-hour/us-east-1": 0.004445},
    overrides=[PriceOverride("*", "p5.48xlarge", "on-demand", 50.0),
               PriceOverride("*", "p3.16xlarge", "on-demand", 10.0),
               PriceOverride("*", "m5.xlarge", "on-demand", 1.0)],
)


def _node(name: str, instance_type: str | None, region: str, capacity: str = "on-demand",
          compute: str = "ec2") -> dict[str, Any]:
    spec = next((s for s in SPECS if s["instance_type"] == instance_type), {"vcpu": 2, "memory_gib": 4,
                                                                             "gpu_count": 0})
    return {"name": name, "instance_type": instance_type, "region": region, "capacity_type": capacity,
            "compute_type": compute, "vcpu": spec["vcpu"], "ram_gib": spec["memory_gib"],
            "gpu_count": spec["gpu_count"], "hours": 1.0}


def _split(nodes: list[dict[str, Any]], method: str) -> dict[str, dict[str, Any]]:
    priced = price_nodes(table_from_rows("nodes", nodes), CATALOG)
    out = split_node_rates(priced, CATALOG, method)  # type: ignore[arg-type]
    return {row["name"]: row for row in out.to_dicts()}


def _rates(row: dict[str, Any]) -> tuple[Any, Any, Any]:
    return row["usd_per_vcpu_hour"], row["usd_per_gib_hour"], row["usd_per_gpu_hour"]


def test_reference_rates_per_region_and_generation() -> None:
    refs = {r["region"]: r for r in reference_rates(CATALOG).to_dicts()}
    assert set(refs) == {E1, W1, AP}
    assert refs[E1]["reference_families"] == "c6i/m6i/r6i"
    assert (refs[E1]["ref_usd_per_vcpu_hour"], refs[E1]["ref_usd_per_gib_hour"]) == pytest.approx(
        (0.0375, 0.005892857142857143), abs=1e-15)
    assert refs[W1]["reference_families"] == "c5/m5/r5"
    assert (refs[W1]["ref_usd_per_vcpu_hour"], refs[W1]["ref_usd_per_gib_hour"]) == pytest.approx(
        (0.04, 0.005), abs=1e-15)
    assert refs[AP]["reference_families"] == "c7i/m7i/r7i"
    assert (refs[AP]["ref_usd_per_vcpu_hour"], refs[AP]["ref_usd_per_gib_hour"]) == pytest.approx(
        (0.03, 0.004), abs=1e-15)


# (node, expected (c, m, g), split_method, note fragment or None)
RESIDUAL_CASES = [
    # on-demand GPU node, r = 1: g = 1.006 − (4·0.0375 + 16·5.28/896) = 1.006 − 0.15 − 0.0942857… = 0.7617142…
    (_node("gpu-od", "g5.xlarge", E1), (C0_E1, M0_E1, 1.006 - 0.15 - 16 * 5.28 / 896), "residual", None),
    # spot at $0.40 of list $1.006: r = 0.4/1.006 scales CPU and RAM; g = 0.4 − r·0.2442857…
    (_node("gpu-spot", "g5.xlarge", E1, "spot"),
     (0.4 / 1.006 * C0_E1, 0.4 / 1.006 * M0_E1, 0.4 - 0.4 / 1.006 * (0.15 + 16 * 5.28 / 896)),
     "residual", None),
    # no GPU: c₀, m₀ rescaled to the node price: k = 0.12 / (2·0.0375 + 8·5.28/896) = 0.12 / 0.1221428…
    (_node("cpu", "m6i.large", E1),
     (0.12 / (0.075 + 42.24 / 896) * C0_E1, 0.12 / (0.075 + 42.24 / 896) * M0_E1, 0.0), "residual", None),
    # Fargate (no GPU): P = 2·0.04048 + 4·0.004445 = 0.09874; k = 0.09874 / (0.075 + 4·5.28/896)
    (_node("fargate", None, E1, "fargate", "fargate"),
     (0.09874 / (0.075 + 21.12 / 896) * C0_E1, 0.09874 / (0.075 + 21.12 / 896) * M0_E1, 0.0), "residual",
     None),
    # eu-west-1 → c5 generation (0.04, 0.005): k = 0.107 / (0.08 + 0.04) = 0.891666…
    (_node("cpu-eu", "m6i.large", W1), (0.107 / 0.12 * 0.04, 0.107 / 0.12 * 0.005, 0.0), "residual", None),
    # ap-south-1 → c7i generation (0.03, 0.004): g = 1.5 − (4·0.03 + 16·0.004) = 1.5 − 0.184 = 1.316
    (_node("gpu-ap", "g5.xlarge", AP), (0.03, 0.004, 1.316), "residual", None),
    # CPU+RAM at reference rates: 192·0.0375 + 2048·0.0058928… = 7.2 + 12.0685… = 19.27 > $5 → aws-scad:
    # unit = 5 / (9·1 + 0.9·192 + 0.1·2048) = 5 / 386.6
    (_node("negative", "g9.48xlarge", E1), (0.9 * 5 / 386.6, 0.1 * 5 / 386.6, 9 * 5 / 386.6), "aws-scad",
     "negative GPU residual"),
    # no reference family in sa-east-1 → aws-scad: unit = 2 / (9 + 0.9·4 + 0.1·16) = 2 / 14.2
    (_node("no-ref", "g5.xlarge", SA), (0.9 * 2 / 14.2, 0.1 * 2 / 14.2, 9 * 2 / 14.2), "aws-scad",
     "no reference family (c6i/m6i/r6i, c5/m5/r5, c7i/m7i/r7i) priced in region sa-east-1"),
    # override on a type with no on-demand price: no discount ratio → aws-scad:
    # unit = 50 / (9·8 + 0.9·192 + 0.1·2048) = 50 / 449.6
    (_node("no-list", "p5.48xlarge", E1), (0.9 * 50 / 449.6, 0.1 * 50 / 449.6, 9 * 50 / 449.6), "aws-scad",
     "no on-demand price to scale"),
]


@pytest.mark.parametrize(("node", "rates", "method", "note"), RESIDUAL_CASES,
                         ids=[case[0]["name"] for case in RESIDUAL_CASES])
def test_residual(node: dict[str, Any], rates: tuple[float, float, float], method: str,
                  note: str | None) -> None:
    row = _split([node], "residual")[node["name"]]
    assert _rates(row) == pytest.approx(rates, abs=1e-12)
    assert row["split_method"] == method
    if note is None:
        assert row["split_note"] is None
    else:
        assert note in row["split_note"]


def test_residual_gpu_rate_by_hand() -> None:
    # the first case, as a number a reader can check: 1.006 − 0.15 − 0.0942857142857 = 0.7617142857143
    assert _split([_node("gpu-od", "g5.xlarge", E1)], "residual")["gpu-od"]["usd_per_gpu_hour"] == (
        pytest.approx(0.7617142857143, abs=1e-12))


def test_aws_scad_reproduces_the_published_accelerated_example() -> None:
    # AWS CUR user guide, "Example of split cost allocation data for accelerated instances":
    # p3.16xlarge, 8 GPU, 64 vCPU, 488 GB, $10/h. unit = 10 / (9·8 + 0.1·488 + 0.9·64) = 10 / 178.4
    # = $0.056; GPU 9·unit = $0.504; vCPU 0.9·unit = $0.05 (the page's rounding).
    # The page prints $0.00506 per GB-hour, but 0.1 × $0.056 = $0.0056 (exactly 0.0056054): a typo on
    # AWS's page, so we assert our value, not the printed one.
    row = _split([_node("p3", "p3.16xlarge", E1)], "aws-scad")["p3"]
    c, m, g = _rates(row)
    assert round(10 / 178.4, 3) == 0.056
    assert round(g, 3) == 0.504
    assert round(c, 2) == 0.05
    assert round(m, 4) == 0.0056
    assert (c, m, g) == pytest.approx((9 / 178.4, 1 / 178.4, 90 / 178.4), abs=1e-15)
    assert row["split_method"] == "aws-scad" and row["split_note"] is None


def test_aws_scad_reproduces_the_published_cpu_only_example() -> None:
    # AWS CUR user guide, "Example of split cost allocation data": m5.xlarge, 4 vCPU, 16 GB, $1/h,
    # CPU:memory 9:1 → $0.17 per vCPU-hour, $0.02 per GB-hour (0.9/5.2 = 0.1731, 0.1/5.2 = 0.0192).
    c, m, g = _rates(_split([_node("m5", "m5.xlarge", E1)], "aws-scad")["m5"])
    assert (round(c, 2), round(m, 2), g) == (0.17, 0.02, 0.0)
    assert (c, m) == pytest.approx((0.9 / 5.2, 0.1 / 5.2), abs=1e-15)


def test_opencost_defaults_rescaled() -> None:
    # p3.16xlarge at $10: 64·0.031611 + 488·0.004237 + 8·0.95 = 2.023104 + 2.067656 + 7.6 = 11.69076
    # m6i.large at $0.12 (no GPU): 2·0.031611 + 8·0.004237 = 0.063222 + 0.033896 = 0.097118
    rows = _split([_node("p3", "p3.16xlarge", E1), _node("cpu", "m6i.large", E1)], "opencost")
    k = 10 / 11.69076
    assert _rates(rows["p3"]) == pytest.approx((k * 0.031611, k * 0.004237, k * 0.95), abs=1e-15)
    k = 0.12 / 0.097118
    assert _rates(rows["cpu"]) == pytest.approx((k * 0.031611, k * 0.004237, 0.0), abs=1e-15)
    assert rows["p3"]["split_method"] == "opencost"


@pytest.mark.parametrize("method", ["residual", "aws-scad", "opencost"])
def test_unpriced_and_capacityless_nodes_get_no_rates(method: str) -> None:
    nodes = [_node("unknown", "x9.large", E1),
             {**_node("empty", "m6i.large", E1), "vcpu": 0.0, "ram_gib": 0.0}]
    rows = _split(nodes, method)
    assert _rates(rows["unknown"]) == (None, None, None) and rows["unknown"]["split_note"] is None
    assert _rates(rows["empty"]) == (None, None, None)
    assert rows["empty"]["split_note"] == (
        "node reports no vCPU, memory or GPU capacity: its price cannot be split")


def test_unknown_method_is_rejected() -> None:
    priced = price_nodes(table_from_rows("nodes", [_node("a", "m6i.large", E1)]), CATALOG)
    with pytest.raises(ValueError, match="unknown split method 'even'"):
        split_node_rates(priced, CATALOG, "even")  # type: ignore[arg-type]


# --- the Σ identity, for every method, over random nodes and prices --------------------------------------

_random_node = st.tuples(
    st.floats(0.25, 192), st.floats(0.5, 2048), st.sampled_from([0, 1, 2, 4, 8]),   # vCPU, GiB, GPUs
    st.floats(0.01, 120),                                                            # list $/h
    st.sampled_from(["on-demand", "spot", "unknown"]), st.floats(0.05, 1.0),         # spot fraction
    st.sampled_from([E1, W1, AP, SA]),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_random_node, min_size=1, max_size=12))
def test_sum_identity_for_every_method(raw: list[tuple[float, float, int, float, str, float, str]]) -> None:
    specs, prices, nodes = list(SPECS), list(EC2), []
    for i, (vcpu, gib, gpus, usd, capacity, spot_fraction, region) in enumerate(raw):
        instance_type = f"z{i}.xlarge"
        specs.append({"instance_type": instance_type, "vcpu": vcpu, "memory_gib": gib, "gpu_count": gpus})
        prices.append({"region": region, "instance_type": instance_type, "ondemand_usd_per_hour": usd,
                       "spot_usd_per_hour": usd * spot_fraction})
        nodes.append({"name": f"n{i}", "instance_type": instance_type, "region": region,
                      "compute_type": "ec2", "capacity_type": capacity, "vcpu": vcpu, "ram_gib": gib,
                      "gpu_count": gpus, "hours": 1.0})
    catalog = make_catalog(ec2_rows=prices, spec_rows=specs)
    priced = price_nodes(table_from_rows("nodes", nodes), catalog)
    for method in ("residual", "aws-scad", "opencost"):
        out = split_node_rates(priced, catalog, method)
        total = (pl.col("vcpu") * pl.col("usd_per_vcpu_hour") + pl.col("ram_gib") * pl.col("usd_per_gib_hour")
                 + pl.col("priced_gpu_count") * pl.col("usd_per_gpu_hour"))
        check = out.select((total - pl.col("hourly_usd")).abs().alias("error"),
                           pl.min_horizontal(*(pl.col(c) for c in ("usd_per_vcpu_hour", "usd_per_gib_hour",
                                                                   "usd_per_gpu_hour"))).alias("lowest"))
        assert out.get_column("usd_per_vcpu_hour").null_count() == 0, method
        assert check.get_column("error").max() <= 1e-9, method       # type: ignore[operator]
        assert check.get_column("lowest").min() >= 0.0, method        # type: ignore[operator]
