"""`genaicost forecast`: CSV and store histories, the JSON shape, bad input (exit 2 with the line), fallbacks."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

from genaicost.app.cost_history import daily_costs_from_store
from genaicost.cli.main import app
from genaicost.store import HistoryStore, HourMeta, open_store

runner = CliRunner()
NOV1 = date(2026, 11, 1)
POINT_KEYS = {"date", "cost_usd", "lower_80", "upper_80", "lower_95", "upper_95"}


def write_csv(path: Path, rows: list[str], header: str = "date,cost_usd") -> Path:
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["forecast", *args])
    return result.exit_code, " ".join(result.output.split())


def daily_rows(values: list[float], key: str | None = None) -> list[str]:
    return [f"{NOV1 + timedelta(days=i)},{v}" + (f",{key}" if key else "") for i, v in enumerate(values)]


def test_json_shape_and_month_end_of_a_constant_history(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "h.csv", daily_rows([100.0] * 20))
    code, out = run("--history", str(path), "--horizon", "3", "--today", "2026-11-21", "--format", "json")
    assert code == 0, out
    body = json.loads(out)
    assert set(body) == {"forecast", "month_end", "model", "notes"}
    assert [set(p) for p in body["forecast"]] == [POINT_KEYS] * 3
    assert [p["date"] for p in body["forecast"]] == ["2026-11-21", "2026-11-22", "2026-11-23"]
    assert body["forecast"][0]["cost_usd"] == 100.0 and body["model"] == "constant"
    assert body["month_end"] == {"date": "2026-11-30", "actual_to_date_usd": 2000.0, "projected_usd": 3000.0,
                                 "lower_80": 3000.0, "upper_80": 3000.0, "lower_95": 3000.0, "upper_95": 3000.0}


def test_short_history_names_the_fallback_model(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "h.csv", daily_rows([10.0, 12.0, 14.0]))
    code, out = run("--history", str(path), "--horizon", "2", "--today", "2026-11-04", "--format", "json")
    assert code == 0, out
    body = json.loads(out)
    assert body["model"] == "mean" and body["forecast"][0]["cost_usd"] == 12.0
    assert body["month_end"]["projected_usd"] == 360.0        # 36 actual + 27 days × 12


def test_backtest_adds_its_four_fields(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "h.csv", daily_rows([10.0 + 2.0 * t for t in range(13)]))
    code, out = run("--history", str(path), "--horizon", "1", "--today", "2026-11-14", "--backtest", "--format",
                    "json")
    assert code == 2 and "a backtest needs at least 21" in out      # 13 days < 14 to fit + 7 to check
    path = write_csv(tmp_path / "h.csv", daily_rows([50.0] * 24))
    code, out = run("--history", str(path), "--horizon", "1", "--today", "2026-11-25", "--backtest", "--format",
                    "json")
    assert code == 0, out
    assert json.loads(out)["backtest"] == {"mape": 0.0, "coverage_80": 100.0, "coverage_95": 100.0, "origins": 4}


@pytest.mark.parametrize(("rows", "expected"), [
    (["2026-11-01,10", "2026-11-02,abc"], "line 3: cost_usd 'abc'"),
    (["2026-11-01,10", "2026-11-32,1"], "line 3: date '2026-11-32' is not a date"),
    (["2026-11-01,10", "2026-11-02,-1"], "line 3: cost_usd '-1'"),
    (["2026-11-01,10", "2026-11-01,11"], "line 3: 2026-11-01 already given on line 2"),
    (["2026-11-01,10,x"], "line 2: 3 fields; expected 2"),
    (["2026-11-01,10", "2026-11-04,11"], "2 missing day(s): 2026-11-02, 2026-11-03"),
])
def test_bad_csv_exits_2_naming_the_line(tmp_path: Path, rows: list[str], expected: str) -> None:
    path = write_csv(tmp_path / "bad.csv", rows)
    out_file = tmp_path / "out.json"
    code, out = run("--history", str(path), "--horizon", "2", "--format", "json", "-o", str(out_file))
    assert code == 2
    assert "bad.csv" in out and expected in out
    assert not out_file.exists()


def test_bad_header_and_both_sources(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "h.csv", ["2026-11-01,1"], header="day,usd")
    code, out = run("--history", str(path))
    assert code == 2 and "line 1: header day,usd" in out
    code, out = run("--history", str(path), "--store", "sqlite:////tmp/x.db")
    assert code == 2 and "exactly one of" in out


def test_gaps_filled_by_the_zero_and_linear_rules(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "h.csv", ["2026-11-01,10", "2026-11-03,20", "2026-11-04,20"])
    code, out = run("--history", str(path), "--fill-gaps", "linear", "--today", "2026-11-05", "--format", "json")
    assert code == 0, out
    body = json.loads(out)
    assert body["month_end"]["actual_to_date_usd"] == 65.0          # 10 + 15 (interpolated) + 20 + 20
    assert "1 missing day(s) filled (linear): 2026-11-02" in body["notes"][0]
    code, out = run("--history", str(path), "--fill-gaps", "zero", "--today", "2026-11-05", "--format", "json")
    assert json.loads(out)["month_end"]["actual_to_date_usd"] == 50.0


def test_keyed_csv_gives_one_series_per_key(tmp_path: Path) -> None:
    rows = daily_rows([5.0] * 5, "llm") + daily_rows([1.0, 2.0, 3.0, 4.0, 5.0], "batch") + ["2026-11-05,9,new"]
    path = write_csv(tmp_path / "h.csv", rows, header="date,cost_usd,key")
    code, out = run("--history", str(path), "--horizon", "1", "--today", "2026-11-06", "--format", "json")
    assert code == 0, out
    body = json.loads(out)
    assert body["aggregate"] == "key" and [s["key"] for s in body["series"]] == ["batch", "llm"]
    batch, llm = body["series"]
    assert batch["model"] == "linear-trend" and batch["forecast"][0]["cost_usd"] == 6.0
    assert llm["model"] == "constant" and llm["month_end"]["projected_usd"] == 150.0
    assert body["notes"] == ["series 'new' skipped: 1 day(s) of history (< 2)"]


def test_csv_and_table_formats(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "h.csv", daily_rows([100.0] * 20))
    result = runner.invoke(app, ["forecast", "--history", str(path), "--horizon", "2", "--today", "2026-11-21",
                                 "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [(r["kind"], r["date"], r["cost_usd"]) for r in rows] == [
        ("day", "2026-11-21", "100.00"), ("day", "2026-11-22", "100.00"), ("month-end", "2026-11-30", "3000.00")]
    code, out = run("--history", str(path), "--horizon", "2", "--today", "2026-11-21", "--anomalies")
    assert code == 0 and "$3,000.00" in out and "model constant" in out


META = HourMeta(source="test", exact=True, prices_as_of="2026-11-01", total_usd=0.0)


def hourly_store(path: Path) -> HistoryStore:
    """Nov 1–3 complete (24 h each) + 5 hours of Nov 4. Per hour: namespace llm $d (day index d+1: 1, 2, 3, 4),
    namespace web $0.5 (Nov 1 and 3 only), __idle__ $0.25, overhead $0.10; pods labelled team=a (llm) / none."""
    store = open_store(f"sqlite:///{path}")
    start = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp())
    for h in range(3 * 24 + 5):
        day = h // 24
        llm = float(day + 1)
        rows: list[dict[str, Any]] = [
            {"kind": "namespace", "key": "llm", "namespace": "llm", "total_usd": llm},
            {"kind": "pod", "key": "llm/p", "namespace": "llm", "pod": "p", "labels": '{"team": "a"}',
             "total_usd": llm},
            {"kind": "idle", "key": "__idle__", "total_usd": 0.25},
            {"kind": "idle", "key": "node-1", "total_usd": 0.25},
            {"kind": "overhead", "key": "__overhead__", "total_usd": 0.1}]
        if day in (0, 2):
            rows += [{"kind": "namespace", "key": "web", "namespace": "web", "total_usd": 0.5},
                     {"kind": "pod", "key": "web/q", "namespace": "web", "pod": "q", "labels": "{}",
                      "total_usd": 0.5}]
        total = sum(r["total_usd"] for r in rows if r["kind"] == "namespace") + 0.35
        store.write_hour("c1", start + 3600 * h, pl.DataFrame(rows, infer_schema_length=None),
                         HourMeta(source="test", exact=True, prices_as_of="2026-11-01", total_usd=total))
    return store


def test_daily_costs_from_the_store_by_hand(tmp_path: Path) -> None:
    store = hourly_store(tmp_path / "h.db")
    total = daily_costs_from_store(store, cluster=None, aggregate=None, start=NOV1, end=date(2026, 11, 5))
    # Nov 4 has 5 hours: not complete, left out. Per day: 24 × (llm + web + 0.35)
    assert total["date"].to_list() == [NOV1, date(2026, 11, 2), date(2026, 11, 3)]
    assert total["cost_usd"].to_list() == pytest.approx([24 * 1.85, 24 * 2.35, 24 * 3.85])
    by_ns = daily_costs_from_store(store, cluster="c1", aggregate="namespace", start=NOV1, end=date(2026, 11, 5))
    got = {(r["key"], r["date"].day): r["cost_usd"] for r in by_ns.iter_rows(named=True)}
    assert got == pytest.approx({("llm", 1): 24.0, ("llm", 2): 48.0, ("llm", 3): 72.0, ("web", 1): 12.0,
                                 ("web", 2): 0.0, ("web", 3): 12.0, ("__idle__", 1): 6.0, ("__idle__", 2): 6.0,
                                 ("__idle__", 3): 6.0, ("__overhead__", 1): 2.4, ("__overhead__", 2): 2.4,
                                 ("__overhead__", 3): 2.4})
    by_team = daily_costs_from_store(store, cluster=None, aggregate="label:team", start=NOV1, end=date(2026, 11, 4))
    team = {(r["key"], r["date"].day): r["cost_usd"] for r in by_team.iter_rows(named=True)}
    assert team[("a", 2)] == pytest.approx(48.0) and team[("__unallocated__", 3)] == pytest.approx(12.0)
    assert daily_costs_from_store(store, cluster="other", aggregate=None, start=NOV1, end=date(2026, 11, 5)).height == 0
    store.close()


def test_forecast_from_the_store_per_namespace(tmp_path: Path) -> None:
    hourly_store(tmp_path / "h.db").close()
    code, out = run("--store", f"sqlite:///{tmp_path / 'h.db'}", "--aggregate", "namespace", "--horizon", "1",
                    "--today", "2026-11-04", "--format", "json")
    assert code == 0, out
    body = json.loads(out)
    series = {s["key"]: s for s in body["series"]}
    assert set(series) == {"__idle__", "__overhead__", "llm", "web"}
    assert series["llm"]["model"] == "mean" and series["llm"]["forecast"][0]["cost_usd"] == 48.0
    assert series["llm"]["month_end"]["actual_to_date_usd"] == 144.0
    assert series["__idle__"]["model"] == "constant" and series["__idle__"]["month_end"]["projected_usd"] == 180.0
    code, out = run("--store", f"sqlite:///{tmp_path / 'h.db'}", "--aggregate", "pod", "--today", "2026-11-04")
    assert code == 2 and "unknown aggregate 'pod'" in out
