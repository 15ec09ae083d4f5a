"""Collection into the store (demo history, Prometheus hours) and /allocation sums, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from genaicost.app.allocation_query import AllocationQuery, query_allocation
from genaicost.app.collect import Collector
from genaicost.app.serve_settings import CollectSettings, PrometheusSource
from genaicost.app.spot_prices import SpotPrices
from genaicost.cli.serve_options import prometheus_opener
from genaicost.domain.window import Window
from genaicost.sources.prometheus.client import PrometheusClient
from genaicost.store import HistoryStore, open_store
from genaicost.store.schema import Rollup

NOW = datetime(2026, 11, 28, 12, 30, tzinfo=UTC)      # a Saturday
CURRENT = datetime(2026, 11, 28, 12, tzinfo=UTC)


def duplicates(store: HistoryStore) -> int:
    keys = select(Rollup.cluster, Rollup.hour, Rollup.kind, Rollup.key, func.count().label("n")).group_by(
        Rollup.cluster, Rollup.hour, Rollup.kind, Rollup.key).subquery()
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(keys).where(keys.c.n > 1)).scalar_one())


def total(data: list[dict[str, dict[str, Any]]]) -> float:
    return sum(line["totalCost"] for step in data for line in step.values())


def fill_demo(store: HistoryStore) -> HistoryStore:
    collector = Collector(CollectSettings(demo=True, demo_history_days=1), store, retention_days=30)
    result = collector.collect(NOW)
    assert len(result.hours_written) == 25                 # 24 generated hours + the current one
    return store


@pytest.fixture
def demo_store(store: HistoryStore) -> HistoryStore:
    return fill_demo(store)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared_demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HistoryStore]:
    """One filled demo store per backend for the read-only tests of this module."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'history.db'}"
    else:
        url = request.getfixturevalue("postgres").create_database("shared_demo")
    opened = open_store(url)
    try:
        yield fill_demo(opened)
    finally:
        opened.close()


def test_demo_history_has_shape(shared_demo: HistoryStore) -> None:
    demo_store = shared_demo
    hours = demo_store.committed_hours("genai-prod")
    assert hours.height == 25 and hours["exact"].sum() == 24
    window = Window(start=CURRENT - timedelta(hours=24), end=CURRENT + timedelta(hours=1))
    data = query_allocation(demo_store, AllocationQuery(window=window, aggregate=("namespace",), step_s=3600))
    by_hour = {window.start + timedelta(hours=i): set(step) for i, step in enumerate(data)}
    night, noon = datetime(2026, 11, 28, 2, tzinfo=UTC), datetime(2026, 11, 28, 11, tzinfo=UTC)
    assert "llm-batch" in by_hour[night] and "llm-batch" not in by_hour[noon]      # nightly batch 00–06
    assert "ml-dev" not in by_hour[noon]                                             # a Saturday
    nodes = query_allocation(demo_store, AllocationQuery(window=window, aggregate=("node",), step_s=3600))
    assert len(nodes[by_hour_index(window, night)]) + 1 == len(nodes[by_hour_index(window, noon)])  # spot node


def by_hour_index(window: Window, hour: datetime) -> int:
    return int((hour - window.start) / timedelta(hours=1))


@pytest.mark.parametrize("aggregate", [("namespace",), ("pod",), ("label:team",), ("node", "namespace"),
                                       ("container",)])
@pytest.mark.parametrize("idle", [{"include_idle": True}, {"share_idle": True},
                                  {"share_idle": True, "idle_by_node": True},
                                  {"include_idle": True, "idle_by_node": True}])
