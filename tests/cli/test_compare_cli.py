"""`genaicost compare` in process on the bundled catalogs; dollars by hand from the bundled prices:
g6e.12xlarge us-east-1 $10.49264 on-demand, $5.27635 spot (estimate); bedrock meta.llama3-1-70b $0.72 / $0.72 per 1M;
Llama-3.1-70B FP8 on 4x L40S, 5000/500 tokens: 249.52 output tok/s (TensorRT-LLM 0.17 table)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from genaicost.cli.main import app

runner = CliRunner()
BASE = ("--model", "Llama-3.1-70B", "--precision", "fp8", "--input-tokens-per-month", "1e9",
        "--output-tokens-per-month", "2e8", "--api", "bedrock/meta.llama3-1-70b")


def run(*args: str) -> Any:
    return runner.invoke(app, ["compare", *args])


def test_json_interface_and_hand_computed_dollars() -> None:
    result = run(*BASE, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data)[:3] == ["options", "break_even", "assumptions"]
    options = data["options"]
    for o in options:
        assert {"kind", "name", "instance_type", "purchase_option", "replicas", "monthly_usd", "usd_per_1m_tokens",
                "throughput_source"} <= set(o)
    assert [o["monthly_usd"] for o in options] == sorted(o["monthly_usd"] for o in options)
    api = next(o for o in options if o["kind"] == "api")
    assert api["monthly_usd"] == pytest.approx(1000 * 0.72 + 200 * 0.72)          # 864
    assert api["usd_per_1m_tokens"] == pytest.approx(0.72)
    # 2e8 / (730 × 3600) = 76.1 tok/s ≤ 249.52 × 0.7 → 1 replica
    spot = next(o for o in options if o["instance_type"] == "g6e.12xlarge" and o["purchase_option"] == "spot")
    assert (spot["replicas"], spot["monthly_usd"]) == (1, pytest.approx(5.27635 * 730))   # 3851.7355
    assert "249.52 output tok/s" in spot["throughput_source"] and "TensorRT-LLM@258c7540" in spot["throughput_source"]
    ondemand = next(o for o in options if o["instance_type"] == "g6e.12xlarge" and o["purchase_option"] == "on-demand")
    assert ondemand["monthly_usd"] == pytest.approx(10.49264 * 730)                # 7659.6272
    assert all(o["throughput_source"] for o in options if o["kind"] == "self-hosted")
    # never: a replica's full capacity (249.52 × 0.7 × 3600 × 730 = 459.0 M output tokens) costs
    # (0.72 × 6) / 1e6 × 459.0 M = $1,983 through the API < $3,851.74 for the replica
    assert data["break_even"][0]["first_total_tokens_per_month"] is None
    assumptions = data["assumptions"]
    assert (assumptions["target_utilization"], assumptions["kv_cache_headroom"], assumptions["hours_per_month"],
            assumptions["savings_plan_1y_discount"]) == (0.7, 0.2, 730.0, None)
    assert any(u["purchase_option"] == "savings-plan-3y" for u in data["unavailable"])


def test_assumptions_are_overridable_and_printed() -> None:
    result = run(*BASE, "--target-utilization", "0.1", "--hours-per-month", "720", "--savings-plan-3y-discount",
                 "0.5", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["assumptions"]["target_utilization"], data["assumptions"]["hours_per_month"]) == (0.1, 720.0)
    # 2e8 / (720 × 3600) = 77.16 tok/s > 249.52 × 0.1 = 24.95 → ⌈3.09⌉ = 4 replicas; 4 × 10.49264 × 0.5 × 720
    sp = next(o for o in data["options"] if o["instance_type"] == "g6e.12xlarge"
              and o["purchase_option"] == "savings-plan-3y")
    assert (sp["replicas"], sp["monthly_usd"]) == (4, pytest.approx(4 * 10.49264 * 0.5 * 720))
    table = run(*BASE, "--target-utilization", "0.1")
    assert "target utilization (--target-utilization)" in table.stdout and "0.1" in table.stdout


def test_docs_worked_example() -> None:
    """docs/compare.md §7: Llama-3.1-8B fp8, 2e9 in + 5e8 out tokens a month, vs Bedrock Llama 3.1 8B."""
    result = run("--model", "Llama-3.1-8B", "--precision", "fp8", "--input-tokens-per-month", "2e9",
                 "--output-tokens-per-month", "5e8", "--api", "bedrock/meta.llama3-1-8b", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    names = [(o["instance_type"] or o["name"], o["purchase_option"]) for o in data["options"][:2]]
    assert names == [("bedrock/meta.llama3-1-8b-instruct-v1:0", None), ("g6e.2xlarge", "spot")]
    assert [o["monthly_usd"] for o in data["options"][:2]] == [pytest.approx(550.0), pytest.approx(670.14)]
    even = {b["self_hosted"]: b for b in data["break_even"]}
    spot, ondemand = even["g6e.2xlarge spot fp8"], even["g6e.xlarge on-demand fp8"]
    assert spot["first_total_tokens_per_month"] == pytest.approx(3_046_090_909.09, abs=0.01)
    assert spot["sustained_total_tokens_per_month"] == pytest.approx(3_046_090_909.09, abs=0.01)
    assert ondemand["first_total_tokens_per_month"] == pytest.approx(6_175_136_363.64, abs=0.01)
    assert ondemand["sustained_total_tokens_per_month"] == pytest.approx(18_525_409_090.91, abs=0.01)


@pytest.mark.parametrize("fmt", ["table", "csv", "markdown", "html"])
def test_every_format(fmt: str, tmp_path: Path) -> None:
    out = tmp_path / f"compare.{fmt}"
    result = run(*BASE, "--format", fmt, "--output", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert "g6e.12xlarge" in text and "bedrock/meta.llama3-1-70b-instruct-v1:0" in text
    if fmt in ("table", "markdown", "html"):   # the sources and the assumptions are printed with the result
        assert "NVIDIA/TensorRT-LLM@258c7540" in text and "target utilization (--target-utilization)" in text
    if fmt == "html":
        assert "<svg" in text and "$3,851.74" in text and "Self-hosted" in text
    if fmt == "csv":
        assert text.splitlines()[0].startswith("kind,name,instance_type,purchase_option,precision,replicas")
        assert "3851.74" in text and "864.00" in text


def test_api_prices_file(tmp_path: Path) -> None:
    prices = tmp_path / "prices.csv"
    prices.write_text("provider,model,input_usd_per_1m,output_usd_per_1m,source\nacme,llama-70b,0.1,0.2,acme 2026\n")
    result = run(*BASE[:-1], "acme/", "--api-prices", str(prices), "--format", "json")
    assert result.exit_code == 0, result.output
    api = [o for o in json.loads(result.stdout)["options"] if o["kind"] == "api"]
    assert [(o["name"], o["monthly_usd"]) for o in api] == [("acme/llama-70b", pytest.approx(100 + 40))]


def test_what_if_on_the_demo() -> None:
    result = run("--what-if", "--demo", "--instance-family", "g6e", "--purchase-option", "spot", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    g5 = next(n for n in data["nodes"] if n["instance_type"] == "g5.12xlarge" and n["capacity_type"] == "on-demand")
    # g5.12xlarge: 4 A10G, 89.41 GiB → g6e.12xlarge (4 L40S, 178.81 GiB), the cheapest g6e with ≥ 4 GPUs at spot
    assert g5["current_monthly_usd"] == pytest.approx(5.672 * 730)           # 4140.56
    assert (g5["target_instance_type"], g5["target_monthly_usd"]) == ("g6e.12xlarge", pytest.approx(5.27635 * 730))
    assert data["monthly_savings_usd"] == pytest.approx(data["current_monthly_usd"] - data["target_monthly_usd"])
    html = run("--what-if", "--demo", "--instance-family", "g6e", "--purchase-option", "spot", "--format", "html")
    assert html.exit_code == 0 and "<svg" in html.stdout


@pytest.mark.parametrize(("args", "message"), [
    (("--model", "Llama-9", "--input-tokens-per-month", "1", "--output-tokens-per-month", "1"),
     "unknown model 'Llama-9'"),
    (("--model", "70b", "--precision", "fp4", "--input-tokens-per-month", "1", "--output-tokens-per-month", "1"),
     "unknown precision 'fp4'"),
    (("--model", "70b", "--input-tokens-per-month", "-5", "--output-tokens-per-month", "1"),
     "--input-tokens-per-month: -5 is not a token/request count"),
    (("--model", "70b", "--input-tokens-per-month", "5"), "--output-tokens-per-month: missing"),
    (("--input-tokens-per-month", "5", "--output-tokens-per-month", "5"), "--model: missing"),
    (("--model", "70b", "--instance-family", "g6e", "--input-tokens-per-month", "5", "--output-tokens-per-month",
      "5"), "--instance-family only apply with --what-if"),
    (("--model", "70b", "--resolution", "1m", "--input-tokens-per-month", "5", "--output-tokens-per-month", "5"),
     "--resolution only apply with --prometheus URL"),
    ((*BASE, "--measured-throughput", "off"), "--measured-throughput only apply with a source"),
    # checked before the source is queried (nothing listens on this loopback port)
    (("--model", "Llama-9", "--input-tokens-per-month", "1", "--output-tokens-per-month", "1", "--prometheus",
      "http://127.0.0.1:9"), "unknown model 'Llama-9'"),
    ((*BASE, "--prometheus", "http://127.0.0.1:9", "--measured-utilization-floor", "2"),
     "--measured-utilization-floor: 2: expected a GPU busy fraction"),
    ((*BASE, "--window", "2h"), "--window only apply with a source"),
    ((*BASE, "--demo", "--measured-throughput", "maybe"), "--measured-throughput: 'maybe': expected auto or off"),
    ((*BASE, "--demo", "--measured-precision", "fp4"), "--measured-precision: 'fp4': expected bf16"),
    (("--what-if", "--demo", "--instance-family", "g6e", "--measured-precision", "fp8"),
     "--measured-precision do not apply with --what-if"),
    (("--what-if", "--demo"), "--instance-family g6e"),
    (("--what-if", "--instance-family", "g6e"), "--what-if needs a source"),
    (("--what-if", "--demo", "--instance-family", "g6e", "--model", "70b"), "--model do not apply with --what-if"),
    (("--what-if", "--demo", "--instance-family", "q1"), "no GPU/accelerator instance family 'q1'"),
    ((*BASE, "--api-prices", "/nonexistent/prices.csv"), "cannot read the CSV"),
])
def test_bad_input_exits_2(args: tuple[str, ...], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())


def test_what_if_from_the_real_prometheus(prometheus_factory: Any) -> None:
    """The churn scenario (tests/prom/scenarios.py): a g5.12xlarge spot node ($2.1824/h, bundled estimate) present 3 h
    of the 6 h window (occupancy 0.5), 4 A10G = 89.41 GiB; the m6i.xlarge has no GPU and is not re-priced."""
    inst = prometheus_factory("churn")
    span = f"{inst.window.start.isoformat()},{inst.window.end.isoformat()}"
    result = run("--what-if", "--prometheus", inst.url, "--window", span, "--resolution", "1m",
                 "--instance-family", "g6e", "--purchase-option", "spot", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [n["instance_type"] for n in data["nodes"]] == ["g5.12xlarge"]
    node = data["nodes"][0]
    assert node["occupancy"] == pytest.approx(0.5)
    assert node["current_monthly_usd"] == pytest.approx(2.1824 * 730 * 0.5)          # 796.58
    assert (node["target_instance_type"], node["target_monthly_usd"]) == (
        "g6e.12xlarge", pytest.approx(5.27635 * 730 * 0.5))                           # 1925.87
    assert data["monthly_savings_usd"] == pytest.approx((2.1824 - 5.27635) * 730 * 0.5)
