"""The background collection of `genaicost serve`: a daemon thread running Collector.collect every interval.

A failed collection is logged and recorded (served by /readyz) and retried at the next tick; it never stops
the server.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

from genaicost.app.collect import Collector
from genaicost.app.serve_state import ServeState

log = logging.getLogger("genaicost.serve")


class CollectorThread(threading.Thread):
    def __init__(self, collector: Collector, state: ServeState, interval_s: float) -> None:
        super().__init__(name="genaicost-collector", daemon=True)
        self.collector = collector
        self.state = state
        self.interval_s = interval_s
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            self.collect_once()
            self.stopping.wait(self.interval_s)

    def collect_once(self) -> None:
        now = datetime.now(UTC)
        try:
            result = self.collector.collect(now, on_latest=lambda report: self.state.record_success(report, now))
        except Exception as err:  # keep serving; /readyz shows the error
            log.exception("collection failed")
            self.state.record_failure(f"{type(err).__name__}: {err}")
            return
        self.state.record_success(result.latest, now)
        log.info("collected %d hour(s), deleted %d", len(result.hours_written), result.hours_deleted)

    def stop(self) -> None:
        self.stopping.set()
