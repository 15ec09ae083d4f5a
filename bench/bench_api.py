"""API benchmark: `GET /allocation?window=30d&aggregate=namespace` on a store holding 30 days of a 1,000-node /
30,000-pod cluster, measured with wrk (Debian package `wrk`) at 1 and 20 concurrent connections.

    python -m bench.bench_api fill --db /tmp/bench-api.db                 # generate the store (vectorized)
    python -m bench.bench_api serve --db /tmp/bench-api.db --port 18080   # the app over it (uvicorn, no collector)
    python -m bench.bench_api run --db /tmp/bench-api.db --duration 15    # fill if missing, serve, wrk, print

Rows are generated directly (NumPy / Polars, no per-row Python loops) in the shape app.rollups writes:
for every hour of `--days`: one `namespace` row per namespace, one `node` and one `idle` row per node, the
cluster `__idle__` and `__overhead__` rows; `pod` rows (one per pod and hour, with node and labels) for the last
`--pod-days` days. Written with executemany in one transaction per day, then the daily rollups are computed
with store.daily.refresh_day (what store.write_hour does for every hour it writes). p50 / p95 / p99 come from wrk's
latency histogram (`--latency` and a Lua `done` hook printing the 95th percentile).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from genaicost.store import open_store
from genaicost.store.daily import refresh_day
from genaicost.store.schema import ROLLUP_COLUMNS

CLUSTER = "bench"
END_S = int(time.time()) // 3600 * 3600     # the current hour's start: the store ends where `window=30d` ends
NAMESPACES = 40
ZERO = [c for c in ROLLUP_COLUMNS if c not in ("cluster", "hour", "kind", "key", "namespace", "node", "pod",
                                                "container", "controller", "controller_kind", "model",
                                                "instance_type", "capacity_type", "labels")]
NULLABLE = {"cpu_usage_core_hours", "cpu_measured_request_core_hours", "ram_usage_gib_hours",
            "ram_measured_request_gib_hours", "gpu_busy_hours", "gpu_measured_hours", "gpu_busy_usd",
            "gpu_measured_usd", "hourly_usd"}
WRK_P95 = 'done = function(s, latency, r) io.write(string.format("P95_US %d\\n", latency:percentile(95))) end\n'


def _frame(kind: str, keys: np.ndarray, rng: np.random.Generator, **dims: np.ndarray) -> pl.DataFrame:
    n = len(keys)
    cols: dict[str, object] = {"kind": [kind] * n, "key": keys, **dims}
    cpu, ram, gpu = rng.gamma(2.0, 0.5, n), rng.gamma(2.0, 0.2, n), rng.gamma(0.5, 2.0, n)
    for c in ZERO:
        cols[c] = np.zeros(n)
    cols.update(cpu_usd=cpu, ram_usd=ram, gpu_usd=gpu, total_usd=cpu + ram + gpu,
                cpu_core_hours=cpu * 30, cpu_request_core_hours=cpu * 30, cpu_usage_core_hours=cpu * 12,
                cpu_measured_request_core_hours=cpu * 30, ram_gib_hours=ram * 200, ram_request_gib_hours=ram * 200,
                ram_usage_gib_hours=ram * 120, ram_measured_request_gib_hours=ram * 200)
    return pl.DataFrame(cols)


def hour_frames(nodes: int, pods: int, with_pods: bool, seed: int) -> pl.DataFrame:
    """One hour's rows (the hour column is added by the caller)."""
    rng = np.random.default_rng(seed)
    ns = np.array([f"team-{i:02d}" for i in range(NAMESPACES)])
    node_names = np.array([f"ip-10-{i // 250}-{i % 250}-1.ec2.internal" for i in range(nodes)])
    frames = [_frame("namespace", ns, rng, namespace=ns),
              _frame("node", node_names, rng, node=node_names).with_columns(vcpu=pl.lit(16.0), ram_gib=pl.lit(64.0)),
              _frame("idle", node_names, rng, node=node_names),
              _frame("idle", np.array(["__idle__"]), rng), _frame("overhead", np.array(["__overhead__"]), rng)]
    if with_pods:
        pod_ns = ns[rng.integers(0, NAMESPACES, pods)]
        pod_names = np.char.add(np.char.add(pod_ns, "/pod-"), np.arange(pods).astype(str))
        labels = np.char.add(np.char.add('{"team": "', pod_ns), '"}')
        frames.append(_frame("pod", pod_names, rng, namespace=pod_ns, pod=pod_names,
                             node=node_names[rng.integers(0, nodes, pods)], labels=labels))
    return pl.concat(frames, how="diagonal_relaxed")


