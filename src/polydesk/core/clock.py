"""The one place that reads the wall clock, so every timestamp is aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def epoch_ms(value: datetime) -> int:
    return int(value.timestamp() * 1000)
