"""Watches: Show Watches, Show Watch, Create Watch, Update Watch, Delete Watch, under records
(incidents, problems, changes, releases) and config items.

A watcher is a user (``watched_by``: an id, or a user or customer reference as clients copy
it from a record) or an outside address (``external_email``). Show Watches lists every watch
of the parent, unpaged, as the Beetil page shows it. Delete answers the deleted watch.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from polydesk.api.deps import DbSession
from polydesk.api.gotoassist import params
from polydesk.api.gotoassist.auth import CurrentActor
from polydesk.api.gotoassist.embed import KIND_NAME, KIND_SEGMENT, links_for, user_ref
from polydesk.api.gotoassist.envelope import invalid, not_found, success
from polydesk.api.gotoassist.mapping_sub import watch_target_from, watch_to_wire
from polydesk.api.gotoassist.records import load
from polydesk.api.gotoassist.routing import ga_router, op
from polydesk.api.gotoassist.schemas_sub import SubWatchOut, WatchIn
from polydesk.core.db import Session
from polydesk.core.enums import RecordKind
from polydesk.core.errors import NotFound
from polydesk.domains.configuration import service as configuration
from polydesk.domains.customers import service as customers
from polydesk.domains.users import service as users
from polydesk.domains.watches import service as watches
from polydesk.domains.watches.schemas import WatchUpdate
from polydesk.models import Watch

router = ga_router()


class Parent:
    """The record or config item a watch belongs to, as the services and links name it."""

    def __init__(self, *, record_id: int | None, config_item_id: int | None, path: str) -> None:
        self.record_id = record_id
        self.config_item_id = config_item_id
        self.path = path

    @property
    def ids(self) -> dict[str, int | None]:
        return {"record_id": self.record_id, "config_item_id": self.config_item_id}


Loader = Callable[[Request, Session, str], Awaitable[Parent]]


def _record_loader(kind: RecordKind) -> Loader:
    async def load_record(request: Request, session: Session, raw_id: str) -> Parent:
        record = await load(session, kind, raw_id)
        path = links_for(request).record(RecordKind(record.kind), record.id)
        return Parent(record_id=record.id, config_item_id=None, path=path)

    return load_record


async def _load_config_item(request: Request, session: Session, raw_id: str) -> Parent:
    item_id = params.path_id(raw_id, "config item")
    try:
        item = await configuration.get_config_item(session, item_id)
    except NotFound:
        raise not_found("config item") from None
    path = f"{links_for(request).prefix}/config_items/{item.id}"
    return Parent(record_id=None, config_item_id=item.id, path=path)


PARENTS: dict[str, tuple[str, Loader]] = {
    **{
        KIND_SEGMENT[kind]: (KIND_NAME[kind], _record_loader(kind))
        for kind in (RecordKind.INCIDENT, RecordKind.PROBLEM, RecordKind.CHANGE, RecordKind.RELEASE)
    },
    "config_items": ("config item", _load_config_item),
}


async def wire(request: Request, session: Session, parent: Parent, watch: Watch) -> dict[str, Any]:
    user = None
    if watch.user_id is not None:
        user = (await users.users_by_ids(session, [watch.user_id])).get(watch.user_id)
    return watch_to_wire(
        watch, watched_by=user_ref(links_for(request), user), parent_path=parent.path
    )


async def _watcher(session: Session, fields: dict[str, Any]) -> tuple[int | None, str | None]:
    """``(user id, None)`` or ``(None, address)``; a customer reference names its user."""
    user_id, customer_id, email = watch_target_from(fields)
    if customer_id is not None:
        try:
            found = await customers.get_customer(session, customer_id)
        except NotFound:
            raise invalid("no customer found") from None
        return found.user.id, None
    return user_id, email


async def _watch(session: Session, parent: Parent, raw_id: str) -> Watch:
    watch_id = params.path_id(raw_id, "watch")
    try:
        return await watches.get_watch(session, watch_id, **parent.ids)
    except NotFound:
        raise not_found("watch") from None


def _register(segment: str, name: str, loader: Loader) -> None:
    base = f"/v1/{segment}/{{parent_id}}/watches"
    label = name.title()

    @router.get(
        base,
        name=f"list_{segment}_watches",
        openapi_extra=op(f"Show Watches ({label})", result="watches", schema=SubWatchOut),
    )
    async def list_watches(
        parent_id: str, request: Request, actor: CurrentActor, session: DbSession
    ) -> Response:
        parent = await loader(request, session, parent_id)
        entries = await watches.list_watches(session, **parent.ids)
        links = links_for(request)
        return success(
            request,
            {
                "watches": [
                    watch_to_wire(
                        e.watch, watched_by=user_ref(links, e.user), parent_path=parent.path
                    )
                    for e in entries
                ]
            },
        )

    @router.get(
        f"{base}/{{watch_id}}",
        name=f"show_{segment}_watch",
        openapi_extra=op(f"Show Watch ({label})", result="watch", schema=SubWatchOut),
    )
    async def show_watch(
        parent_id: str, watch_id: str, request: Request, actor: CurrentActor, session: DbSession
    ) -> Response:
        parent = await loader(request, session, parent_id)
        watch = await _watch(session, parent, watch_id)
        return success(request, {"watch": await wire(request, session, parent, watch)})

    @router.post(
        base,
        name=f"create_{segment}_watch",
        openapi_extra=op(
            f"Create Watch ({label})",
            result="watch",
            schema=SubWatchOut,
            body="watch",
            body_schema=WatchIn,
        ),
    )
    async def create_watch(
        parent_id: str, request: Request, actor: CurrentActor, session: DbSession
    ) -> Response:
        parent = await loader(request, session, parent_id)
        user_id, email = await _watcher(session, await params.read_fields(request, "watch"))
        watch = await watches.add_watch(
            session, actor, **parent.ids, user_id=user_id, external_email=email
        )
        return success(request, {"watch": await wire(request, session, parent, watch)})

    @router.put(
        f"{base}/{{watch_id}}",
        name=f"update_{segment}_watch",
        openapi_extra=op(
            f"Update Watch ({label})",
            result="watch",
            schema=SubWatchOut,
            body="watch",
            body_schema=WatchIn,
        ),
    )
    async def update_watch(
        parent_id: str, watch_id: str, request: Request, actor: CurrentActor, session: DbSession
    ) -> Response:
        parent = await loader(request, session, parent_id)
        watch = await _watch(session, parent, watch_id)
        fields = await params.read_fields(request, "watch")
        if any(k in fields for k in ("watched_by", "watched_by_id", "user_id", "external_email")):
            user_id, email = await _watcher(session, fields)
            watch = await watches.update_watch(
                session,
                actor,
                watch.id,
                WatchUpdate(user_id=user_id, external_email=email),
                **parent.ids,
            )
        return success(request, {"watch": await wire(request, session, parent, watch)})

    @router.delete(
        f"{base}/{{watch_id}}",
        name=f"delete_{segment}_watch",
        openapi_extra=op(
            f"Delete Watch ({label}); answers the deleted watch",
            result="watch",
            schema=SubWatchOut,
        ),
    )
    async def delete_watch(
        parent_id: str, watch_id: str, request: Request, actor: CurrentActor, session: DbSession
    ) -> Response:
        parent = await loader(request, session, parent_id)
        watch = await _watch(session, parent, watch_id)
        answer = await wire(request, session, parent, watch)
        await watches.remove_watch(session, actor, watch.id, **parent.ids)
        return success(request, {"watch": answer})


for _segment, (_name, _loader) in PARENTS.items():
    _register(_segment, _name, _loader)
