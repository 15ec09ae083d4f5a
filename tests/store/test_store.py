"""The history store on SQLite and PostgreSQL: round trip, idempotent hours, atomic failure, retention."""

from __future__ import annotations

import polars as pl
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from genaicost.store import HistoryStore, HourMeta
from genaicost.store.queries import sum_rollups
from genaicost.store.schema import Rollup

H0 = 1_795_780_800          # 2026-11-27T12:00:00Z
HOUR = 3600
META = HourMeta(source="test", exact=True, prices_as_of="2026-11-01", total_usd=0.0)


def rows(ns_costs: dict[str, float], cpu_core_hours: float = 1.0) -> pl.DataFrame:
    return pl.DataFrame({
        "kind": ["namespace"] * len(ns_costs), "key": list(ns_costs), "namespace": list(ns_costs),
        "cpu_usd": list(ns_costs.values()), "total_usd": list(ns_costs.values()),
        "cpu_core_hours": [cpu_core_hours] * len(ns_costs),
    })


def count_rows(store: HistoryStore) -> int:
    with store.engine.connect() as conn:
        hourly = select(func.count()).select_from(Rollup).where(~Rollup.kind.like("%@day"))
        return int(conn.execute(hourly).scalar_one())


def test_hours_round_trip_and_sums_in_sql(store: HistoryStore) -> None:
    store.write_hour("c1", H0, rows({"a": 1.25, "b": 0.5}), META)
    store.write_hour("c1", H0 + HOUR, rows({"a": 2.0}, cpu_core_hours=3.0), META)
    hours = store.committed_hours("c1")
    assert hours["hour"].to_list() == [H0, H0 + HOUR]
    assert hours["rows"].to_list() == [2, 1]
    summed = sum_rollups(store, "namespace", start_s=H0, end_s=H0 + 2 * HOUR, step_s=2 * HOUR,
                         group_by=["namespace"]).sort("namespace")
    assert summed["namespace"].to_list() == ["a", "b"]
    assert summed["total_usd"].to_list() == pytest.approx([3.25, 0.5])
    assert summed["cpu_core_hours"].to_list() == pytest.approx([4.0, 1.0])
    assert summed["first_hour"].to_list() == [H0, H0]
    assert summed["last_hour"].to_list() == [H0 + HOUR, H0]
    per_hour = sum_rollups(store, "namespace", start_s=H0, end_s=H0 + 2 * HOUR, step_s=HOUR, group_by=[])
    assert per_hour.sort("step")["total_usd"].to_list() == pytest.approx([1.75, 2.0])


def test_rewriting_an_hour_replaces_it(store: HistoryStore) -> None:
    store.write_hour("c1", H0, rows({"a": 1.0, "b": 2.0}), META)
    store.write_hour("c1", H0, rows({"a": 5.0}), META)
    assert count_rows(store) == 1
    assert store.committed_hours("c1").height == 1
    total = sum_rollups(store, "namespace", start_s=H0, end_s=H0 + HOUR, step_s=HOUR)
    assert total["total_usd"].to_list() == [5.0]


def test_other_clusters_and_hours_are_untouched(store: HistoryStore) -> None:
    store.write_hour("c1", H0, rows({"a": 1.0}), META)
    store.write_hour("c2", H0, rows({"a": 7.0}), META)
    store.write_hour("c1", H0, rows({"a": 3.0}), META)
    assert store.clusters() == ["c1", "c2"]
    summed = sum_rollups(store, "namespace", start_s=H0, end_s=H0 + HOUR, step_s=HOUR, group_by=["cluster"])
    assert dict(zip(summed["cluster"], summed["total_usd"], strict=True)) == {"c1": 3.0, "c2": 7.0}


def test_a_failed_write_leaves_the_previous_version(store: HistoryStore) -> None:
    store.write_hour("c1", H0, rows({"a": 1.0}), META)
    duplicate = pl.concat([rows({"a": 9.0}), rows({"a": 9.0})])     # same key twice: the insert fails
    with pytest.raises(IntegrityError):
        store.write_hour("c1", H0, duplicate, META)
    assert count_rows(store) == 1
    total = sum_rollups(store, "namespace", start_s=H0, end_s=H0 + HOUR, step_s=HOUR)
    assert total["total_usd"].to_list() == [1.0]
    assert store.committed_hours("c1")["rows"].to_list() == [1]


def test_retention_deletes_hours_before_the_cutoff(store: HistoryStore) -> None:
    for i in range(5):
        store.write_hour("c1", H0 + i * HOUR, rows({"a": 1.0}), META)
    assert store.delete_before(H0 + 3 * HOUR) == 3
    assert store.committed_hours("c1")["hour"].to_list() == [H0 + 3 * HOUR, H0 + 4 * HOUR]
    assert count_rows(store) == 2


def test_an_hour_must_start_on_the_hour(store: HistoryStore) -> None:
    with pytest.raises(ValueError, match="not the start of an hour"):
        store.write_hour("c1", H0 + 60, rows({"a": 1.0}), META)


def test_reopening_migrates_nothing_twice(store_url: str, store: HistoryStore) -> None:
    from genaicost.store import open_store

    store.write_hour("c1", H0, rows({"a": 1.0}), META)
    again = open_store(store_url)
    try:
        assert again.committed_hours("c1").height == 1
    finally:
        again.close()


def test_daily_rollups_answer_like_the_hours(store: HistoryStore) -> None:
    """A window with whole days reads them from `<kind>@day` rows; the answer equals the hourly sums, also after
    an hour is rewritten and after retention cuts a day in two."""
    day0 = H0 - H0 % 86400                                  # 2026-11-27T00:00:00Z
    for i in range(60):                                     # 2.5 days, a's cost grows with the hour
        store.write_hour("c1", day0 + i * HOUR, rows({"a": 1.0 + i / 100, "b": 0.5}), META)
    store.write_hour("c1", day0 + 30 * HOUR, rows({"a": 10.0}), META)      # rewrite one hour of day 2

    def both(start: int, end: int) -> tuple[pl.DataFrame, pl.DataFrame]:
        whole = sum_rollups(store, "namespace", start_s=start, end_s=end, step_s=end - start,
                            group_by=["namespace"]).sort("namespace")
        hourly = sum_rollups(store, "namespace", start_s=start, end_s=end, step_s=HOUR, group_by=["namespace"])
        per_ns = hourly.group_by("namespace").agg(pl.col("total_usd").sum(), pl.col("first_hour").min(),
                                                  pl.col("last_hour").max()).sort("namespace")
        return whole, per_ns

    for start, end in ((day0 + 5 * HOUR, day0 + 58 * HOUR), (day0, day0 + 48 * HOUR)):
        whole, per_ns = both(start, end)
        assert whole["total_usd"].to_list() == pytest.approx(per_ns["total_usd"].to_list())
        assert whole["first_hour"].to_list() == per_ns["first_hour"].to_list()
        assert whole["last_hour"].to_list() == per_ns["last_hour"].to_list()
    a_total = sum(1.0 + i / 100 for i in range(60) if i != 30) + 10.0
    whole, _ = both(day0, day0 + 60 * HOUR)
    assert whole["total_usd"].to_list() == pytest.approx([a_total, 0.5 * 59])
    store.delete_before(day0 + 36 * HOUR)                   # keeps 12:00–23:00 of day 2
    whole, per_ns = both(day0, day0 + 60 * HOUR)
    assert whole["total_usd"].to_list() == pytest.approx(per_ns["total_usd"].to_list())
    assert whole["total_usd"][0] == pytest.approx(sum(1.0 + i / 100 for i in range(36, 60)))