def test_lines_idle_and_overhead_sum_to_the_total_to_the_cent(shared_demo: HistoryStore, aggregate: tuple[str, ...],
                                                              idle: dict[str, bool]) -> None:
    demo_store = shared_demo
    window = Window(start=CURRENT - timedelta(hours=24), end=CURRENT + timedelta(hours=1))
    stored = round(sum(demo_store.committed_hours("genai-prod")["total_usd"]), 2)
    q = AllocationQuery(window=window, aggregate=aggregate, step_s=6 * 3600, **idle)
    assert round(total(query_allocation(demo_store, q)), 2) == stored
    accumulated = AllocationQuery(window=window, aggregate=aggregate, step_s=3600, accumulate=True, **idle)
    data = query_allocation(demo_store, accumulated)
    assert len(data) == 1 and round(total(data), 2) == stored


def test_collecting_again_replaces_the_current_hour_only(demo_store: HistoryStore) -> None:
    before = demo_store.committed_hours("genai-prod")
    collector = Collector(CollectSettings(demo=True, demo_history_days=1), demo_store)
    result = collector.collect(NOW + timedelta(minutes=5))
    assert result.hours_written == [CURRENT]               # the history is not generated twice
    assert demo_store.committed_hours("genai-prod")["hour"].to_list() == before["hour"].to_list()
    assert duplicates(demo_store) == 0


def test_retention_runs_with_each_collection(demo_store: HistoryStore) -> None:
    collector = Collector(CollectSettings(demo=True, demo_history_days=1), demo_store, retention_days=1)
    result = collector.collect(NOW + timedelta(hours=3))
    assert result.hours_deleted == 3                       # 27th 12:00, 13:00, 14:00 are older than a day
    first = demo_store.committed_hours("genai-prod")["hour"].min()
    assert first == int((CURRENT + timedelta(hours=3) - timedelta(days=1)).timestamp())


@pytest.mark.slow
def test_prometheus_hours_are_exact_and_add_up_to_the_window_report(prometheus_factory: Any,
                                                                    store: HistoryStore) -> None:
    from genaicost.app.report import HistorySource, build_report
    from genaicost.domain.options import ReportOptions
    from genaicost.pricing.bundled import load_catalog

    inst = prometheus_factory("churn")
    start, end = inst.window.start, inst.window.end
    hours = int(inst.window.hours)
    settings = CollectSettings(prometheus=PrometheusSource(url=inst.url, resolution_s=60.0),
                               spot_prices=SpotPrices.bundled, lookback_hours=hours)
    collector = Collector(settings, store, open_prometheus=prometheus_opener(settings))   # what the CLI passes
    result = collector.collect(end + timedelta(minutes=10))
    assert [h.isoformat() for h in result.hours_written] == [
        (start + timedelta(hours=i)).isoformat() for i in range(hours)]
    with PrometheusClient(inst.url) as client:
        whole = build_report(demo=False, snapshot_files=[], kubeconfig=None, context=None, window_hours=None,
                             options=ReportOptions(aggregate=("namespace",)), catalog=load_catalog(), now=end,
                             spot_prices=SpotPrices.bundled, history=HistorySource(client, inst.window, 60.0))
    data = query_allocation(store, AllocationQuery(window=Window(start=start, end=end), aggregate=("namespace",),
                                                   step_s=hours * 3600, include_idle=True))
    assert round(total(data), 2) == round(whole.totals.total_usd, 2)
    got = {k: v["totalCost"] for k, v in data[0].items()}
    expected = {a.name: a.total_usd for a in whole.allocations}
    assert set(got) == set(expected)
    # the llm volume: per hour it is the llm pod's while mounted and __unmounted__ otherwise; the whole-window
    # report gives it to the pod for the window (docs/serve.md). The two lines together agree, the rest exactly.
    pair = ("llm", "__unmounted__")
    assert round(sum(got[k] for k in pair), 2) == round(sum(expected[k] for k in pair), 2)
    assert {k: round(v, 2) for k, v in got.items() if k not in pair} == {
        k: round(v, 2) for k, v in expected.items() if k not in pair}
    again = collector.collect(end + timedelta(minutes=20))   # every hour is committed: only the last is redone
    assert len(again.hours_written) <= 1 and duplicates(store) == 0
