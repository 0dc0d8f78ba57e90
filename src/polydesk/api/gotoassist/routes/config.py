"""Configuration: Show Top-Level Config Types, Show Config Type, Show Config Relationship
Types, Show Config Item, Create Config Item, Update Config Item.

Segments: ``config_types``, ``config_relationship_types``, ``config_items``; the guide's exact
names are unknown, so ``config_type``, ``configuration_types``, ``relationship_types``,
``config_item`` and ``configuration_items`` are served too (undocumented aliases). A config
item is also created at ``/v1/config_types/{id}/config_items`` (the type from the path).
Create and Update take ``relationships`` to add from the item outwards; existing ones are kept
(the guide has no call that removes one).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from polydesk.api.deps import DbSession
from polydesk.api.gotoassist import params
from polydesk.api.gotoassist.auth import CurrentActor
from polydesk.api.gotoassist.embed import links_for, user_ref
from polydesk.api.gotoassist.envelope import invalid, not_found, success
from polydesk.api.gotoassist.mapping_sub import (
    config_item_create_from,
    config_item_ref,
    config_item_to_wire,
    config_item_update_from,
    config_type_summary,
    config_type_to_wire,
    relationship_type_to_wire,
    relationships_from,
    watch_to_wire,
)
from polydesk.api.gotoassist.routing import QueryParam, ga_router, op
from polydesk.api.gotoassist.schemas_sub import (
    ConfigItemIn,
    ConfigItemOut,
    ConfigItemRef,
    ConfigTypeOut,
    ConfigTypeSummary,
    RelationshipTypeOut,
)
from polydesk.core.actor import Actor
from polydesk.core.db import Session
from polydesk.core.errors import NotFound
from polydesk.domains.configuration import service as configuration
from polydesk.domains.configuration.enums import Direction
from polydesk.domains.configuration.schemas import RelationshipCreate
from polydesk.domains.links import service as links_service
from polydesk.domains.watches import service as watches
from polydesk.models import ConfigItem

router = ga_router()

TYPE_SEGMENTS = ("config_types", "config_type", "configuration_types")
RELATIONSHIP_TYPE_SEGMENTS = (
    "config_relationship_types",
    "relationship_types",
    "config_relationship_type",
)
ITEM_SEGMENTS = ("config_items", "config_item", "configuration_items")
ITEM_WRAPPERS = ("config_item", "configuration_item")
TYPE_ITEMS_SHOWN = 100
"""Show Config Type lists this many of the type's items (by id) beside their count."""


async def item_object(request: Request, session: Session, item: ConfigItem) -> dict[str, Any]:
    """Show Config Item: the item, its type, relationships, watches and linked records."""
    prefix = links_for(request).prefix
    path = f"{prefix}/config_items/{item.id}"
    try:
        config_type = await configuration.get_config_type(session, item.config_type_id)
    except NotFound:
        config_type = None
    related = await configuration.list_relationships(session, item.id)
    links = links_for(request)
    watch_objects = [
        watch_to_wire(e.watch, watched_by=user_ref(links, e.user), parent_path=path)
        for e in await watches.list_watches(session, config_item_id=item.id)
    ]
    linked = links_service.group_by_kind(
        await links_service.records_of_config_item(session, item.id)
    )
    return config_item_to_wire(
        prefix,
        item,
        config_type=config_type,
        relationships=related,
        watches=watch_objects,
        linked=linked,
    )


async def _item(session: Session, raw_id: str) -> ConfigItem:
    item_id = params.path_id(raw_id, "config item")
    try:
        return await configuration.get_config_item(session, item_id)
    except NotFound:
        raise not_found("config item") from None


async def _check_relationships(
    session: Session, pairs: list[tuple[int, int]], item_id: int | None
) -> None:
    """Every relationship to add names an existing type and another existing item. Checked
    before anything is written, so that a refused request leaves no item behind."""
    for type_id in dict.fromkeys(type_id for type_id, _ in pairs):
        try:
            await configuration.get_relationship_type(session, type_id)
        except NotFound:
            raise invalid("no relationship type found") from None
    targets = sorted({target_id for _, target_id in pairs})
    if item_id is not None and item_id in targets:
        raise invalid("a config item cannot be related to itself")
    if len(await configuration.config_items_by_ids(session, targets)) != len(targets):
        raise invalid("no related config item found")


