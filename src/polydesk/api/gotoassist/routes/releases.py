"""Releases: Show Releases, Show Release, Create Release, Update Release."""

from __future__ import annotations

from polydesk.api.gotoassist.records import record_router
from polydesk.api.gotoassist.schemas import ReleaseIn, ReleaseOut
from polydesk.core.enums import RecordKind

router = record_router(RecordKind.RELEASE, ReleaseOut, ReleaseIn)
