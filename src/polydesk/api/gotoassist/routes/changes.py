"""Changes: Show Changes, Show Change, Create Change, Update Change."""

from __future__ import annotations

from polydesk.api.gotoassist.records import record_router
from polydesk.api.gotoassist.schemas import ChangeIn, ChangeOut
from polydesk.core.enums import RecordKind

router = record_router(RecordKind.CHANGE, ChangeOut, ChangeIn)
