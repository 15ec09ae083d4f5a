"""The benchmark history generator (bench/prom_history.py) at a tiny scale."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from bench.prom_history import generate, make_cluster


def test_cluster_shape_at_full_scale() -> None:
    c = make_cluster(1.0)
    assert (len(c.node_names), c.n) == (500, 7 * 24 * 12)
    assert len(c.pod_names) == 10_000
    assert int(c.pod_serving.sum()) == 50  # one vLLM pod per g5.xlarge node
    lo, hi = c.node_span[c.pod_node, 0], c.node_span[c.pod_node, 1]
    assert np.all((c.pod_span[:, 0] >= lo) & (c.pod_span[:, 1] <= hi) & (c.pod_span[:, 1] > c.pod_span[:, 0]))


def test_generate_writes_a_complete_file(tmp_path: Path) -> None:
    stats, _seconds, cluster = generate(tmp_path / "h.om", 0.02, days=1)
    text = (tmp_path / "h.om").read_text()
    assert text.endswith("# EOF\n")
    assert text.count("\n# TYPE ") + text.startswith("# TYPE ") == stats.families == 17
    assert stats.samples == sum(1 for line in text.splitlines() if not line.startswith("#"))
    assert (len(cluster.node_names), len(cluster.pod_names), cluster.n) == (10, 200, 288)
