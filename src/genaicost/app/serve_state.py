"""What the running server knows about its collections: the latest Report and the last success / error.

Written by the collector thread, read by the API handlers; guarded by a lock.
"""

from __future__ import annotations

import threading
from datetime import datetime

from genaicost.domain.report import Report


class ServeState:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._report: Report | None = None
        self.last_success_at: datetime | None = None
        self.last_error: str | None = None
        self.collections = 0

    def latest_report(self) -> Report | None:
        """The Report of the last successful collection (the current run-rate, 1 h window), or None."""
        with self._lock:
            return self._report

    def record_success(self, report: Report | None, at: datetime) -> None:
        with self._lock:
            if report is not None:
                self._report = report
            self.last_success_at = at
            self.last_error = None
            self.collections += 1

    def record_failure(self, message: str) -> None:
        with self._lock:
            self.last_error = message

    @property
    def ready(self) -> bool:
        with self._lock:
            return self.last_success_at is not None
