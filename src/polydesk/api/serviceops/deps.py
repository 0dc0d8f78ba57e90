"""The dependencies of ServiceOps routes, as ``Annotated`` aliases. Routes import from here.

- ``DbSession``: the request's unit of work (committed before the response is sent).
- ``AppSettings``: the settings.
- ``CurrentPrincipal``: the authenticated caller (401 when the credentials are missing,
  malformed, expired or revoked).
- ``RequireTechnician``: the caller as an :class:`Actor` on the ``serviceops`` channel; 403
  unless they are a technician or an administrator (an account-wide API key acts as admin).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from polydesk.api import deps as shared
from polydesk.api.serviceops import auth
from polydesk.core.actor import Actor
from polydesk.core.enums import Channel
from polydesk.domains.integration.schemas import Principal

AppSettings = shared.AppSettings
AppDatabase = shared.AppDatabase


DbSession = shared.DbSession


async def _principal(request: Request, session: DbSession, settings: AppSettings) -> Principal:
    return await auth.authenticate(request, session, settings)


CurrentPrincipal = Annotated[Principal, Depends(_principal)]


async def _technician(principal: CurrentPrincipal) -> Actor:
    return auth.require_staff(principal).actor(Channel.SERVICEOPS)


RequireTechnician = Annotated[Actor, Depends(_technician)]