def fill(db: Path, days: int, nodes: int, pods: int, pod_days: int) -> None:
    store = open_store(f"sqlite:///{db}")
    columns = ["cluster", "hour", *[c for c in ROLLUP_COLUMNS if c not in ("cluster", "hour")]]
    sql = f"INSERT INTO rollups ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    hours_sql = ("INSERT INTO collected_hours (cluster, hour, committed_at, source, exact, prices_as_of, total_usd, "
                 "rows) VALUES (?, ?, ?, 'bench', 1, '2026-11-01', ?, ?)")
    started = time.monotonic()
    for day in range(days):
        with_pods = day >= days - pod_days
        rows = []
        for h in range(24):
            hour_s = END_S - (days - day) * 86400 + h * 3600
            frame = hour_frames(nodes, pods, with_pods, seed=day * 24 + h).with_columns(
                cluster=pl.lit(CLUSTER), hour=pl.lit(hour_s))
            missing = [c for c in columns if c not in frame.columns]
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(c) for c in missing)
            rows.append(frame.select(columns))
        day_frame = pl.concat(rows, how="diagonal_relaxed")
        per_hour = day_frame.group_by("hour").agg(pl.len(), pl.col("total_usd").filter(
            pl.col("kind").is_in(["namespace", "idle", "overhead"]) & (pl.col("key") != "__idle__")).sum())
        raw = store.engine.raw_connection()
        try:
            cur = raw.cursor()
            cur.executemany(sql, day_frame.iter_rows())
            cur.executemany(hours_sql, [(CLUSTER, h, time.time(), t, n) for h, n, t in per_hour.iter_rows()])
            raw.commit()
        finally:
            raw.close()
        print(f"day {day + 1}/{days}: {day_frame.height:,} rows ({time.monotonic() - started:.0f} s)", flush=True)
    with store.engine.begin() as conn:                     # the daily rollups, as store.write_hour keeps them
        first_day = (END_S - days * 86400) // 86400 * 86400
        for day_s in range(first_day, END_S, 86400):
            refresh_day(conn, CLUSTER, day_s)
    raw = store.engine.raw_connection()
    try:
        raw.cursor().execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()
    store.close()


def serve(db: Path, port: int) -> None:
    import uvicorn

    from genaicost.api.app import create_app
    from genaicost.app.serve_settings import ServeSettings

    app = create_app(ServeSettings(store_url=f"sqlite:///{db}", auth_disabled=True))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def wrk(url: str, connections: int, duration_s: int) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_P95)
    try:
        out = subprocess.run(["wrk", f"-t{min(connections, 2)}", f"-c{connections}", f"-d{duration_s}s", "--latency",
                              "-s", script.name, url], capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)
    pct = {m.group(1): _ms(m.group(2), m.group(3)) for m in re.finditer(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s)\s*$",
                                                                           out, re.MULTILINE)}
    p95 = re.search(r"P95_US (\d+)", out)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    return {"connections": connections, "requests": float(total.group(1)) if total else 0.0,
            "rps": float(rps.group(1)) if rps else 0.0, "p50_ms": pct.get("50", -1.0),
            "p95_ms": int(p95.group(1)) / 1000 if p95 else -1.0, "p99_ms": pct.get("99", -1.0)}


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run(args: argparse.Namespace) -> None:
    if not args.db.exists():
        fill(args.db, args.days, args.nodes, args.pods, args.pod_days)
    server = subprocess.Popen([sys.executable, "-m", "bench.bench_api", "serve", "--db", str(args.db),
                               "--port", str(args.port)])
    url = f"http://127.0.0.1:{args.port}/allocation?window=30d&aggregate=namespace"
    try:
        import httpx

        for _ in range(100):
            try:
                first = httpx.get(url, timeout=30)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        (data,) = first.json()["data"]
        hours = {v["minutes"] / 60 for k, v in data.items() if not k.startswith("__")}
        print(f"one answer: {len(data)} lines over {sorted(hours)} h, "
              f"Σ totalCost ${sum(v['totalCost'] for v in data.values()):,.2f}")
        hourly = httpx.get(url + "&step=1h", timeout=300).json()["data"]    # the same answer from hourly rows
        by_hours = sum(v["totalCost"] for step in hourly for v in step.values())
        print(f"check: Σ over {len(hourly)} hourly steps ${by_hours:,.2f}")
        results = [wrk(url, c, args.duration) for c in (1, 20)]
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(json.dumps(results, indent=1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["fill", "serve", "run"])
    parser.add_argument("--db", type=Path, default=Path("/tmp/bench-api.db"))
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--pods", type=int, default=30000)
    parser.add_argument("--pod-days", type=int, default=1)
    parser.add_argument("--port", type=int, default=18080)
    parser.add_argument("--duration", type=int, default=15)
    args = parser.parse_args()
    if args.command == "fill":
        fill(args.db, args.days, args.nodes, args.pods, args.pod_days)
    elif args.command == "serve":
        serve(args.db, args.port)
    else:
        run(args)


if __name__ == "__main__":
    main()
