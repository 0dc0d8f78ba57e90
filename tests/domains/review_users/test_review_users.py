from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core.db import Database
from polydesk.core.enums import RecordKind
from polydesk.core.errors import Conflict, Forbidden, Invalid, NotFound
from polydesk.domains.review_users import repository, service
from polydesk.domains.review_users.schemas import ReviewUserCreate, ReviewUserUpdate
from polydesk.models import Record, ReleaseReviewUser, User
from tests.domains.users.factories import (
    SYSTEM,
    actor_for,
    count,
    events,
    make_admin,
    make_requester,
    make_technician,
    sql_statements,
)
from tests.factories import make_record


async def _release(db: Database, kind: RecordKind = RecordKind.RELEASE) -> Record:
    async with db.unit_of_work() as session:
        return await make_record(session, kind=kind)


async def _technician(db: Database) -> User:
    async with db.unit_of_work() as session:
        return await make_technician(session)


async def test_add_a_reviewer(db: Database) -> None:
    release = await _release(db)
    technician = await _technician(db)
    async with db.unit_of_work() as session:
        reviewer = await service.add_review_user(
            session, actor_for(technician), release.id, ReviewUserCreate(user_id=technician.id)
        )
    assert (reviewer.status, reviewer.note, reviewer.reviewed_at) == ("pending", None, None)
    (event,) = await events(db, "release_review_user.created")
    assert event.record_id == release.id and event.object_id == reviewer.id
    assert event.after == {
        "record_id": release.id,
        "user_id": technician.id,
        "status": "pending",
        "note": None,
        "reviewed_at": None,
    }


@pytest.mark.parametrize(
    "kind", [RecordKind.INCIDENT, RecordKind.REQUEST, RecordKind.PROBLEM, RecordKind.CHANGE]
)
async def test_only_releases_have_reviewers(db: Database, kind: RecordKind) -> None:
    record = await _release(db, kind)
    technician = await _technician(db)
    with pytest.raises(Invalid) as info:
        async with db.unit_of_work() as session:
            await service.add_review_user(
                session, SYSTEM, record.id, ReviewUserCreate(user_id=technician.id)
            )
    assert info.value.field == "record_id"
    with pytest.raises(Invalid):
        async with db.unit_of_work() as session:
            await service.list_review_users(session, record.id)
    with pytest.raises(NotFound):
        async with db.unit_of_work() as session:
            await service.add_review_user(
                session, SYSTEM, 999999, ReviewUserCreate(user_id=technician.id)
            )
    assert await count(db, ReleaseReviewUser) == 0


async def test_reviewers_are_existing_staff_once_each(db: Database) -> None:
    release = await _release(db)
    async with db.unit_of_work() as session:
        admin = await make_admin(session)
        technician = await make_technician(session)
        requester = await make_requester(session)
    for user_id in (requester.id, 999999):
        with pytest.raises(Invalid) as info:
            async with db.unit_of_work() as session:
                await service.add_review_user(
                    session, SYSTEM, release.id, ReviewUserCreate(user_id=user_id)
                )
        assert info.value.field == "user_id"
    async with db.unit_of_work() as session:
        for user in (technician, admin):
            await service.add_review_user(
                session, SYSTEM, release.id, ReviewUserCreate(user_id=user.id)
            )
    with pytest.raises(Conflict):
        async with db.unit_of_work() as session:
            await service.add_review_user(
                session, SYSTEM, release.id, ReviewUserCreate(user_id=technician.id)
            )
    async with db.unit_of_work() as session:
        reviewers = await service.list_review_users(session, release.id)
    assert [t.user_id for t in reviewers] == [technician.id, admin.id]


async def test_a_lost_insert_race_is_a_conflict(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = await _release(db)
    technician = await _technician(db)
    async with db.unit_of_work() as session:
        await service.add_review_user(
            session, SYSTEM, release.id, ReviewUserCreate(user_id=technician.id)
        )

    async def nothing(_session: AsyncSession, _record_id: int, _user_id: int) -> None:
        return None

    monkeypatch.setattr(repository, "find", nothing)
    with pytest.raises(Conflict):
        async with db.unit_of_work() as session:
            await service.add_review_user(
                session, SYSTEM, release.id, ReviewUserCreate(user_id=technician.id)
            )
    assert await count(db, ReleaseReviewUser) == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (ReviewUserCreate(user_id=0, status="  "), "status"),
        (ReviewUserCreate(user_id=0, status="x" * 33), "status"),
        (ReviewUserCreate(user_id=0, note="x" * (service.MAX_NOTE_LENGTH + 1)), "note"),
        (ReviewUserCreate(user_id=0, reviewed_at=datetime(2025, 1, 1)), "reviewed_at"),
    ],
)
async def test_fields_are_checked(db: Database, data: ReviewUserCreate, field: str) -> None:
    release = await _release(db)
    technician = await _technician(db)
    data.user_id = technician.id
    with pytest.raises(Invalid) as info:
        async with db.unit_of_work() as session:
            await service.add_review_user(session, SYSTEM, release.id, data)
    assert info.value.field == field


