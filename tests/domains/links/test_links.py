from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core.db import Database
from polydesk.core.enums import RecordKind
from polydesk.core.errors import Forbidden, Invalid, NotFound
from polydesk.domains.links import repository, service
from polydesk.domains.links.schemas import LinkedRecord
from polydesk.models import Link, Record
from tests.domains.users.factories import (
    SYSTEM,
    actor_for,
    count,
    events,
    make_requester,
    make_technician,
    sql_statements,
)
from tests.domains.watches.factories import make_config_item
from tests.factories import make_record

INC, REQ, PRB, CHG, REL = (
    RecordKind.INCIDENT,
    RecordKind.REQUEST,
    RecordKind.PROBLEM,
    RecordKind.CHANGE,
    RecordKind.RELEASE,
)


async def _record(db: Database, kind: RecordKind = RecordKind.INCIDENT) -> Record:
    async with db.unit_of_work() as session:
        return await make_record(session, kind=kind)


async def test_links_are_stored_once_and_read_from_both_ends(db: Database) -> None:
    incident = await _record(db, INC)
    change = await _record(db, CHG)
    problem = await _record(db, PRB)
    async with db.unit_of_work() as session:
        technician = await make_technician(session)
        # Linked from the higher id to the lower: stored lower → higher.
        link = await service.link_records(session, actor_for(technician), change.id, incident.id)
        await service.link_records(session, SYSTEM, incident.id, problem.id)
    assert (link.source_id, link.target_record_id) == (incident.id, change.id)
    assert link.created_by_id == technician.id
    async with db.unit_of_work() as session:
        of_incident = await service.links_of(session, incident.id)
        of_change = await service.links_of(session, change.id)
    assert of_incident == [LinkedRecord(change.id, CHG), LinkedRecord(problem.id, PRB)]
    assert of_change == [LinkedRecord(incident.id, INC)]
    grouped = service.group_by_kind(of_incident)
    assert grouped[CHG] == [change.id] and grouped[PRB] == [problem.id]
    assert grouped[INC] == grouped[REL] == grouped[REQ] == []
    first, _ = await events(db, "link.created")
    assert first.record_id == change.id and first.object_id == link.id
    assert first.after == {"source_id": incident.id, "target_record_id": change.id}


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (INC, INC),
        (INC, REQ),
        (INC, PRB),
        (INC, CHG),
        (INC, REL),
        (PRB, CHG),
        (CHG, REL),
        (REQ, REL),
        (PRB, PRB),
        (REL, REL),
    ],
)
async def test_any_kind_links_to_any_kind(db: Database, a: RecordKind, b: RecordKind) -> None:
    first = await _record(db, a)
    second = await _record(db, b)
    async with db.unit_of_work() as session:
        await service.link_records(session, SYSTEM, first.id, second.id)
    assert await count(db, Link) == 1


@pytest.mark.parametrize(("a", "b"), [(PRB, REL), (REL, PRB)])
async def test_problems_cannot_be_linked_to_releases(
    db: Database, a: RecordKind, b: RecordKind
) -> None:
    first = await _record(db, a)
    second = await _record(db, b)
    with pytest.raises(Invalid) as info:
        async with db.unit_of_work() as session:
            await service.link_records(session, SYSTEM, first.id, second.id)
    assert info.value.message == "Problems cannot be linked to releases."
    assert await count(db, Link) == 0


async def test_no_self_links_and_both_records_must_exist(db: Database) -> None:
    record = await _record(db)
    with pytest.raises(Invalid) as info:
        async with db.unit_of_work() as session:
            await service.link_records(session, SYSTEM, record.id, record.id)
    assert "itself" in info.value.message
    with pytest.raises(Invalid) as info:
        async with db.unit_of_work() as session:
            await service.link_records(session, SYSTEM, record.id, 999999)
    assert info.value.field == "other_record_id"
    with pytest.raises(NotFound):
        async with db.unit_of_work() as session:
            await service.link_records(session, SYSTEM, 999999, record.id)
    assert await count(db, Link) == 0


async def test_the_other_kind_can_be_required(db: Database) -> None:
    incident = await _record(db, INC)
    change = await _record(db, CHG)
    with pytest.raises(Invalid) as info:
        async with db.unit_of_work() as session:
            await service.link_records(session, SYSTEM, incident.id, change.id, other_kinds={REL})
    assert info.value.message == f"Record {change.id} is a change, not a release."
    async with db.unit_of_work() as session:
        await service.link_records(session, SYSTEM, incident.id, change.id, other_kinds={CHG})
    assert await count(db, Link) == 1


async def test_linking_again_returns_the_existing_link(db: Database) -> None:
    first = await _record(db)
    second = await _record(db)
    async with db.unit_of_work() as session:
        item = await make_config_item(session)
        link = await service.link_records(session, SYSTEM, first.id, second.id)
        item_link = await service.link_config_item(session, SYSTEM, first.id, item.id)
    async with db.unit_of_work() as session:
        again = await service.link_records(session, SYSTEM, second.id, first.id)
        item_again = await service.link_config_item(session, SYSTEM, first.id, item.id)
    assert (again.id, item_again.id) == (link.id, item_link.id)
    assert await count(db, Link) == 2
    assert len(await events(db, "link.created")) == 2


