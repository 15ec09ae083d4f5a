"""Engine benchmark: `compute_report` on a synthetic 2,000-node / 60,000-pod EKS cluster.

    python -m bench.bench_engine                 # every aggregate × split, each in a fresh process
    python -m bench.bench_engine --aggregate pod --split residual --runs 5    # one case, this process
    python -m bench.bench_engine --once --aggregate pod                       # set up + one compute
    python -m bench.bench_engine --setup-only                                 # set up, no compute
    python -m bench.bench_engine --profile --aggregate pod                    # cProfile of one compute
    python -m bench.bench_engine --machine                                    # describe this machine
    python -m bench.bench_engine --gc-paused      # the same with Python's cyclic GC paused while computing

The snapshot is generated in-process (bench.generate, seed 42) unless `--snapshot FILE` names one saved
with `python -m bench.generate --out FILE`. Timed: compute_report (price + split + allocate + aggregate +
Report) after one untimed warm-up; the numbers are min / median / max of `--runs`. Memory: the process's
RSS high-water mark (`ru_maxrss`) after set-up and at the end, and the Python-side peak of one extra
compute under tracemalloc (Polars' Rust buffers are not seen by tracemalloc, only by the RSS figure).
Results go to bench/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import platform
import pstats
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from genaicost.domain.options import ReportOptions
from genaicost.domain.snapshot import Snapshot

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
AGGREGATES = {"namespace": ("namespace",), "pod": ("pod",),
              "label:team,namespace": ("label:team", "namespace")}
SPLITS = ("residual", "aws-scad", "opencost")
MIB = 1024 * 1024


def rss_peak_mib() -> float:
    """The process's RSS high-water mark; Linux reports ru_maxrss in KiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_or_generate(path: Path | None, nodes: int, pods: int) -> Snapshot:
    if path is not None:
        from genaicost.sources.snapshot_file import load_snapshot

        return load_snapshot(path)
    from bench.generate import synthetic_snapshot

    return synthetic_snapshot(nodes, pods, seed=42, now=NOW)


def time_compute(snapshot: Snapshot, options: ReportOptions, runs: int, *,
                 warm_up: bool, gc_paused: bool = False) -> tuple[list[float], int]:
    from genaicost.engine.report import compute_report
    from genaicost.pricing.bundled import load_catalog

    catalog = load_catalog()
    if warm_up:
        compute_report(snapshot, catalog, options, generated_at=NOW)
    times, lines = [], 0
    for _ in range(runs):
        if gc_paused:
            gc.disable()
        start = time.perf_counter()
        report = compute_report(snapshot, catalog, options, generated_at=NOW)
        times.append(time.perf_counter() - start)
        gc.enable()
        lines = len(report.allocations)
        del report
    return times, lines


def python_peak_mib(snapshot: Snapshot, options: ReportOptions) -> float:
    from genaicost.engine.report import compute_report
    from genaicost.pricing.bundled import load_catalog

    catalog = load_catalog()
    tracemalloc.start()
    compute_report(snapshot, catalog, options, generated_at=NOW)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / MIB


def run_case(args: argparse.Namespace) -> dict[str, object]:
    start = time.perf_counter()
    snapshot = load_or_generate(args.snapshot, args.nodes, args.pods)
    setup_s = time.perf_counter() - start
    rss_setup = rss_peak_mib()
    options = ReportOptions(aggregate=AGGREGATES[args.aggregate], split=args.split)
    times, lines = time_compute(snapshot, options, 1 if args.once else args.runs, warm_up=not args.once,
                                gc_paused=args.gc_paused)
    rss_end = rss_peak_mib()
    result: dict[str, object] = {
        "aggregate": args.aggregate, "split": args.split, "gc_paused": args.gc_paused,
        "nodes": snapshot.nodes.height,
        "pods": snapshot.containers["pod_uid"].n_unique(), "containers": snapshot.containers.height,
        "allocation_lines": lines, "setup_s": round(setup_s, 3), "runs": len(times),
        "compute_min_s": round(min(times), 4), "compute_median_s": round(statistics.median(times), 4),
        "compute_max_s": round(max(times), 4), "rss_after_setup_mib": round(rss_setup, 1),
        "rss_peak_mib": round(rss_end, 1),
    }
    if not args.once:
        result["python_peak_mib"] = round(python_peak_mib(snapshot, options), 1)
    return result


