"""Problems: Show Problems, Show Problem, Create Problem, Update Problem."""

from __future__ import annotations

from polydesk.api.gotoassist.records import record_router
from polydesk.api.gotoassist.schemas import ProblemIn, ProblemOut
from polydesk.core.enums import RecordKind

router = record_router(RecordKind.PROBLEM, ProblemOut, ProblemIn)
