"""Companies."""

from __future__ import annotations

from polydesk.api.gotoassist.routing import ga_router

router = ga_router()
