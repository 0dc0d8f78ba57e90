"""Outputs of the demo loader."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

Progress = Callable[[str, int, int], None]
"""``(step, done, total)``, called as the loader goes."""


@dataclass(frozen=True, slots=True)
class Credential:
    what: str
    login: str
    secret: str


@dataclass(slots=True)
class DemoResult:
    records_created: dict[str, int] = field(default_factory=dict)
    """Records created per kind; empty when the demo records were there already."""
    credentials: list[Credential] = field(default_factory=list)
    """Every way in the demo offers. Tokens appear only on the run that created them."""