async def test_a_lost_insert_race_returns_the_winner(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = await _record(db)
    second = await _record(db)
    async with db.unit_of_work() as session:
        link = await service.link_records(session, SYSTEM, first.id, second.id)
    real = repository.find_record_link
    calls = {"n": 0}

    async def miss_once(session: AsyncSession, *args: Any) -> Link | None:
        calls["n"] += 1
        return None if calls["n"] == 1 else await real(session, *args)

    monkeypatch.setattr(repository, "find_record_link", miss_once)
    async with db.unit_of_work() as session:
        again = await service.link_records(session, SYSTEM, first.id, second.id)
        # The session is still usable after the failed insert.
        assert await service.links_of(session, first.id) == [LinkedRecord(second.id, INC)]
    assert again.id == link.id and calls["n"] == 2
    assert await count(db, Link) == 1
    assert len(await events(db, "link.created")) == 1


async def test_unlink(db: Database) -> None:
    first = await _record(db)
    second = await _record(db)
    async with db.unit_of_work() as session:
        link = await service.link_records(session, SYSTEM, first.id, second.id)
    async with db.unit_of_work() as session:
        await service.unlink_records(session, SYSTEM, second.id, first.id)
    assert await count(db, Link) == 0
    (event,) = await events(db, "link.deleted")
    assert event.record_id == second.id and event.object_id == link.id
    assert event.before == {"source_id": first.id, "target_record_id": second.id}
    with pytest.raises(NotFound):
        async with db.unit_of_work() as session:
            await service.unlink_records(session, SYSTEM, first.id, second.id)
    with pytest.raises(NotFound):
        async with db.unit_of_work() as session:
            await service.unlink_records(session, SYSTEM, 999999, second.id)


async def test_config_item_links(db: Database) -> None:
    change = await _record(db, CHG)
    incident = await _record(db, INC)
    async with db.unit_of_work() as session:
        disk = await make_config_item(session, name="Disk")
        host = await make_config_item(session, name="Host")
        for record in (change, incident):
            await service.link_config_item(session, SYSTEM, record.id, host.id)
        await service.link_config_item(session, SYSTEM, change.id, disk.id)
    async with db.unit_of_work() as session:
        assert [i.name for i in await service.config_items_of(session, change.id)] == [
            "Disk",
            "Host",
        ]
        assert await service.records_of_config_item(session, host.id) == [
            LinkedRecord(change.id, CHG),
            LinkedRecord(incident.id, INC),
        ]
        # Config item links are not record links.
        assert await service.links_of(session, change.id) == []
    (event, *_) = await events(db, "link.created")
    assert event.record_id == change.id
    assert event.after == {"source_id": change.id, "target_config_item_id": host.id}
    with pytest.raises(Invalid) as info:
        async with db.unit_of_work() as session:
            await service.link_config_item(session, SYSTEM, change.id, 999999)
    assert info.value.field == "config_item_id"
    with pytest.raises(NotFound):
        async with db.unit_of_work() as session:
            await service.link_config_item(session, SYSTEM, 999999, host.id)
    async with db.unit_of_work() as session:
        await service.unlink_config_item(session, SYSTEM, change.id, host.id)
    with pytest.raises(NotFound):
        async with db.unit_of_work() as session:
            await service.unlink_config_item(session, SYSTEM, change.id, host.id)
    (removed,) = await events(db, "link.deleted")
    assert removed.record_id == change.id
    assert await count(db, Link) == 2


async def test_only_staff_link(db: Database) -> None:
    first = await _record(db)
    second = await _record(db)
    async with db.unit_of_work() as session:
        requester = await make_requester(session)
        item = await make_config_item(session)
        await service.link_records(session, SYSTEM, first.id, second.id)
    actor = actor_for(requester)
    for attempt in (
        lambda s: service.link_records(s, actor, first.id, second.id),
        lambda s: service.unlink_records(s, actor, first.id, second.id),
        lambda s: service.link_config_item(s, actor, first.id, item.id),
        lambda s: service.unlink_config_item(s, actor, first.id, item.id),
    ):
        with pytest.raises(Forbidden):
            async with db.unit_of_work() as session:
                await attempt(session)
    assert await count(db, Link) == 1


async def test_links_of_many_records_cost_one_query(db: Database) -> None:
    kinds = [INC, REQ, PRB, CHG, REL, INC]
    records = [await _record(db, kind) for kind in kinds]
    async with db.unit_of_work() as session:
        hub = records[0]
        for other in records[1:5]:
            await service.link_records(session, SYSTEM, other.id, hub.id)
        await service.link_records(session, SYSTEM, records[1].id, records[3].id)
        item = await make_config_item(session)
        for record in records[:3]:
            await service.link_config_item(session, SYSTEM, record.id, item.id)
    ids = [r.id for r in records]
    for wanted in (ids[:1], ids):
        with sql_statements(db) as statements:
            async with db.unit_of_work() as session:
                links = await service.links_for(session, wanted)
                items = await service.config_items_for(session, wanted)
        assert len(statements) == 2
    assert [len(links[r.id]) for r in records] == [4, 2, 1, 2, 1, 0]
    assert [k for _, k in links[records[0].id]] == sorted(
        [REQ, PRB, CHG, REL], key=lambda k: k.value
    )
    assert links[records[3].id] == [
        LinkedRecord(records[0].id, INC),
        LinkedRecord(records[1].id, REQ),
    ]
    assert [len(items[r.id]) for r in records] == [1, 1, 1, 0, 0, 0]
    async with db.unit_of_work() as session:
        assert await service.links_for(session, []) == {}
        assert await service.config_items_for(session, []) == {}


async def test_a_failed_call_rolls_back_the_whole_unit_of_work(db: Database) -> None:
    problem = await _record(db, PRB)
    release = await _record(db, REL)
    incident = await _record(db, INC)
    with pytest.raises(Invalid):
        async with db.unit_of_work() as session:
            await service.link_records(session, SYSTEM, incident.id, problem.id)
            await service.link_records(session, SYSTEM, problem.id, release.id)
    assert await count(db, Link) == 0
    assert await events(db, "link.created") == []
