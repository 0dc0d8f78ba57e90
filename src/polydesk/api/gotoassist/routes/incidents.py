"""Incidents: Show Incidents, Show Incident, Create Incident, Update Incident."""

from __future__ import annotations

from polydesk.api.gotoassist.records import record_router
from polydesk.api.gotoassist.schemas import IncidentIn, IncidentOut
from polydesk.core.enums import RecordKind

router = record_router(RecordKind.INCIDENT, IncidentOut, IncidentIn)
