"""The API in-process (httpx over ASGI): auth, JSON errors, probes, and /allocation numbers checked by hand."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import polars as pl
import pytest
from fastapi import FastAPI

from genaicost.api.app import create_app
from genaicost.app.serve_settings import CollectSettings, ServeSettings
from genaicost.domain.errors import InputError
from genaicost.store import HistoryStore, HourMeta, open_store

TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
H0 = datetime(2026, 11, 27, 12, tzinfo=UTC)
S0 = int(H0.timestamp())
SPAN = "2026-11-27T12:00:00Z,2026-11-27T14:00:00Z"
META = HourMeta(source="test", exact=True, prices_as_of="2026-11-01", total_usd=0.0)


def get(app: FastAPI, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
    async def run() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app") as client:
            return await client.get(path, headers=headers)

    return asyncio.run(run())


def hand_store(path: Path) -> HistoryStore:
    """Two hours. Hour 0: namespace a $3 (cpu $2 + ram $1; 4 core-h requested, 2 used), b $1; idle $2 (node n1
    $1.50, n2 $0.50); overhead $0.10. Hour 1: a $3 again (same quantities), no b; idle $1 (n1); overhead $0.10."""
    store = open_store(f"sqlite:///{path}")
    a = {"kind": "namespace", "key": "a", "namespace": "a", "cpu_usd": 2.0, "ram_usd": 1.0, "total_usd": 3.0,
         "cpu_core_hours": 4.0, "cpu_request_core_hours": 4.0, "cpu_usage_core_hours": 2.0,
         "cpu_measured_request_core_hours": 4.0, "ram_gib_hours": 8.0}
    b = {"kind": "namespace", "key": "b", "namespace": "b", "cpu_usd": 1.0, "total_usd": 1.0, "cpu_core_hours": 1.0}
    pod_a = a | {"kind": "pod", "key": "a/p1", "pod": "a/p1", "node": "n1", "labels": '{"team": "x"}'}
    pod_b = b | {"kind": "pod", "key": "b/p2", "pod": "b/p2", "node": "n2", "labels": "{}"}

    def idle(node: str, usd: float) -> dict[str, Any]:
        return {"kind": "idle", "key": node, "node": node, "cpu_usd": usd, "total_usd": usd}

    overhead = {"kind": "overhead", "key": "__overhead__", "overhead_usd": 0.1, "total_usd": 0.1}
    hour0 = [a, b, pod_a, pod_b, idle("n1", 1.5), idle("n2", 0.5), idle("__idle__", 2.0), overhead]
    hour1 = [a, pod_a, idle("n1", 1.0), idle("__idle__", 1.0), overhead]
    for offset, rows in ((0, hour0), (3600, hour1)):
        store.write_hour("c1", S0 + offset, pl.DataFrame(rows, infer_schema_length=None), META)
    return store


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    settings = ServeSettings(store_url=f"sqlite:///{tmp_path / 'h.db'}", api_token=TOKEN)
    return create_app(settings, store=hand_store(tmp_path / "h.db"))


def allocation(app: FastAPI, query: str) -> list[dict[str, dict[str, Any]]]:
    resp = get(app, f"/allocation?window={SPAN}&{query}", AUTH)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["code"] == 200
    return body["data"]


def test_allocation_by_namespace_by_hand(app: FastAPI) -> None:
    (data,) = allocation(app, "aggregate=namespace&includeIdle=true")
    assert {k: round(v["totalCost"], 6) for k, v in data.items()} == {
        "a": 6.0, "b": 1.0, "__idle__": 3.0, "__overhead__": 0.2}
    a = data["a"]
    assert a["properties"] == {"namespace": "a"}
    assert a["window"] == {"start": "2026-11-27T12:00:00Z", "end": "2026-11-27T14:00:00Z"}
    assert (a["start"], a["end"], a["minutes"]) == ("2026-11-27T12:00:00Z", "2026-11-27T14:00:00Z", 120.0)
    assert (a["cpuCoreHours"], a["cpuCores"], a["cpuCost"], a["ramCost"]) == (8.0, 4.0, 4.0, 2.0)
    assert a["ramByteHours"] == 16 * 2**30 and a["ramBytes"] == 8 * 2**30
    assert a["cpuEfficiency"] == 0.5                        # (2 + 2) used of (4 + 4) requested core-hours
    assert a["ramEfficiency"] == 0.0 and a["totalEfficiency"] == 0.5    # RAM unmeasured: CPU's $4 × 0.5 ÷ $4
    assert data["b"]["totalEfficiency"] == 0.0              # nothing measured: 0, as OpenCost
    assert data["b"]["minutes"] == 60.0 and data["b"]["end"] == "2026-11-27T13:00:00Z"


def test_idle_is_left_out_unless_asked_like_opencost(app: FastAPI) -> None:
    (data,) = allocation(app, "aggregate=namespace")
    assert set(data) == {"a", "b", "__overhead__"}


def test_share_idle_in_proportion_to_cost(app: FastAPI) -> None:
    (data,) = allocation(app, "aggregate=namespace&shareIdle=true")
    # idle $3 over a $6 and b $1: a gets 6/7 × 3, b 1/7 × 3
    assert data["a"]["idleCost"] == pytest.approx(18 / 7) and data["b"]["idleCost"] == pytest.approx(3 / 7)
    assert data["a"]["totalCost"] == pytest.approx(6 + 18 / 7)
    assert "__idle__" not in data


def test_pods_without_the_label_receive_idle_like_the_report(app: FastAPI) -> None:
    (data,) = allocation(app, "aggregate=label:team&shareIdle=true")
    assert data["x"]["idleCost"] == pytest.approx(18 / 7)
    assert data["__unallocated__"]["idleCost"] == pytest.approx(3 / 7)    # b's pod has no team label


def test_share_idle_by_node(app: FastAPI) -> None:
    (data,) = allocation(app, "aggregate=namespace&shareIdle=true&idleByNode=true")
    # n1 idle $2.50 all to a (the only pod on n1); n2 idle $0.50 to b
    assert data["a"]["idleCost"] == pytest.approx(2.5) and data["b"]["idleCost"] == pytest.approx(0.5)


def test_idle_by_node_lines(app: FastAPI) -> None:
    (data,) = allocation(app, "aggregate=namespace&includeIdle=true&idleByNode=true")
    assert data["n1/__idle__"]["totalCost"] == 2.5 and data["n2/__idle__"]["totalCost"] == 0.5


def test_steps_and_accumulate(app: FastAPI) -> None:
    first, second = allocation(app, "aggregate=namespace&step=1h")
    assert (first["a"]["totalCost"], first["b"]["totalCost"]) == (3.0, 1.0) and "b" not in second
    assert second["a"]["window"] == {"start": "2026-11-27T13:00:00Z", "end": "2026-11-27T14:00:00Z"}
    (acc,) = allocation(app, "aggregate=namespace&step=1h&accumulate=true")
    assert acc["a"]["totalCost"] == 6.0


def test_label_node_and_unix_window(app: FastAPI) -> None:
    (data,) = allocation(app, "aggregate=label:team")
    assert data["x"]["totalCost"] == 6.0 and data["x"]["properties"] == {"labels": {"team": "x"}}
    assert data["__unallocated__"]["totalCost"] == 1.0
    resp = get(app, f"/allocation?window={S0},{S0 + 7200}&aggregate=node,namespace", AUTH)
    (by_node,) = resp.json()["data"]
    assert by_node["n1/a"]["totalCost"] == 6.0 and by_node["n1/a"]["properties"] == {"node": "n1", "namespace": "a"}


@pytest.mark.parametrize(("path", "word"), [
    ("/allocation?window=yesterdayish", "window"),
    ("/allocation", "window"),
    (f"/allocation?window={SPAN}&aggregate=flavour", "aggregate"),
    (f"/allocation?window={SPAN}&aggregate=annotation:x", "annotations are not kept"),
    (f"/allocation?window={SPAN}&step=90m", "step"),
    (f"/allocation?window={SPAN}&shareIdle=maybe", "shareIdle"),
    ("/allocation?window=2026-11-27T14:00:00Z,2026-11-27T12:00:00Z", "must be after"),
])
def test_bad_parameters_are_400_json_naming_the_parameter(app: FastAPI, path: str, word: str) -> None:
    resp = get(app, path, AUTH)
    assert resp.status_code == 400
    body = resp.json()
    assert body["code"] == 400 and word in body["message"]


def test_auth(app: FastAPI) -> None:
    missing = get(app, f"/allocation?window={SPAN}")
    assert missing.status_code == 401 and missing.json()["code"] == 401
    assert "Authorization" in missing.json()["message"]
    wrong = get(app, f"/allocation?window={SPAN}", {"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and "wrong" in wrong.json()["message"]
    for path in ("/inference?window=7d", "/assets?window=7d", "/report"):
        assert get(app, path).status_code == 401
    assert get(app, "/healthz").status_code == 200
    assert get(app, "/openapi.json").json()["info"]["title"] == "genaicost"


def test_no_token_without_no_auth_is_refused() -> None:
    with pytest.raises(InputError, match="--no-auth"):
        ServeSettings(store_url="sqlite:////tmp/x.db")


def test_no_auth_opens_everything(tmp_path: Path) -> None:
    settings = ServeSettings(store_url=f"sqlite:///{tmp_path / 'h.db'}", auth_disabled=True)
    app = create_app(settings, store=hand_store(tmp_path / "h.db"))
    assert get(app, f"/allocation?window={SPAN}").status_code == 200


def test_readyz_and_report_follow_the_collections(app: FastAPI) -> None:
    assert get(app, "/readyz").status_code == 503
    assert get(app, "/report", AUTH).status_code == 503
    from genaicost.app.collect import Collector

    collector = Collector(CollectSettings(demo=True, demo_history_days=0), app.state.store)
    now = datetime.now(UTC)
    app.state.serve_state.record_success(collector.collect(now).latest, now)
    assert get(app, "/readyz").status_code == 200
    report = get(app, "/report", AUTH).json()
    assert report["cluster"] == "genai-prod" and report["totals"]["total_usd"] > 0


def test_assets_by_hand(app: FastAPI) -> None:
    store = app.state.store
    node = {"kind": "node", "key": "n1", "node": "n1", "instance_type": "m6i.xlarge", "capacity_type": "spot",
            "cpu_usd": 0.1, "ram_usd": 0.05, "total_usd": 0.15, "vcpu": 4.0, "ram_gib": 16.0, "idle_cpu_usd": 0.02}
    store.write_hour("c2", S0, pl.DataFrame([node]), META)
    (data,) = get(app, f"/assets?window={SPAN}", AUTH).json()["data"]
    n1 = data["c2/node/n1"]
    assert (n1["type"], n1["cpuCores"], n1["ramBytes"], n1["totalCost"], n1["preemptible"]) == (
        "Node", 4.0, 16 * 2**30, 0.15, 1.0)


@pytest.mark.parametrize(("query", "flags"), [("includeIdle=true", []), ("shareIdle=true", ["--share-idle"])])
def test_allocation_matches_genaicost_report_for_the_same_hour(tmp_path: Path, query: str, flags: list[str]) -> None:
    """The current hour collected from --demo answers /allocation like `genaicost report --demo` (1 h)."""
    store = open_store(f"sqlite:///{tmp_path / 'd.db'}")
    from genaicost.app.collect import Collector

    now = datetime.now(UTC)
    Collector(CollectSettings(demo=True, demo_history_days=0), store).collect(now)
    app = create_app(ServeSettings(store_url="unused", auth_disabled=True), store=store)
    hour = now.replace(minute=0, second=0, microsecond=0)
    span = f"{hour:%Y-%m-%dT%H:%M:%SZ},{hour + timedelta(hours=1):%Y-%m-%dT%H:%M:%SZ}"
    (data,) = get(app, f"/allocation?window={span}&aggregate=namespace&{query}").json()["data"]
    cli = str(Path(sys.executable).parent / "genaicost")
    out = subprocess.run([cli, "report", "--demo", "--aggregate", "namespace", "--format", "json", *flags],
                         capture_output=True, text=True, check=True, timeout=120)
    report = json.loads(out.stdout)
    expected = {a["name"]: round(a["total_usd"], 2) for a in report["allocations"]}
    assert {k: round(v["totalCost"], 2) for k, v in data.items()} == expected
    assert expected["llm-serving"] > 40                     # the GPU namespace: real money, not zeros


def test_inference_sums_then_divides(app: FastAPI) -> None:
    """Hour 0: $10 for 1 M input + 1 M output tokens ($5/1M); hour 1: $14 for 2 M + 2 M ($3.50/1M); the window is
    $24 ÷ 6 M × 10⁶ = $4.00 per 1M tokens, not the mean of the two hours."""
    def model(cost: float, tokens: float, input_usd: float) -> dict[str, Any]:
        return {"kind": "model", "key": "llm/llama", "namespace": "llm", "model": "llama", "total_usd": cost,
                "input_tokens": tokens, "output_tokens": tokens, "requests": tokens / 1000, "gpu_hours": 1.0,
                "input_usd": input_usd, "output_usd": cost - input_usd}

    store = app.state.store
    store.write_hour("c3", S0, pl.DataFrame([model(10.0, 1e6, 2.0)]), META)
    store.write_hour("c3", S0 + 3600, pl.DataFrame([model(14.0, 2e6, 4.0)]), META)
    body = get(app, f"/inference?window={SPAN}", AUTH).json()
    (line,) = body["data"]
    assert (line["model"], line["namespace"], line["cost_usd"]) == ("llama", "llm", 24.0)
    assert line["usd_per_1m_tokens"] == pytest.approx(4.0)
    assert line["usd_per_1m_input_tokens"] == pytest.approx(6.0 / 3)       # $6 input cost over 3 M input tokens
    assert line["usd_per_1m_output_tokens"] == pytest.approx(18.0 / 3)
    assert line["usd_per_request"] == pytest.approx(24.0 / 3000)
    assert line["tokens_per_gpu_hour"] == pytest.approx(3e6) and line["hours"] == 2.0
