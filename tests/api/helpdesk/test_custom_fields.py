"""``custom_<name>`` fields of every type: django-helpdesk's
``test_create_api_ticket_with_custom_fields`` and the error messages of spec §4.5."""

from __future__ import annotations

import httpx

from polydesk.core.actor import Actor
from polydesk.core.db import Database
from polydesk.core.enums import CustomFieldType, RecordKind
from polydesk.domains.custom_fields import service as custom_fields
from polydesk.domains.custom_fields.schemas import CustomFieldCreate
from tests.api.helpdesk.conftest import World, counts, create_ticket

TYPES = {
    "varchar": CustomFieldType.TEXT,
    "text": CustomFieldType.TEXTAREA,
    "integer": CustomFieldType.NUMBER,
    "decimal": CustomFieldType.DECIMAL,
    "list": CustomFieldType.LIST,
    "boolean": CustomFieldType.BOOLEAN,
    "date": CustomFieldType.DATE,
    "time": CustomFieldType.TIME,
    "datetime": CustomFieldType.DATETIME,
    "email": CustomFieldType.EMAIL,
    "url": CustomFieldType.URL,
    "ipaddress": CustomFieldType.IPADDRESS,
    "slug": CustomFieldType.SLUG,
}


async def _define_all(db: Database) -> None:
    async with db.unit_of_work() as session:
        for position, (name, field_type) in enumerate(TYPES.items()):
            options: dict[str, object] = {}
            if field_type is CustomFieldType.DECIMAL:
                options = {"max_length": 7, "decimal_places": 3}
            elif field_type is CustomFieldType.LIST:
                options = {"choices": ["Green", "Blue", "Red", "Yellow"]}
            elif field_type in (CustomFieldType.TEXT, CustomFieldType.TEXTAREA):
                options = {"max_length": 100}
            await custom_fields.define_field(
                session,
                Actor.system(),
                CustomFieldCreate(
                    kind=RecordKind.INCIDENT,
                    name=name,
                    field_type=field_type,
                    required=name == "integer",
                    position=position,
                    **options,
                ),
            )


VALUES = {
    "custom_varchar": "test",
    "custom_text": "multi\nline",
    "custom_integer": "1",
    "custom_decimal": "42.987",
    "custom_list": "Red",
    "custom_boolean": "True",
    "custom_date": "2022-4-11",
    "custom_time": "23:59:59",
    "custom_datetime": "2022-4-10 18:27",
    "custom_email": "email@test.com",
    "custom_url": "http://django-helpdesk.readthedocs.org/",
    "custom_ipaddress": "127.0.0.1",
    "custom_slug": "test-slug",
}


async def test_create_api_ticket_with_custom_fields(
    client: httpx.AsyncClient, world: World, db: Database
) -> None:
    await _define_all(db)
    base = {
        "queue": str(world.queue_id),
        "title": "Test title",
        "description": "Test description\nMulti lines",
        "submitter_email": "test@mail.com",
        "priority": "4",
    }
    before = await counts(db)
    response = await client.post("/api/tickets/", data=base, auth=world.staff_auth)
    assert response.status_code == 400
    assert response.json() == {"custom_integer": ["This field is required."]}
    assert await counts(db) == before

    response = await client.post("/api/tickets/", data={**base, **VALUES}, auth=world.staff_auth)
    assert response.status_code == 201, response.text
    body = response.json()
    followup = body["followup_set"][0]
    assert body == {
        "id": body["id"],
        "queue": world.queue_id,
        "title": "Test title",
        "description": "Test description\nMulti lines",
        "resolution": None,
        "submitter_email": "test@mail.com",
        "assigned_to": None,
        "status": 1,
        "on_hold": False,
        "priority": 4,
        "due_date": None,
        "merged_to": None,
        "followup_set": [
            {
                "id": followup["id"],
                "ticket": body["id"],
                "user": world.staff.id,
                "title": "Ticket Opened",
                "comment": "Test description\nMulti lines",
                "public": True,
                "new_status": None,
                "time_spent": None,
                "followupattachment_set": [],
                "date": followup["date"],
                "message_id": None,
                "email_recipients": ["test@mail.com"],
            }
        ],
        "custom_varchar": "test",
        "custom_text": "multi\nline",
        "custom_integer": 1,
        "custom_decimal": "42.987",
        "custom_list": "Red",
        "custom_boolean": True,
        "custom_date": "2022-04-11",
        "custom_time": "23:59:59",
        "custom_datetime": "2022-04-10T18:27",
        "custom_email": "email@test.com",
        "custom_url": "http://django-helpdesk.readthedocs.org/",
        "custom_ipaddress": "127.0.0.1",
        "custom_slug": "test-slug",
    }
    assert followup["date"].endswith("Z")

    again = await client.get(f"/api/tickets/{body['id']}/", auth=world.staff_auth)
    assert again.json() == body


