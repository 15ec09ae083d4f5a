"""The time window a snapshot or report covers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

HOURS_PER_MONTH = 730.0
HOURS_PER_DAY = 24.0


@dataclass(frozen=True)
class Window:
    """A half-open interval [start, end) in UTC."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("window start and end must be timezone-aware (UTC)")
        if self.end <= self.start:
            raise ValueError(
                f"window end {self.end.isoformat()} must be after start {self.start.isoformat()}"
            )

    @property
    def hours(self) -> float:
        return (self.end - self.start) / timedelta(hours=1)

    @classmethod
    def ending_at(cls, end: datetime, hours: float) -> Window:
        return cls(start=end - timedelta(hours=hours), end=end)