async def test_update_a_reviewer(db: Database) -> None:
    release = await _release(db)
    technician = await _technician(db)
    other = await _technician(db)
    third = await _technician(db)
    async with db.unit_of_work() as session:
        reviewer = await service.add_review_user(
            session, SYSTEM, release.id, ReviewUserCreate(user_id=technician.id, note="n")
        )
        await service.add_review_user(
            session, SYSTEM, release.id, ReviewUserCreate(user_id=third.id)
        )
    reviewed = datetime(2025, 3, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    async with db.unit_of_work() as session:
        await service.update_review_user(
            session,
            SYSTEM,
            reviewer.id,
            ReviewUserUpdate(
                status=" approved ", reviewed_at=reviewed, note=None, user_id=other.id
            ),
            record_id=release.id,
        )
        await service.update_review_user(
            session, SYSTEM, reviewer.id, ReviewUserUpdate(status="approved")
        )
    async with db.unit_of_work() as session:
        stored = await service.get_review_user(session, reviewer.id, record_id=release.id)
    assert (stored.status, stored.note, stored.user_id) == ("approved", None, other.id)
    assert stored.reviewed_at == datetime(2025, 3, 1, 10, 0, tzinfo=UTC)
    (event,) = await events(db, "release_review_user.updated")
    assert event.record_id == release.id
    assert event.before == {
        "user_id": technician.id,
        "status": "pending",
        "note": "n",
        "reviewed_at": None,
    }
    assert event.after == {
        "user_id": other.id,
        "status": "approved",
        "note": None,
        "reviewed_at": "2025-03-01T10:00:00+00:00",
    }
    with pytest.raises(Conflict):
        async with db.unit_of_work() as session:
            await service.update_review_user(
                session, SYSTEM, reviewer.id, ReviewUserUpdate(user_id=third.id)
            )
    for data in (ReviewUserUpdate(user_id=None), ReviewUserUpdate(status=None)):
        with pytest.raises(Invalid):
            async with db.unit_of_work() as session:
                await service.update_review_user(session, SYSTEM, reviewer.id, data)


async def test_delete_and_lookups_under_the_release(db: Database) -> None:
    release = await _release(db)
    other = await _release(db)
    technician = await _technician(db)
    async with db.unit_of_work() as session:
        reviewer = await service.add_review_user(
            session, SYSTEM, release.id, ReviewUserCreate(user_id=technician.id)
        )
    with pytest.raises(NotFound):
        async with db.unit_of_work() as session:
            await service.get_review_user(session, reviewer.id, record_id=other.id)
    with pytest.raises(NotFound):
        async with db.unit_of_work() as session:
            await service.delete_review_user(session, SYSTEM, reviewer.id, record_id=other.id)
    async with db.unit_of_work() as session:
        await service.delete_review_user(session, SYSTEM, reviewer.id, record_id=release.id)
    with pytest.raises(NotFound):
        async with db.unit_of_work() as session:
            await service.get_review_user(session, reviewer.id)
    (event,) = await events(db, "release_review_user.deleted")
    assert event.record_id == release.id and event.before is not None
    assert event.before["user_id"] == technician.id


async def test_only_staff_manage_reviewers(db: Database) -> None:
    release = await _release(db)
    technician = await _technician(db)
    async with db.unit_of_work() as session:
        requester = await make_requester(session)
        reviewer = await service.add_review_user(
            session, SYSTEM, release.id, ReviewUserCreate(user_id=technician.id)
        )
    actor = actor_for(requester)
    with pytest.raises(Forbidden):
        async with db.unit_of_work() as session:
            await service.add_review_user(
                session, actor, release.id, ReviewUserCreate(user_id=technician.id)
            )
    with pytest.raises(Forbidden):
        async with db.unit_of_work() as session:
            await service.update_review_user(
                session, actor, reviewer.id, ReviewUserUpdate(status="x")
            )
    with pytest.raises(Forbidden):
        async with db.unit_of_work() as session:
            await service.delete_review_user(session, actor, reviewer.id)
    assert await count(db, ReleaseReviewUser) == 1


async def test_reviewers_of_many_releases_cost_one_query(db: Database) -> None:
    releases = [await _release(db) for _ in range(4)]
    async with db.unit_of_work() as session:
        technicians = [await make_technician(session) for _ in range(3)]
        for n, release in enumerate(releases):
            for technician in technicians[:n]:
                await service.add_review_user(
                    session, SYSTEM, release.id, ReviewUserCreate(user_id=technician.id)
                )
    ids = [c.id for c in releases]
    for wanted in (ids[:1], ids):
        with sql_statements(db) as statements:
            async with db.unit_of_work() as session:
                reviewers = await service.review_users_for(session, wanted)
        assert len(statements) == 1
    assert [len(reviewers[c.id]) for c in releases] == [0, 1, 2, 3]
    async with db.unit_of_work() as session:
        assert await service.review_users_for(session, []) == {}


async def test_a_failed_call_rolls_back_the_whole_unit_of_work(db: Database) -> None:
    release = await _release(db)
    technician = await _technician(db)
    with pytest.raises(Conflict):
        async with db.unit_of_work() as session:
            await service.add_review_user(
                session, SYSTEM, release.id, ReviewUserCreate(user_id=technician.id)
            )
            await service.add_review_user(
                session, SYSTEM, release.id, ReviewUserCreate(user_id=technician.id)
            )
    assert await count(db, ReleaseReviewUser) == 0
    assert await events(db, "release_review_user.created") == []