def profile_case(args: argparse.Namespace) -> str:
    from genaicost.engine.report import compute_report
    from genaicost.pricing.bundled import load_catalog

    snapshot = load_or_generate(args.snapshot, args.nodes, args.pods)
    catalog = load_catalog()
    options = ReportOptions(aggregate=AGGREGATES[args.aggregate], split=args.split)
    compute_report(snapshot, catalog, options, generated_at=NOW)
    profiler = cProfile.Profile()
    profiler.enable()
    compute_report(snapshot, catalog, options, generated_at=NOW)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(35)
    stats.sort_stats("tottime").print_stats(20)
    return out.getvalue()


def machine() -> dict[str, object]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem_kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal"))
    return {"cpus": os.cpu_count(), "cpu": cpu, "memory_gib": round(mem_kib / 1024**2, 1),
            "kernel": platform.release(), "python": platform.python_version(),
            **{lib: version(lib) for lib in ("polars", "numpy", "pydantic")}}


def matrix(args: argparse.Namespace) -> list[dict[str, object]]:
    """Every aggregate × split, each case in its own process so that its RSS peak is its own."""
    results = []
    for aggregate in AGGREGATES:
        for split in SPLITS:
            cmd = [sys.executable, "-m", "bench.bench_engine", "--aggregate", aggregate, "--split", split,
                   "--runs", str(args.runs), "--nodes", str(args.nodes), "--pods", str(args.pods), "--json"]
            if args.gc_paused:
                cmd.append("--gc-paused")
            if args.snapshot is not None:
                cmd += ["--snapshot", str(args.snapshot)]
            done = subprocess.run(cmd, check=True, capture_output=True, text=True)
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))
            print(markdown_row(results[-1]), flush=True)
    return results


MARKDOWN_HEADER = ("| aggregate | split | lines | compute median s | min s | max s | RSS peak MiB "
                   "| RSS after set-up MiB | Python peak MiB |\n|---|---|---:|---:|---:|---:|---:|---:|---:|")


def markdown_row(r: dict[str, object]) -> str:
    return (f"| {r['aggregate']} | {r['split']} | {r['allocation_lines']} | {r['compute_median_s']:.3f} "
            f"| {r['compute_min_s']:.3f} | {r['compute_max_s']:.3f} | {r['rss_peak_mib']:.0f} "
            f"| {r['rss_after_setup_mib']:.0f} | {r.get('python_peak_mib', '')} |")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.bench_engine", description=__doc__.splitlines()[0])
    p.add_argument("--aggregate", choices=list(AGGREGATES), help="one case (default: the whole matrix)")
    p.add_argument("--split", choices=SPLITS, default="residual")
    p.add_argument("--runs", type=int, default=5, help="timed computes per case (median reported)")
    p.add_argument("--once", action="store_true", help="set up and compute once (whole-process timing)")
    p.add_argument("--setup-only", action="store_true",
                   help="generate / load the snapshot and the catalog, compute nothing (baseline)")
    p.add_argument("--profile", action="store_true", help="print a cProfile of one compute")
    p.add_argument("--gc-paused", action="store_true",
                   help="pause Python's cyclic GC during each timed compute (what-if for the Report build)")
    p.add_argument("--machine", action="store_true", help="describe this machine and exit")
    p.add_argument("--json", action="store_true", help="print the result as one JSON line")
    p.add_argument("--nodes", type=int, default=2000)
    p.add_argument("--pods", type=int, default=60000)
    p.add_argument("--snapshot", type=Path, help="a snapshot saved by `python -m bench.generate --out`")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.machine:
        print(json.dumps(machine(), indent=2))
    elif args.setup_only:
        from genaicost.pricing.bundled import load_catalog

        snapshot, catalog = load_or_generate(args.snapshot, args.nodes, args.pods), load_catalog()
        print(json.dumps({"nodes": snapshot.nodes.height, "ec2_prices": catalog.ec2.height,
                          "rss_peak_mib": round(rss_peak_mib(), 1)}))
    elif args.profile:
        print(profile_case(args.__class__(**{**vars(args), "aggregate": args.aggregate or "namespace"})))
    elif args.aggregate is None and not args.once:
        print(json.dumps(machine()))
        print(MARKDOWN_HEADER)
        matrix(args)
    else:
        if args.aggregate is None:
            args.aggregate = "namespace"
        result = run_case(args)
        print(json.dumps(result) if args.json else f"{MARKDOWN_HEADER}\n{markdown_row(result)}")


if __name__ == "__main__":
    main()
