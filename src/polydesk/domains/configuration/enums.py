"""Enumerations of configuration management."""

from __future__ import annotations

from enum import StrEnum


class RelationshipStrength(StrEnum):
    """How much one item depends on the other (GoToAssist's "Hard" and "Soft")."""

    HARD = "hard"
    SOFT = "soft"


class Direction(StrEnum):
    """Which end of a relationship an item is at: the source reads the type's ``name``, the
    target its ``reverse_name``."""

    OUTGOING = "outgoing"
    INCOMING = "incoming"
