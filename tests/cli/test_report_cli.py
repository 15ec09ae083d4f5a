"""`genaicost report` end to end, in process (typer's CliRunner), on the demo cluster and saved files."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from genaicost.cli.main import app
from genaicost.cli.report import FormatChoice
from genaicost.domain.report import Report
from genaicost.render import RENDERERS
from genaicost.render.money import cents
from genaicost.sources.demo import demo_objects

GOLDEN_REPORT = Path(__file__).resolve().parents[1] / "data" / "golden" / "sample_report.json"
runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["report", *args])
    return result.exit_code, result.stdout, result.stderr


def demo_json(*args: str) -> Report:
    code, out, err = run("--demo", "--format", "json", *args)
    assert code == 0, err
    return Report.model_validate_json(out)


def assert_sums_to_total(report: Report) -> None:
    lines = sum(a.total_usd for a in report.allocations) + report.idle.total_usd + report.overhead.total_usd
    assert abs(lines - report.totals.total_usd) < 0.005
    assert cents(lines) == cents(report.totals.total_usd)


def test_format_choices_match_the_renderers() -> None:
    assert [f.value for f in FormatChoice] == list(RENDERERS)


def test_demo_json_is_a_report_whose_lines_sum_to_the_total() -> None:
    report = demo_json()
    assert report.cluster == "genai-prod" and report.source == "demo"
    assert report.aggregate == ["namespace"]
    assert_sums_to_total(report)
    names = {a.name for a in report.allocations}
    assert {"llm-serving", "kube-system", "ml-dev", "__idle__", "__overhead__"} <= names
    assert report.totals.monthly_usd == pytest.approx(report.totals.hourly_usd * 730)
    assert len(report.nodes) == 13


@pytest.mark.parametrize(
    "args",
    [
        ("--aggregate", "label:model"),
        ("--aggregate", "namespace,controller", "--split", "aws-scad"),
        ("--share-idle", "--share-overhead", "--shared-namespaces", "kube-system,monitoring"),
        ("--no-include-idle", "--eks-support", "extended", "--window", "24h"),
    ],
)
def test_invariant_holds_for_options(args: tuple[str, ...]) -> None:
    assert_sums_to_total(demo_json(*args))


def test_aggregate_by_model_label() -> None:
    report = demo_json("--aggregate", "label:model")
    assert report.aggregate == ["label:model"]
    by_name = {a.name: a for a in report.allocations}
    assert {"llama-3.1-8b-instruct", "qwen2.5-32b-instruct", "llama-3.1-70b-instruct"} <= set(by_name)
    assert by_name["llama-3.1-70b-instruct"].gpu_hours == pytest.approx(8.0)  # TP=4 × 2 replicas, 1 h
    assert by_name["llama-3.1-70b-instruct"].properties == {"label:model": "llama-3.1-70b-instruct"}


def test_window_scales_the_window_cost_not_the_run_rate() -> None:
    hour, day = demo_json(), demo_json("--window", "24h")
    assert day.window.hours == 24.0
    assert day.totals.total_usd == pytest.approx(hour.totals.total_usd * 24)
    assert day.totals.hourly_usd == pytest.approx(hour.totals.hourly_usd)


@pytest.mark.parametrize("fmt", list(RENDERERS))
def test_every_format_renders_the_demo(fmt: str) -> None:
    code, out, err = run("--demo", "--format", fmt)
    assert code == 0, err
    assert "genai-prod" in out or fmt == "csv"
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        total = sum(Decimal(r["total_usd"]) for r in rows)
        report = demo_json()
        assert abs(total - cents(report.totals.total_usd)) <= Decimal("0.01") * len(rows)


def test_from_round_trip_json_to_html(tmp_path: Path) -> None:
    saved = tmp_path / "report.json"
    code, _, err = run("--demo", "--format", "json", "--output", str(saved))
    assert code == 0, err
    original = Report.model_validate_json(saved.read_text())
    code, page, err = run("--from", str(saved), "--format", "html")
    assert code == 0, err
    assert "<!DOCTYPE html>" in page and "genai-prod" in page
    assert f"{cents(original.totals.monthly_usd):,}" in page
    code, again, _ = run("--from", str(saved), "--format", "json")
    assert Report.model_validate_json(again) == original


def test_from_reads_the_golden_report() -> None:
    code, out, err = run("--from", str(GOLDEN_REPORT), "--format", "markdown")
    assert code == 0, err
    assert out == (GOLDEN_REPORT.parent / "sample_report.md").read_text()


def test_output_is_written_and_a_failing_run_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "out.html"
    code, out, _ = run("--demo", "--format", "html", "--output", str(target))
    assert code == 0 and out == ""
    assert target.read_text().startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["out.html"]  # no temp file left behind
    failed = tmp_path / "failed.csv"
    code, _, _ = run("--demo", "--aggregate", "flavour", "--format", "csv", "--output", str(failed))
    assert code == 2 and not failed.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["out.html"]


def test_save_snapshot_then_replay(tmp_path: Path) -> None:
    snap = tmp_path / "snap.json"
    code, out, err = run("--demo", "--format", "json", "--save-snapshot", str(snap))
    assert code == 0, err
    first = Report.model_validate_json(out)
    code, out, err = run("--snapshot", str(snap), "--format", "json")
    assert code == 0, err
    replay = Report.model_validate_json(out)
    assert replay.totals == first.totals and replay.allocations == first.allocations


def test_kubectl_json_snapshot(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    listing = tmp_path / "cluster.json"
    listing.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "List",
                "metadata": {"resourceVersion": ""},
                "items": demo_objects(datetime(2025, 6, 1, tzinfo=UTC)),
            }
        )
    )
    code, out, err = run("--snapshot", str(listing), "--format", "json", "--window", "30m")
    assert code == 0, err
    report = Report.model_validate_json(out)
    assert report.window.hours == 0.5 and len(report.nodes) == 13
    assert_sums_to_total(report)


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (("--demo", "--aggregate", "flavour"), ["--aggregate", "flavour", "label:KEY", "namespace"]),
        (("--demo", "--format", "xlsx"), ["--format", "xlsx", "table", "html"]),
        (("--demo", "--split", "even"), ["--split", "residual", "aws-scad", "opencost"]),
        (("--demo", "--window", "3x"), ["window '3x': expected a duration like 30m, 24h or 7d"]),
        (("--demo", "--window", "lastmonth"), ["needs a history source"]),
        (("--demo", "--snapshot", "x.json"), ["--demo", "--snapshot", "two sources"]),
        (("--demo", "--context", "prod"), ["--demo", "--kubeconfig/--context", "two sources"]),
        (("--from", "missing.json"), ["--from", "cannot read"]),
        (("--snapshot", "does-not-exist.json"), ["does-not-exist.json", "no such file"]),
        (("--demo", "--io-cost-ratio", "0"), ["--io-cost-ratio", "more than zero"]),
        (("--demo", "--model-label", " "), ["--model-label", "must not be empty"]),
    ],
)
def test_bad_input_exits_2_naming_the_option(args: tuple[str, ...], needles: list[str]) -> None:
    code, out, err = run(*args)
    assert code == 2
    assert out == ""
    message = " ".join(err.split())
    for needle in needles:
        assert needle in message


def test_from_rejects_a_file_that_is_not_a_report(tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    other.write_text('{"kind": "List", "items": []}')
    code, _, err = run("--from", str(other))
    assert code == 2 and "not a genaicost report" in err


def test_from_rejects_collection_options() -> None:
    code, _, err = run("--from", str(GOLDEN_REPORT), "--demo", "--aggregate", "pod")
    assert code == 2
    assert "--demo" in err and "--aggregate" in err
    code, _, err = run("--from", str(GOLDEN_REPORT), "--io-cost-ratio", "2")
    assert code == 2 and "--io-cost-ratio" in err


def test_model_label_and_io_cost_ratio_shape_inference_lines_as_in_the_inference_command(tmp_path: Path) -> None:
    """A snapshot whose serving metrics (TGI-like: no model name, no prefill/decode time) name no model: the
    model comes from the pod label --model-label, the input/output split from --io-cost-ratio."""
    from dataclasses import replace
    from datetime import UTC, datetime

    from genaicost.domain.snapshot import table_from_rows
    from genaicost.sources.demo import demo_snapshot
    from genaicost.sources.snapshot_file import save_snapshot

    snap = demo_snapshot(datetime(2026, 7, 1, 12, 0, tzinfo=UTC), window_hours=2.0)
    gpu_pods = (
        snap.containers.filter((snap.containers["gpu_request"] > 0) & (snap.containers["phase"] == "Running"))
        .select("namespace", "pod").unique().sort("pod").head(2).rows()
    )
    rows = [{"namespace": ns, "pod": pod, "model": None, "engine": "tgi", "input_tokens": 600e3,
             "output_tokens": 150e3, "requests": 500.0} for ns, pod in gpu_pods]
    saved = tmp_path / "snap.json"
    save_snapshot(replace(snap, model_usage=table_from_rows("model_usage", rows)), saved)
    options = ("--snapshot", str(saved), "--format", "json", "--spot-prices", "bundled")
    chosen = ("--model-label", "team", "--io-cost-ratio", "3")

    def inference(command: str, *args: str) -> list[dict[str, object]]:
        result = runner.invoke(app, [command, *options, *args])
        assert result.exit_code == 0, result.output
        lines: list[dict[str, object]] = json.loads(result.stdout)["inference"]
        return lines

    default = inference("report")
    assert default and {line["io_split"] for line in default} == {"ratio:4"}
    lines = inference("report", *chosen)
    assert {line["io_split"] for line in lines} == {"ratio:3"}
    assert {line["model"] for line in lines} != {line["model"] for line in default}
    same = inference("inference", *chosen)  # the same lines, up to float summation order
    assert [(line["model"], line["io_split"]) for line in lines] == [(line["model"], line["io_split"]) for line in same]
    for key in ("cost_usd", "usd_per_1m_input_tokens", "usd_per_1m_output_tokens"):
        assert [line[key] for line in lines] == pytest.approx([line[key] for line in same])


def test_help_lists_every_option() -> None:
    result = runner.invoke(app, ["report", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for option in (
        "--demo",
        "--snapshot",
        "--kubeconfig",
        "--context",
        "--window",
        "--aggregate",
        "--split",
        "--include-idle",
        "--share-idle",
        "--shared-namespaces",
        "--share-overhead",
        "--eks-support",
        "--model-label",
        "--io-cost-ratio",
        "--format",
        "--output",
        "--catalog-dir",
        "--overrides",
        "--from",
        "--save-snapshot",
    ):
        assert option in result.stdout
