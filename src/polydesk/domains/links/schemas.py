"""Outputs of the link services."""

from __future__ import annotations

from typing import NamedTuple

from polydesk.core.enums import RecordKind


class LinkedRecord(NamedTuple):
    """The record at the other end of a link, with its kind (what GoToAssist groups by)."""

    record_id: int
    kind: RecordKind