async def test_custom_values_by_json_and_unset_values_read_null(
    client: httpx.AsyncClient, world: World, db: Database
) -> None:
    await _define_all(db)
    ticket = await create_ticket(
        client, world, custom_integer=7, custom_boolean=False, custom_decimal=1.5
    )
    assert ticket["custom_integer"] == 7
    assert ticket["custom_boolean"] is False
    assert ticket["custom_decimal"] == "1.500"
    assert ticket["custom_date"] is None and ticket["custom_varchar"] is None
    response = await client.patch(
        f"/api/tickets/{ticket['id']}/",
        json={"custom_list": "Blue", "custom_datetime": "2026-07-15T13:04:59+02:00"},
        auth=world.staff_auth,
    )
    assert response.status_code == 200
    assert response.json()["custom_list"] == "Blue"
    assert response.json()["custom_datetime"] == "2026-07-15T11:04"


async def test_custom_field_errors(client: httpx.AsyncClient, world: World, db: Database) -> None:
    await _define_all(db)
    before = await counts(db)
    response = await client.post(
        "/api/tickets/",
        json={
            "queue": world.queue_id,
            "title": "t",
            "description": "d",
            "priority": 3,
            "custom_varchar": "x" * 101,
            "custom_list": "Purple",
            "custom_date": "11/04/2022",
            "custom_integer": "many",
            "custom_decimal": "12345.6",
            "custom_boolean": "perhaps",
            "custom_time": "25:00",
            "custom_email": "no",
            "custom_url": "not a url",
            "custom_ipaddress": "300.1.1.1",
            "custom_slug": "no spaces",
        },
        auth=world.staff_auth,
    )
    assert response.status_code == 400
    assert response.json() == {
        "custom_varchar": ["Ensure this field has no more than 100 characters."],
        "custom_integer": ["A valid integer is required."],
        "custom_decimal": ["Ensure that there are no more than 4 digits before the decimal point."],
        "custom_list": ['"Purple" is not a valid choice.'],
        "custom_boolean": ["Must be a valid boolean."],
        "custom_date": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."],
        "custom_time": [
            "Time has wrong format. Use one of these formats instead: hh:mm[:ss[.uuuuuu]]."
        ],
        "custom_email": ["Enter a valid email address."],
        "custom_url": ["Enter a valid URL."],
        "custom_ipaddress": ["Enter a valid IPv4 or IPv6 address."],
        "custom_slug": [
            'Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.'
        ],
    }
    assert await counts(db) == before


async def test_staff_only_fields_show_in_the_staff_api(
    client: httpx.AsyncClient, world: World, db: Database
) -> None:
    async with db.unit_of_work() as session:
        await custom_fields.define_field(
            session,
            Actor.system(),
            CustomFieldCreate(
                kind=RecordKind.INCIDENT,
                name="Internal Score",
                field_type=CustomFieldType.NUMBER,
                staff_only=True,
            ),
        )
    ticket = await create_ticket(client, world, custom_internal_score=5)
    assert ticket["custom_internal_score"] == 5
