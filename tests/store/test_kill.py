"""`kill -9` in the middle of a collection loses no committed hour and duplicates none (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from genaicost.store import open_store
from genaicost.store.schema import Rollup

CLI = str(Path(sys.executable).parent / "genaicost")


def state(url: str, quiet: bool = True) -> tuple[dict[int, int], int, dict[int, int]]:
    """(committed hour -> its rows count, duplicated keys, hour -> rollup rows actually stored); when no writer
    runs (`quiet`), also checks that the daily rollups equal the hours they sum."""
    store = open_store(url)
    try:
        hours = store.committed_hours("genai-prod")
        committed = dict(zip(hours["hour"].to_list(), hours["rows"].to_list(), strict=True))
        keys = select(Rollup.cluster, Rollup.hour, Rollup.kind, Rollup.key, func.count().label("n")).group_by(
            Rollup.cluster, Rollup.hour, Rollup.kind, Rollup.key).subquery()
        hourly = ~Rollup.kind.like("%@day")
        per_hour = select(Rollup.hour, func.count()).where(hourly).group_by(Rollup.hour)
        by_day = select((Rollup.hour - Rollup.hour % 86400).label("day"), func.sum(Rollup.total_usd)).where(
            Rollup.kind == "namespace").group_by("day")
        daily = select(Rollup.hour, func.sum(Rollup.total_usd)).where(Rollup.kind == "namespace@day").group_by(
            Rollup.hour)
        with store.engine.connect() as conn:
            dupes = int(conn.execute(select(func.count()).select_from(keys).where(keys.c.n > 1)).scalar_one())
            stored = {int(h): int(n) for h, n in conn.execute(per_hour)}
            sums = {int(d): round(float(t), 6) for d, t in conn.execute(by_day)}
            day_rows = {int(d): round(float(t), 6) for d, t in conn.execute(daily)}
        assert day_rows == sums or not quiet                           # daily rollups = their hours
        return committed, dupes, stored
    finally:
        store.close()


@pytest.mark.slow
def test_kill_9_mid_collection_then_restart(store_url: str, tmp_path: Path) -> None:
    cmd = [CLI, "collect", "--demo", "--demo-history-days", "2", "--store", store_url]
    open_store(store_url).close()                                     # migrated before the race starts
    log = (tmp_path / "collect.log").open("wb")
    proc = subprocess.Popen(cmd, cwd=tmp_path, stdout=log, stderr=log, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if len(state(store_url, quiet=False)[0]) >= 8:
                break
            assert proc.poll() is None, (tmp_path / "collect.log").read_text()
            time.sleep(0.05)
        else:
            pytest.fail("the collection wrote fewer than 8 hours in 120 s")
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        log.close()
    assert proc.returncode == -signal.SIGKILL
    before, dupes, stored = state(store_url)
    assert 8 <= len(before) < 49 and dupes == 0
    assert {h: stored.get(h, 0) for h in before} == before             # every committed hour is complete
    assert set(stored) == set(before)                                  # and nothing uncommitted is visible

    subprocess.run(cmd, cwd=tmp_path, check=True, capture_output=True, timeout=300)
    after, dupes, stored = state(store_url)
    assert dupes == 0
    assert len(after) == 49                                            # 48 generated hours + the current one
    assert {h: after[h] for h in before} == before                     # nothing committed was lost or rewritten
    assert stored == after