async def _add_relationships(
    session: Session, actor: Actor, item: ConfigItem, pairs: list[tuple[int, int]]
) -> None:
    """Relationships from ``item`` to add (checked by :func:`_check_relationships`); those it
    already has are left alone."""
    if not pairs:
        return
    existing = {
        (r.relationship_type.id, r.item.id)
        for r in await configuration.list_relationships(session, item.id)
        if r.direction is Direction.OUTGOING
    }
    for type_id, target_id in dict.fromkeys(pairs):
        if (type_id, target_id) not in existing:
            await configuration.create_relationship(
                session,
                actor,
                RelationshipCreate(
                    relationship_type_id=type_id, source_id=item.id, target_id=target_id
                ),
            )


def _aliases(segments: tuple[str, ...]) -> list[tuple[str, bool]]:
    return [(segment, i == 0) for i, segment in enumerate(segments)]


def _register_types(segment: str, documented: bool) -> None:
    def doc(summary: str, **kwargs: Any) -> dict[str, Any] | None:
        return op(summary, **kwargs) if documented else None

    @router.get(
        f"/v1/{segment}",
        name=f"list_{segment}",
        openapi_extra=doc(
            "Show Top-Level Config Types", result="config_types", schema=ConfigTypeSummary
        ),
    )
    async def top_level_types(
        request: Request, actor: CurrentActor, session: DbSession
    ) -> Response:
        found = await configuration.list_top_level_config_types(session)
        parents = await configuration.config_types_with_children(session, [t.id for t in found])
        prefix = links_for(request).prefix
        return success(
            request,
            {
                "config_types": [
                    config_type_summary(prefix, t, has_children=t.id in parents) for t in found
                ]
            },
        )

    @router.get(
        f"/v1/{segment}/{{config_type_id}}",
        name=f"show_{segment}",
        openapi_extra=doc("Show Config Type", result="config_type", schema=ConfigTypeOut),
    )
    async def show_type(
        config_type_id: str, request: Request, actor: CurrentActor, session: DbSession
    ) -> Response:
        type_id = params.path_id(config_type_id, "config type")
        try:
            details = await configuration.get_config_type_details(session, type_id)
        except NotFound:
            raise not_found("config type") from None
        items, total = await configuration.list_config_items(
            session, config_type_id=type_id, limit=TYPE_ITEMS_SHOWN
        )
        return success(
            request,
            {
                "config_type": config_type_to_wire(
                    links_for(request).prefix,
                    details.config_type,
                    parent=details.parent,
                    children=details.children,
                    items=items,
                    items_total=total,
                )
            },
        )

    @router.post(
        f"/v1/{segment}/{{config_type_id}}/config_items",
        name=f"create_{segment}_item",
        openapi_extra=doc(
            "Create Config Item (of this config type)",
            result="config_item",
            schema=ConfigItemOut,
            body="config_item",
            body_schema=ConfigItemIn,
        ),
    )
    async def create_typed_item(
        config_type_id: str, request: Request, actor: CurrentActor, session: DbSession
    ) -> Response:
        type_id = params.path_id(config_type_id, "config type")
        try:
            await configuration.get_config_type(session, type_id)
        except NotFound:
            raise not_found("config type") from None
        return await _create(request, actor, session, type_id)


async def _create(
    request: Request, actor: Actor, session: Session, config_type_id: int | None
) -> Response:
    fields = await params.read_fields(request, *ITEM_WRAPPERS)
    data = config_item_create_from(fields, config_type_id=config_type_id)
    pairs = relationships_from(fields)
    await _check_relationships(session, pairs, None)
    item = await configuration.create_config_item(session, actor, data)
    await _add_relationships(session, actor, item, pairs)
    return success(request, {"config_item": await item_object(request, session, item)})


