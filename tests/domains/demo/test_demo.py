"""The demo data set, loaded in-process through the domain services."""

from __future__ import annotations

from sqlalchemy import func, select

from polydesk.core.db import Database
from polydesk.core.enums import RecordKind
from polydesk.domains.catalog import service as catalog
from polydesk.domains.custom_fields import service as custom_fields
from polydesk.domains.demo import service
from polydesk.domains.departments import service as departments
from polydesk.domains.integration import service as integration
from polydesk.domains.locations import service as locations
from polydesk.domains.users import service as users
from polydesk.models import (
    ApiClient,
    CustomFieldValue,
    Event,
    Link,
    Note,
    Record,
    TimeEntry,
    User,
    Watch,
)

SERVICEOPS_OBSERVED_FIELDS = (
    "WSR Sent", "New Checkbox", "Project Ticket ID", "Count of WSR Sent", "WSR Status",
    "Delivery Ticket Internal ID", "New Text Area", "New Datetime", "New Text Input",
    "New Rich Text Area", "Delivery Ticket ID", "New Dropdown", "New Number", "New Radio",
    "Project Ticket Internal ID", "New Multi-Select Dropdown",
)  # fmt: skip
"""The ``customField`` keys of the observed ServiceOps create response (spec §5.1)."""


async def _count(db: Database, model: type[object]) -> int:
    async with db.unit_of_work() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_the_demo_has_a_few_hundred_records_of_every_kind_with_activity(
    db: Database,
) -> None:
    async with db.unit_of_work() as session:
        result = await service.load_demo(session)
    assert result.records_created == {
        "incident": 200, "request": 200, "problem": 100, "change": 100, "release": 100,
    }  # fmt: skip
    async with db.unit_of_work() as session:
        per_kind = dict(
            (await session.execute(select(Record.kind, func.count()).group_by(Record.kind))).all()
        )
    assert per_kind == {
        k.value: n for k, n in zip(RecordKind, (200, 200, 100, 100, 100), strict=True)
    }
    for model in (Note, Watch, TimeEntry, Link, CustomFieldValue):
        assert await _count(db, model) > 100, model
    # Every write went through the services: each record has at least its creation event.
    assert await _count(db, Event) > 700


async def test_the_demo_has_what_the_api_documents_examples_name(db: Database) -> None:
    async with db.unit_of_work() as session:
        result = await service.load_demo(session, records_per_kind=4)
    async with db.unit_of_work() as session:
        tim = await users.authenticate(session, "tim@acme.com", "123")
        assert tim is not None and tim.role == "technician"
        admin = await users.authenticate(session, "admin", "admin")
        assert admin is not None and admin.role == "admin"
        paul = await users.get_user_by_login(session, "paulsn")
        assert paul is not None and paul.role == "requester"
        for email in ("a@b.com", "test@mail.com"):
            assert await users.get_user_by_email(session, email) is not None
        client = await integration.authenticate_client(
            session, "main-web-app-client", "main-web-app-secret"
        )
        assert (client.access_level, client.scope) == ("any-user", "main-web-app-scope")
        assert await departments.get_or_none_by_name(session, "it") is not None
        assert await locations.get_or_none_by_name(session, "AHMEDABAD") is not None
        for name in ("Service Request", "Incident", "Incident Category", "SR Category"):
            assert await catalog.find_category(session, name) is not None, name
        assert await catalog.get_service_by_name(session, "Service Desk") is not None
        for kind in (RecordKind.INCIDENT, RecordKind.REQUEST):
            for name in ("New Dropdown", "New Number", "New Text Area", "New Text Input"):
                await custom_fields.get_field_by_name(session, kind, name)
            types = {
                name: (field.field_type, field.choices)
                for name in (
                    "New Multi-Select Dropdown",
                    "New Checkbox",
                    "New Datetime",
                    "New Radio",
                )
                for field in [await custom_fields.get_field_by_name(session, kind, name)]
            }
            assert types == {
                "New Multi-Select Dropdown": ("multiselect", ["A", "B", "C"]),
                "New Checkbox": ("multiselect", ["A", "B", "C"]),
                "New Datetime": ("datetime", []),
                "New Radio": ("list", ["A", "B", "C"]),
            }
            names = {f.name for f in await custom_fields.list_fields(session, kind)}
            assert names == set(SERVICEOPS_OBSERVED_FIELDS)
    shown = {c.what: (c.login, c.secret) for c in result.credentials}
    assert ("technician", "tim@acme.com (username tim)", "123") in {
        (c.what, c.login, c.secret) for c in result.credentials
    }
    assert shown["API client (any-user)"] == ("main-web-app-client", "main-web-app-secret")
    token = shown["API token (account-wide)"][1]
    async with db.unit_of_work() as session:
        principal = await integration.authenticate_api_token(session, token)
        assert principal.is_account


async def test_loading_the_demo_again_adds_nothing(db: Database) -> None:
    async with db.unit_of_work() as session:
        first = await service.load_demo(session, records_per_kind=4)
    counts = [await _count(db, m) for m in (Record, User, ApiClient, Note, Watch)]
    async with db.unit_of_work() as session:
        second = await service.load_demo(session, records_per_kind=4)
    assert first.records_created and not second.records_created
    assert [await _count(db, m) for m in (Record, User, ApiClient, Note, Watch)] == counts
    # Tokens are shown once: only the run that created them lists them.
    assert not any("token" in c.what for c in second.credentials)


async def test_generated_records_hold_multi_choice_and_datetime_values(db: Database) -> None:
    async with db.unit_of_work() as session:
        await service.load_demo(session, records_per_kind=10)
        ids = [
            r.id
            for r in (await session.scalars(select(Record).where(Record.kind == "incident"))).all()
        ]
        values = await custom_fields.values_for(session, ids)
    multi = [
        v["new_multi_select_dropdown"] for v in values.values() if "new_multi_select_dropdown" in v
    ]
    assert multi, "some incidents hold multi-select values"
    for chosen in multi:
        assert isinstance(chosen, list) and chosen and set(chosen) <= {"A", "B", "C"}
        assert len(set(chosen)) == len(chosen)
