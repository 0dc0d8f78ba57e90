"""Outputs of the rate-limit service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class RateState:
    """Where a caller stands in the current window, after counting this request."""

    limit: int
    count: int
    """Requests counted in this window, this one included."""
    window_start: datetime
    reset_at: datetime
    """When the window ends and the count starts again from zero."""

    @property
    def exceeded(self) -> bool:
        return self.count > self.limit

    @property
    def remaining(self) -> int:
        return max(self.limit - self.count, 0)