def _register_relationship_types(segment: str, documented: bool) -> None:
    @router.get(
        f"/v1/{segment}",
        name=f"list_{segment}",
        openapi_extra=op(
            "Show Config Relationship Types",
            result="config_relationship_types",
            schema=RelationshipTypeOut,
        )
        if documented
        else None,
    )
    async def relationship_types(
        request: Request, actor: CurrentActor, session: DbSession
    ) -> Response:
        prefix = links_for(request).prefix
        found = await configuration.list_relationship_types(session)
        return success(
            request,
            {"config_relationship_types": [relationship_type_to_wire(prefix, t) for t in found]},
        )


def _register_items(segment: str, documented: bool) -> None:
    def doc(summary: str, **kwargs: Any) -> dict[str, Any] | None:
        return (
            op(summary, result="config_item", schema=ConfigItemOut, **kwargs)
            if documented
            else None
        )

    @router.get(
        f"/v1/{segment}",
        name=f"list_{segment}",
        openapi_extra=op(
            "Show Config Items (not in the guide; config_type_id filters)",
            result="config_items",
            schema=ConfigItemRef,
            paged=True,
            query=(
                QueryParam("config_type_id", "integer", "Only items of this config type."),
                QueryParam("limit", "integer", "Page size (at most 1000).", 10),
                QueryParam("page", "integer", "1-based page.", 1),
            ),
        )
        if documented
        else None,
    )
    async def list_items(request: Request, actor: CurrentActor, session: DbSession) -> Response:
        limit, page = params.page_params(request)
        raw_type = request.query_params.get("config_type_id", "").strip()
        type_id = params.to_id(raw_type) if raw_type else None
        if raw_type and type_id is None:
            raise invalid("config_type_id is invalid")
        found, total = await configuration.list_config_items(
            session, config_type_id=type_id, offset=params.page_offset(limit, page), limit=limit
        )
        prefix = links_for(request).prefix
        return success(
            request,
            {
                "total_entries": total,
                "total_pages": -(-total // limit),
                "config_items": [config_item_ref(prefix, item) for item in found],
            },
        )

    @router.get(
        f"/v1/{segment}/{{config_item_id}}",
        name=f"show_{segment}",
        openapi_extra=doc("Show Config Item"),
    )
    async def show_item(
        config_item_id: str, request: Request, actor: CurrentActor, session: DbSession
    ) -> Response:
        item = await _item(session, config_item_id)
        return success(request, {"config_item": await item_object(request, session, item)})

    @router.post(
        f"/v1/{segment}",
        name=f"create_{segment}",
        openapi_extra=doc("Create Config Item", body="config_item", body_schema=ConfigItemIn),
    )
    async def create_item(request: Request, actor: CurrentActor, session: DbSession) -> Response:
        return await _create(request, actor, session, None)

    @router.put(
        f"/v1/{segment}/{{config_item_id}}",
        name=f"update_{segment}",
        openapi_extra=doc("Update Config Item", body="config_item", body_schema=ConfigItemIn),
    )
    async def update_item(
        config_item_id: str, request: Request, actor: CurrentActor, session: DbSession
    ) -> Response:
        item = await _item(session, config_item_id)
        fields = await params.read_fields(request, *ITEM_WRAPPERS)
        pairs = relationships_from(fields)
        await _check_relationships(session, pairs, item.id)
        item = await configuration.update_config_item(
            session, actor, item.id, config_item_update_from(fields)
        )
        await _add_relationships(session, actor, item, pairs)
        return success(request, {"config_item": await item_object(request, session, item)})


for _segment, _documented in _aliases(TYPE_SEGMENTS):
    _register_types(_segment, _documented)
for _segment, _documented in _aliases(RELATIONSHIP_TYPE_SEGMENTS):
    _register_relationship_types(_segment, _documented)
for _segment, _documented in _aliases(ITEM_SEGMENTS):
    _register_items(_segment, _documented)
