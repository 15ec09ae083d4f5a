"""window_chunks / chunked_instant: chunk boundaries, the queries sent, and combining by label set."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import polars as pl
import pytest
from fake_prometheus import FakePrometheus, Reply, vector

from genaicost.domain.window import Window
from genaicost.sources.prometheus import PrometheusClient
from genaicost.sources.prometheus.chunks import (
    bucket_pieces,
    chunk_query,
    chunked_instant,
    piece_query,
    promql_duration,
    window_chunks,
)

START = datetime(2026, 11, 1, tzinfo=UTC)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


@pytest.mark.parametrize(("window_h", "chunk_h", "step_s", "lengths_h"), [
    (168, 24, 300, [24] * 7),
    (25, 24, 300, [24, 1]),
    (24, 24, 300, [24]),
    (0.5, 24, 300, [0.5]),
    (2, 1, 420, [56 / 60, 56 / 60, 8 / 60]),   # 1 h is not a whole number of 7-minute steps: 8 steps
    (3, 0.5, 3600, [1, 1, 1]),                 # a chunk is never shorter than one step
])
def test_window_chunks(window_h: float, chunk_h: float, step_s: float, lengths_h: list[float]) -> None:
    window = Window(START, START + hours(window_h))
    chunks = window_chunks(window, chunk_hours=chunk_h, step_s=step_s)
    assert [c.hours for c in chunks] == pytest.approx(lengths_h)
    assert chunks[0].start == window.start and chunks[-1].end == window.end
    assert all(a.end == b.start for a, b in pairwise(chunks))


@pytest.mark.parametrize(("step_s", "chunk_h"), [(0, 24), (300, 0), (-5, 24)])
def test_window_chunks_rejects_non_positive(step_s: float, chunk_h: float) -> None:
    with pytest.raises(ValueError, match="must be positive"):
        window_chunks(Window(START, START + hours(1)), chunk_hours=chunk_h, step_s=step_s)


def test_chunk_query_replaces_placeholders_and_keeps_promql_braces() -> None:
    chunk = Window(START, START + hours(24))
    template = 'sum by (pod) (sum_over_time(up{job="x"}[{range}])) + count_over_time(y[{chunk}])'
    assert chunk_query(template, chunk, 300.0) == (
        'sum by (pod) (sum_over_time(up{job="x"}[86399999ms:300s])) + count_over_time(y[86399999ms])')


@pytest.mark.parametrize(("seconds", "text"), [(300.0, "300s"), (15, "15s"), (86400.0, "86400s"), (0.5, "500ms")])
def test_promql_duration(seconds: float, text: str) -> None:
    assert promql_duration(seconds) == text


@pytest.fixture
def prom() -> Iterator[FakePrometheus]:
    server = FakePrometheus().start()
    yield server
    server.stop()


def per_chunk_answers(params: dict[str, str]) -> Reply:
    """Day 1 (ends 2026-11-02): pods a=1, b=10; day 2: a=2 (with an extra label), c=5 without a namespace."""
    day = round((float(params["time"]) - START.timestamp()) / 86400)
    if day == 1:
        return Reply(body=vector(({"namespace": "ml", "pod": "a"}, 1), ({"namespace": "ml", "pod": "b"}, 10)))
    return Reply(body=vector(({"namespace": "ml", "pod": "a", "container": "vllm"}, 2), ({"pod": "c"}, 5)))


@pytest.mark.parametrize(("combine", "values"), [("sum", [3.0, 10.0, 5.0]), ("max", [2.0, 10.0, 5.0]),
                                                 ("min", [1.0, 10.0, 5.0])])
def test_chunked_instant_one_query_per_chunk_combined_by_label_set(
        prom: FakePrometheus, combine: str, values: list[float]) -> None:
    prom.responder = per_chunk_answers
    with PrometheusClient(prom.url, backoff_s=0.0) as client:
        frame = chunked_instant(client, "sum by (namespace, pod) (x[{range}])", Window(START, START + hours(48)),
                                step_s=300.0, by=["namespace", "pod"], combine=combine)  # type: ignore[arg-type]
        assert client.query_count == 2
    assert frame.columns == ["namespace", "pod", "value"]
    assert frame.rows() == [("ml", "a", values[0]), ("ml", "b", values[1]), (None, "c", values[2])]
    assert sorted(r.params["time"] for r in prom.requests) == [  # chunks run concurrently
        f"{(START + hours(24)).timestamp():.3f}", f"{(START + hours(48)).timestamp():.3f}"]
    assert {r.params["query"] for r in prom.requests} == {"sum by (namespace, pod) (x[86399999ms:300s])"}


def test_chunked_instant_without_by_reduces_to_one_row(prom: FakePrometheus) -> None:
    prom.responder = per_chunk_answers
    with PrometheusClient(prom.url) as client:
        frame = chunked_instant(client, "x[{range}]", Window(START, START + hours(48)), step_s=300.0, by=[])
    assert frame.rows() == [(18.0,)]


def test_chunked_instant_last_chunk_is_shorter(prom: FakePrometheus) -> None:
    with PrometheusClient(prom.url) as client:
        frame = chunked_instant(client, "x[{range}]", Window(START, START + hours(30)), step_s=60.0, by=["pod"])
    assert sorted(r.params["query"] for r in prom.requests) == ["x[21599999ms:60s]", "x[86399999ms:60s]"]
    assert frame.schema == pl.Schema({"pod": pl.String, "value": pl.Float64}) and frame.height == 0


def test_chunked_instant_needs_a_placeholder_and_a_known_combine(prom: FakePrometheus) -> None:
    window = Window(START, START + hours(1))
    with PrometheusClient(prom.url) as client:
        with pytest.raises(ValueError, match="placeholder"):
            chunked_instant(client, "sum(x[1d])", window, step_s=60.0, by=[])
        with pytest.raises(ValueError, match="sum, max or min"):
            chunked_instant(client, "x[{range}]", window, step_s=60.0, by=[], combine="avg")  # type: ignore[arg-type]
    assert prom.requests == []


def test_chunks_run_concurrently_and_keep_chunk_order(prom: FakePrometheus) -> None:
    prom.responder = per_chunk_answers
    with PrometheusClient(prom.url, backoff_s=0.0, concurrency=2) as client:
        frames = client.instant_many([("x", START + hours(48)), ("x", START + hours(24))])
        assert client.query_count == 2
    # results come back in the order asked, whatever order the server answered in
    assert frames[0].height == 2 and frames[0].get_column("value").to_list() == [2.0, 5.0]
    assert frames[1].get_column("value").to_list() == [1.0, 10.0]


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(("start", "end", "chunk_h", "pieces"), [
    # aligned: whole-hour pieces of up to chunk_h hours
    ("2025-02-03T00:00", "2025-02-04T00:00", 6.0, [("00:00", "06:00", True), ("06:00", "12:00", True),
                                                   ("12:00", "18:00", True), ("18:00", "00:00", True)]),
    # partial hours at both edges, whole hours between
    ("2025-02-03T00:45", "2025-02-03T03:15", 24.0, [("00:45", "01:00", False), ("01:00", "03:00", True),
                                                    ("03:00", "03:15", False)]),
    # inside one hour; across one boundary without a whole hour
    ("2025-02-03T00:40", "2025-02-03T00:55", 24.0, [("00:40", "00:55", False)]),
    ("2025-02-03T00:40", "2025-02-03T01:20", 24.0, [("00:40", "01:00", False), ("01:00", "01:20", False)]),
    # starts on the hour, ends inside one
    ("2025-02-03T00:00", "2025-02-03T00:30", 24.0, [("00:00", "00:30", False)]),
])
def test_bucket_pieces_cut_the_window_at_clock_hours(start: str, end: str, chunk_h: float,
                                                     pieces: list[tuple[str, str, bool]]) -> None:
    got = bucket_pieces(Window(_at(start), _at(end)), bucket_s=3600.0, chunk_hours=chunk_h)
    assert [(p.start.strftime("%H:%M"), p.end.strftime("%H:%M"), whole) for p, whole in got] == pieces
    assert got[0][0].start == _at(start) and got[-1][0].end == _at(end)
    assert all(a[0].end == b[0].start for a, b in pairwise(got))


def test_piece_query_fills_the_bucket_placeholders() -> None:
    template = "sum_over_time((x[{bucket}] + y[{chunk}]))[{buckets}])"
    whole = Window(_at("2025-02-03T01:00"), _at("2025-02-03T03:00"))
    assert piece_query(template, whole, bucketed=True, step_s=300.0, bucket_s=3600.0) == (
        "sum_over_time((x[3599999ms] + y[7199999ms]))[7199999ms:3600s])")
    partial = Window(_at("2025-02-03T00:45"), _at("2025-02-03T01:00"))
    assert piece_query("x[{bucket}]", partial, bucketed=False, step_s=300.0, bucket_s=3600.0) == "x[899999ms]"


def test_discovery_falls_back_when_the_server_drops_metric_names(prom: FakePrometheus) -> None:
    """A server whose last_over_time drops __name__ (unlike Prometheus) answers the raw form without names:
    discovery then asks the relabelling subquery form."""
    from genaicost.sources.prometheus.discovery import present_metric_names

    def answers(params: dict[str, str]) -> Reply:
        if "last_over_time" in params["query"]:
            return Reply(body=vector(({}, 3)))                     # counted, but the name is gone
        return Reply(body=vector(({"gc_metric": "vllm:prompt_tokens_total"}, 3)))

    prom.responder = answers
    with PrometheusClient(prom.url) as client:
        found = present_metric_names(client, ["vllm:prompt_tokens_total", "sglang:prompt_tokens_total"],
                                     Window(START, START + hours(24)), step_s=300.0)
    assert found == {"vllm:prompt_tokens_total"}
    queries = [r.params["query"] for r in prom.requests]
    assert len(queries) == 2 and "last_over_time" in queries[0] and "label_replace" in queries[1]
