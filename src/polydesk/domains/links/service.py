"""Rules of links.

Any record may be linked to any other record except a problem to a release (either way round,
GoToAssist's rule), and never to itself. A record link is symmetric: it is stored once, from
the lower id to the higher, and read from both ends. A record may also be linked to
configuration items.

Linking what is already linked is not an error: the call returns the existing link and writes
nothing (GoToAssist's Create Link answers with all the links either way). Unlinking what is not
linked is not found.

Staff manage links. Each write records one event, on the record the caller acted on.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core.actor import Actor
from polydesk.core.enums import RecordKind
from polydesk.core.errors import Forbidden, Invalid, NotFound
from polydesk.domains.audit import service as audit
from polydesk.domains.configuration import service as configuration
from polydesk.domains.links import repository
from polydesk.domains.links.schemas import LinkedRecord
from polydesk.models import ConfigItem, Link

FORBIDDEN_PAIR = frozenset({RecordKind.PROBLEM, RecordKind.RELEASE})


def _state(link: Link) -> dict[str, Any]:
    if link.target_record_id is not None:
        return {"source_id": link.source_id, "target_record_id": link.target_record_id}
    return {"source_id": link.source_id, "target_config_item_id": link.target_config_item_id}


def _require_staff(actor: Actor) -> None:
    if not actor.is_staff:
        raise Forbidden("Only staff may link and unlink records.")


def _not_found(record_id: int) -> NotFound:
    return NotFound(f"No record with id {record_id}.", field="record_id", value=record_id)


async def _require_record(session: AsyncSession, record_id: int) -> None:
    if record_id not in await repository.record_kinds(session, [record_id]):
        raise _not_found(record_id)


async def _created(session: AsyncSession, actor: Actor, record_id: int, link: Link) -> None:
    await audit.record(
        session,
        actor,
        "link.created",
        object_type="link",
        object_id=link.id,
        record_id=record_id,
        after=_state(link),
    )


async def link_records(
    session: AsyncSession,
    actor: Actor,
    record_id: int,
    other_record_id: int,
    *,
    other_kinds: Collection[RecordKind] | None = None,
) -> Link:
    """Link two records, or return their existing link.

    ``other_kinds``, when given, are the kinds the other record must have (GoToAssist names the
    kind in the request: ``incident_id``, ``change_id``, …).
    """
    _require_staff(actor)
    kinds = await repository.record_kinds(session, [record_id, other_record_id])
    if record_id not in kinds:
        raise _not_found(record_id)
    if other_record_id not in kinds:
        raise Invalid(
            f"No record with id {other_record_id} to link to.",
            field="other_record_id",
            value=other_record_id,
        )
    if record_id == other_record_id:
        raise Invalid(
            "A record cannot be linked to itself.", field="other_record_id", value=other_record_id
        )
    other_kind = RecordKind(kinds[other_record_id])
    if other_kinds is not None and other_kind not in other_kinds:
        wanted = " or ".join(sorted(k.value for k in other_kinds))
        raise Invalid(
            f"Record {other_record_id} is a {other_kind.value}, not a {wanted}.",
            field="other_record_id",
            value=other_record_id,
        )
    if {RecordKind(kinds[record_id]), other_kind} == FORBIDDEN_PAIR:
        raise Invalid(
            "Problems cannot be linked to releases.",
            field="other_record_id",
            value=other_record_id,
        )
    source_id, target_id = sorted((record_id, other_record_id))
    existing = await repository.find_record_link(session, source_id, target_id)
    if existing is not None:
        return existing
    link = Link(source_id=source_id, target_record_id=target_id, created_by_id=actor.user_id)
    if not await repository.add_unique(session, link):
        raced = await repository.find_record_link(session, source_id, target_id)
        assert raced is not None
        return raced
    await _created(session, actor, record_id, link)
    return link


async def link_config_item(
    session: AsyncSession, actor: Actor, record_id: int, config_item_id: int
) -> Link:
    """Link a record to a configuration item, or return their existing link."""
    _require_staff(actor)
    await _require_record(session, record_id)
    try:
        await configuration.get_config_item(session, config_item_id)
    except NotFound as exc:
        raise Invalid(exc.message, field="config_item_id", value=config_item_id) from exc
    existing = await repository.find_config_item_link(session, record_id, config_item_id)
    if existing is not None:
        return existing
    link = Link(
        source_id=record_id, target_config_item_id=config_item_id, created_by_id=actor.user_id
    )
    if not await repository.add_unique(session, link):
        raced = await repository.find_config_item_link(session, record_id, config_item_id)
        assert raced is not None
        return raced
    await _created(session, actor, record_id, link)
    return link


async def _delete(session: AsyncSession, actor: Actor, record_id: int, link: Link) -> None:
    before = _state(link)
    link_id = link.id
    await repository.delete(session, link)
    await audit.record(
        session,
        actor,
        "link.deleted",
        object_type="link",
        object_id=link_id,
        record_id=record_id,
        before=before,
    )


async def unlink_records(
    session: AsyncSession, actor: Actor, record_id: int, other_record_id: int
) -> None:
    _require_staff(actor)
    await _require_record(session, record_id)
    source_id, target_id = sorted((record_id, other_record_id))
    link = await repository.find_record_link(session, source_id, target_id)
    if link is None:
        raise NotFound(
            f"Record {record_id} is not linked to record {other_record_id}.",
            field="other_record_id",
            value=other_record_id,
        )
    await _delete(session, actor, record_id, link)


async def unlink_config_item(
    session: AsyncSession, actor: Actor, record_id: int, config_item_id: int
) -> None:
    _require_staff(actor)
    await _require_record(session, record_id)
    link = await repository.find_config_item_link(session, record_id, config_item_id)
    if link is None:
        raise NotFound(
            f"Record {record_id} is not linked to config item {config_item_id}.",
            field="config_item_id",
            value=config_item_id,
        )
    await _delete(session, actor, record_id, link)


async def links_of(session: AsyncSession, record_id: int) -> list[LinkedRecord]:
    """The records linked to this one, from either end, by kind then id, in one query. A
    record that does not exist has no links: callers load the record itself first."""
    return (await links_for(session, [record_id]))[record_id]


async def links_for(
    session: AsyncSession, record_ids: Sequence[int]
) -> dict[int, list[LinkedRecord]]:
    """As :func:`links_of` for many records, in one query; every id asked for is a key."""
    grouped: dict[int, list[LinkedRecord]] = {record_id: [] for record_id in record_ids}
    for host, other, kind in await repository.linked_records(session, record_ids):
        grouped[host].append(LinkedRecord(other, RecordKind(kind)))
    return grouped


def group_by_kind(linked: Iterable[LinkedRecord]) -> dict[RecordKind, list[int]]:
    """Linked record ids under every kind (empty lists kept), as GoToAssist's Show Links
    answers with its four arrays."""
    grouped: dict[RecordKind, list[int]] = {kind: [] for kind in RecordKind}
    for record_id, kind in linked:
        grouped[kind].append(record_id)
    return grouped


async def config_items_of(session: AsyncSession, record_id: int) -> list[ConfigItem]:
    """The configuration items linked to the record, by id, in one query."""
    return (await config_items_for(session, [record_id]))[record_id]


async def config_items_for(
    session: AsyncSession, record_ids: Sequence[int]
) -> dict[int, list[ConfigItem]]:
    """As :func:`config_items_of` for many records, in one query; every id asked for is a
    key."""
    grouped: dict[int, list[ConfigItem]] = defaultdict(list)
    for record_id, item in await repository.config_items_of(session, record_ids):
        grouped[record_id].append(item)
    return {record_id: grouped.get(record_id, []) for record_id in record_ids}


async def records_of_config_item(session: AsyncSession, config_item_id: int) -> list[LinkedRecord]:
    """The records linked to a configuration item, by kind then id, in one query."""
    rows = await repository.records_of_config_item(session, config_item_id)
    return [LinkedRecord(record_id, RecordKind(kind)) for record_id, kind in rows]
