"""The notifier interface, its errors and the record of one delivery."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from genaicost.domain.alert import Alert


class DeliveryError(Exception):
    """A delivery attempt failed. `permanent` failures (e.g. 400, 404) are not retried."""

    def __init__(self, message: str, *, permanent: bool = False, status_code: int | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.status_code = status_code


class NotifierSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Notifier(ABC):
    """Sends a batch of alerts to one target. `send` raises DeliveryError on failure; `deliver` retries."""

    name: ClassVar[str]
    Settings: ClassVar[type[NotifierSettings]]

    def __init__(self, target: str, settings: NotifierSettings) -> None:
        self.target = target
        self.settings = settings

    @abstractmethod
    def send(self, alerts: list[Alert]) -> None: ...


class DeliveryAttempt(BaseModel):
    model_config = ConfigDict(extra="forbid")

    at: datetime
    ok: bool
    error: str | None = None
    status_code: int | None = None


class DeliveryRecord(BaseModel):
    """One delivery of a batch of alerts to a target: every attempt, the outcome and the last error."""

    model_config = ConfigDict(extra="forbid")

    target: str
    alert_keys: list[str]
    ok: bool
    attempts: int
    error: str | None = None
    at: datetime = Field(description="time of the last attempt")
    history: list[DeliveryAttempt] = Field(default_factory=list)
