"""Load the demo data set, through the same services every API uses.

- Idempotent: reference data, people, the API client and custom fields are looked up by name
  and created only when missing; the generated records (and the API tokens, which are shown
  once) are created on the first run only, remembered by a ``demo.loaded`` event.
- Reproducible: the records come from a seeded random generator, so two fresh databases get
  the same data set.
- Everything happens in the caller's unit of work: a failure leaves nothing half-loaded.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core.actor import Actor
from polydesk.core.clock import utcnow
from polydesk.core.enums import (
    AccessLevel,
    Channel,
    Impact,
    NoteType,
    RecordKind,
    Role,
    StatusCategory,
    SupportLevel,
    Urgency,
)
from polydesk.core.errors import NotFound
from polydesk.domains.audit import service as audit
from polydesk.domains.catalog import service as catalog
from polydesk.domains.catalog.schemas import ActivityTypeCreate, CategoryCreate, ServiceCreate
from polydesk.domains.companies import service as companies_service
from polydesk.domains.companies.schemas import CompanyCreate
from polydesk.domains.configuration import service as configuration
from polydesk.domains.configuration.schemas import (
    AttributeDefinition,
    ConfigItemCreate,
    ConfigTypeCreate,
    RelationshipCreate,
    RelationshipTypeCreate,
)
from polydesk.domains.custom_fields import service as custom_fields
from polydesk.domains.custom_fields.schemas import CustomFieldCreate
from polydesk.domains.customers import service as customers_service
from polydesk.domains.customers.schemas import CustomerCreate
from polydesk.domains.demo import data, repository
from polydesk.domains.demo.schemas import Credential, DemoResult, Progress
from polydesk.domains.departments import service as departments_service
from polydesk.domains.departments.schemas import DepartmentCreate
from polydesk.domains.integration import service as integration
from polydesk.domains.integration.schemas import ApiClientCreate
from polydesk.domains.links import service as links_service
from polydesk.domains.locations import service as locations_service
from polydesk.domains.locations.schemas import LocationCreate
from polydesk.domains.notes import service as notes_service
from polydesk.domains.notes.schemas import NoteCreate
from polydesk.domains.records import service as records_service
from polydesk.domains.records.schemas import RecordCreate
from polydesk.domains.technician_groups import service as groups
from polydesk.domains.technician_groups.schemas import TechnicianGroupCreate
from polydesk.domains.time_entries import service as time_entries_service
from polydesk.domains.time_entries.schemas import TimeEntryCreate
from polydesk.domains.users import service as users_service
from polydesk.domains.users.schemas import UserCreate
from polydesk.domains.watches import service as watches_service
from polydesk.models import Record, User

SYSTEM = Actor.system(Channel.CLI)


def _more_custom_values(kind: RecordKind, n: int, now: datetime) -> dict[str, object]:
    """Values of the multi-choice, radio and date-time fields for about half of the generated
    records, from a random source of their own so that the rest of the data stays as it was."""
    rng = random.Random(f"custom:{kind.value}:{n}")
    if rng.random() < 0.5:
        return {}
    return {
        "New Multi-Select Dropdown": rng.sample(["A", "B", "C"], rng.randint(1, 3)),
        "New Checkbox": rng.sample(["A", "B", "C"], rng.randint(0, 2)),
        "New Radio": rng.choice(["A", "B", "C"]),
        "New Datetime": (now + timedelta(hours=rng.randint(-72, 240))).replace(microsecond=0),
    }


class _Loader:
    def __init__(
        self, session: AsyncSession, *, records_per_kind: int, progress: Progress | None
    ) -> None:
        self.session = session
        self.records_per_kind = records_per_kind
        self.progress = progress or (lambda _step, _done, _total: None)
        self.rng = random.Random(data.SEED)
        self.result = DemoResult()
        self.service_ids: dict[str, int] = {}
        self.category_ids: dict[str, int] = {}
        self.department_ids: dict[str, int] = {}
        self.location_ids: dict[str, int] = {}
        self.company_ids: dict[str, int] = {}
        self.group_ids: dict[str, int] = {}
        self.staff: list[User] = []
        self.requesters: list[User] = []
        self.config_item_ids: dict[str, int] = {}

    # Reference data ------------------------------------------------------------------------

    async def services(self) -> None:
        for name in data.SERVICES:
            service = await catalog.get_service_by_name(self.session, name)
            if service is None:
                service = await catalog.create_service(
                    self.session,
                    SYSTEM,
                    ServiceCreate(name=name, description=f"The {name} service."),
                )
            self.service_ids[name] = service.id
            for activity in data.ACTIVITY_TYPES:
                if await catalog.get_activity_type_by_name(self.session, service.id, activity):
                    continue
                await catalog.create_activity_type(
                    self.session, SYSTEM, service.id, ActivityTypeCreate(name=activity)
                )
        for name in data.CATEGORIES:
            category = await catalog.find_category(self.session, name)
            if category is None:
                category = await catalog.create_category(
                    self.session, SYSTEM, CategoryCreate(name=name)
                )
            self.category_ids[name] = category.id

    async def places(self) -> None:
        for name in data.DEPARTMENTS:
            department = await departments_service.get_or_none_by_name(self.session, name)
            if department is None:
                department = await departments_service.create_department(
                    self.session, SYSTEM, DepartmentCreate(name=name)
                )
            self.department_ids[name] = department.id
        for name, parent in data.LOCATIONS:
            location = await locations_service.get_or_none_by_name(self.session, name)
            if location is None:
                location = await locations_service.create_location(
                    self.session,
                    SYSTEM,
                    LocationCreate(
                        name=name, parent_id=self.location_ids[parent] if parent else None
                    ),
                )
            self.location_ids[name] = location.id
        for name, website in data.COMPANIES:
            company = await companies_service.get_or_none_by_name(self.session, name)
            if company is None:
                company = await companies_service.create_company(
                    self.session, SYSTEM, CompanyCreate(name=name, website=website)
                )
            self.company_ids[name] = company.id

    # People --------------------------------------------------------------------------------

    async def _user(self, create: UserCreate) -> User:
        existing = await users_service.get_user_by_email(self.session, create.email)
        if existing is not None:
            return existing
        return await users_service.create_user(self.session, SYSTEM, create)

    async def people(self) -> None:
        it = self.department_ids["IT"]
        for email, username, first, last, role, password in data.STAFF:
            user = await self._user(
                UserCreate(
                    email=email,
                    username=username,
                    first_name=first,
                    last_name=last,
                    role=role,
                    password=password,
                    department_id=it,
                )
            )
            self.staff.append(user)
            login = f"{user.email} (username {user.username})" if user.username else user.email
            self.result.credentials.append(Credential(f"{role.value}", login, password))
        for email, username, first, last, department, location in data.NAMED_REQUESTERS:
            self.requesters.append(
                await self._user(
                    UserCreate(
                        email=email,
                        username=username,
                        first_name=first,
                        last_name=last,
                        role=Role.REQUESTER,
                        department_id=self.department_ids[department] if department else None,
                        location_id=self.location_ids[location] if location else None,
                    )
                )
            )
        companies_list = list(self.company_ids.values())
        names = random.Random(data.SEED + 1)
        for n in range(data.GENERATED_REQUESTERS):
            first = names.choice(data.FIRST_NAMES)
            last = names.choice(data.LAST_NAMES)
            email = f"{first}.{last}{n}@example.com".lower().replace("ü", "ue")
            company_id = companies_list[n % len(companies_list)]
            found = await users_service.get_user_by_email(self.session, email)
            if found is None:
                details = await customers_service.create_customer(
                    self.session,
                    SYSTEM,
                    CustomerCreate(
                        email=email, first_name=first, last_name=last, company_id=company_id
                    ),
                )
                found = details.user
            self.requesters.append(found)
        for name, members in data.TECHNICIAN_GROUPS:
            group = await groups.get_or_none_by_name(self.session, name)
            if group is None:
                group = await groups.create_group(
                    self.session, SYSTEM, TechnicianGroupCreate(name=name)
                )
                by_email = {u.email: u for u in self.staff}
                for email in members:
                    await groups.add_member(self.session, SYSTEM, group.id, by_email[email].id)
            self.group_ids[name] = group.id

    # Custom fields, API access, configuration ---------------------------------------------

    async def fields(self) -> None:
        for kind in data.CUSTOM_FIELD_KINDS:
            for position, (name, field_type, choices) in enumerate(data.CUSTOM_FIELDS):
                try:
                    await custom_fields.get_field_by_name(self.session, kind, name)
                except NotFound:
                    await custom_fields.define_field(
                        self.session,
                        SYSTEM,
                        CustomFieldCreate(
                            kind=kind,
                            name=name,
                            field_type=field_type,
                            choices=choices,
                            position=position,
                        ),
                    )

    async def api_access(self, *, first_load: bool) -> None:
        try:
            await integration.get_client(self.session, SYSTEM, data.API_CLIENT_ID)
        except NotFound:
            await integration.create_client(
                self.session,
                SYSTEM,
                ApiClientCreate(
                    name=data.API_CLIENT_NAME,
                    client_id=data.API_CLIENT_ID,
                    secret=data.API_CLIENT_SECRET,
                    access_level=AccessLevel.ANY_USER,
                ),
            )
        self.result.credentials.append(
            Credential("API client (any-user)", data.API_CLIENT_ID, data.API_CLIENT_SECRET)
        )
        if not first_load:
            return
        tim = next(u for u in self.staff if u.email == "tim@acme.com")
        _, personal = await integration.create_api_token(
            self.session, SYSTEM, user_id=tim.id, name="Demo token for tim@acme.com"
        )
        _, account = await integration.create_api_token(
            self.session, SYSTEM, account=True, name="Demo account-wide token"
        )
        self.result.credentials.append(Credential("API token (tim@acme.com)", "x", personal))
        self.result.credentials.append(Credential("API token (account-wide)", "x", account))

    async def configuration(self) -> None:
        type_ids: dict[str, int] = {}
        for name, parent, attributes in data.CONFIG_TYPES:
            path = [parent, name] if parent else [name]
            config_type = await configuration.get_config_type_by_path(self.session, path)
            if config_type is None:
                config_type = await configuration.create_config_type(
                    self.session,
                    SYSTEM,
                    ConfigTypeCreate(
                        name=name,
                        parent_id=type_ids[parent] if parent else None,
                        attributes=[
                            AttributeDefinition(name=a, field_type=t) for a, t in attributes
                        ],
                    ),
                )
            type_ids[name] = config_type.id
        relationship_type_ids: dict[str, int] = {}
        for name, reverse in data.RELATIONSHIP_TYPES:
            rel_type = await configuration.get_relationship_type_by_name(self.session, name)
            if rel_type is None:
                rel_type = await configuration.create_relationship_type(
                    self.session, SYSTEM, RelationshipTypeCreate(name=name, reverse_name=reverse)
                )
            relationship_type_ids[name] = rel_type.id
        for name, type_name, asset_model, values in data.CONFIG_ITEMS:
            found, _ = await configuration.list_config_items(
                self.session, config_type_id=type_ids[type_name], query=name, limit=100
            )
            item = next((i for i in found if i.name == name), None)
            if item is None:
                item = await configuration.create_config_item(
                    self.session,
                    SYSTEM,
                    ConfigItemCreate(
                        name=name,
                        config_type_id=type_ids[type_name],
                        asset_model=asset_model,
                        attributes=values,
                    ),
                )
                self.config_item_ids[name] = item.id
            else:
                self.config_item_ids[name] = item.id

    async def relationships(self) -> None:
        for source, rel_name, target in data.CONFIG_RELATIONSHIPS:
            rel_type = await configuration.get_relationship_type_by_name(self.session, rel_name)
            assert rel_type is not None
            await configuration.create_relationship(
                self.session,
                SYSTEM,
                RelationshipCreate(
                    relationship_type_id=rel_type.id,
                    source_id=self.config_item_ids[source],
                    target_id=self.config_item_ids[target],
                ),
            )

    # Records -------------------------------------------------------------------------------

    def _count(self, kind: RecordKind) -> int:
        if kind in (RecordKind.INCIDENT, RecordKind.REQUEST):
            return self.records_per_kind
        return max(1, self.records_per_kind // 2)

    async def records(self) -> dict[RecordKind, list[Record]]:
        rng = self.rng
        technicians = [u for u in self.staff if u.role == Role.TECHNICIAN.value]
        staff_actors = {u.id: Actor(u.id, Role(u.role), Channel.CLI) for u in self.staff}
        statuses = await catalog.list_statuses(self.session)
        open_statuses = [
            s.id
            for s in statuses
            if s.category in (StatusCategory.OPEN.value, StatusCategory.IN_PROGRESS.value)
            or s.category == StatusCategory.PENDING.value
        ]
        kinds = list(RecordKind)
        total = sum(self._count(k) for k in kinds)
        done = 0
        created: dict[RecordKind, list[Record]] = {k: [] for k in kinds}
        services = [self.service_ids[n] for n in data.SERVICES]
        categories = list(self.category_ids.values())
        now = utcnow()
        for kind in kinds:
            for n in range(self._count(kind)):
                technician = rng.choice(technicians)
                actor = staff_actors[technician.id]
                requester = rng.choice(self.requesters)
                subject = rng.choice(data.SUBJECTS[kind])
                fields: dict[str, object] = {
                    "kind": kind,
                    "title": subject,
                    "description": rng.choice(data.DESCRIPTIONS),
                    "priority": rng.randint(1, 5),
                    "impact": rng.choice(list(Impact)),
                    "urgency": rng.choice(list(Urgency)),
                    "support_level": rng.choice(list(SupportLevel)),
                    "status_id": rng.choice(open_statuses),
                    "service_id": services[n % len(services)] if n % 3 else services[0],
                    "category_id": rng.choice(categories),
                    "requester_id": requester.id,
                    "assignee_id": technician.id if rng.random() < 0.8 else None,
                    "technician_group_id": rng.choice(list(self.group_ids.values())),
                    "department_id": rng.choice(list(self.department_ids.values())),
                    "location_id": rng.choice(list(self.location_ids.values())),
                    "source": rng.choice(data.SOURCES),
                    "tags": rng.sample(data.TAGS, rng.randint(0, 2)),
                    "due_date": now + timedelta(hours=rng.randint(-72, 240)),
                }
                if kind in data.CUSTOM_FIELD_KINDS:
                    fields["custom_fields"] = {
                        "New Dropdown": rng.choice(["1", "2", "3"]),
                        "New Number": round(rng.uniform(0, 500), 1),
                        "New Text Area": rng.choice(data.DESCRIPTIONS),
                        "New Text Input": str(rng.randint(100, 999)),
                    } | _more_custom_values(kind, n, now)
                if kind is RecordKind.CHANGE:
                    start = now + timedelta(days=rng.randint(1, 20))
                    fields |= {
                        "risk": rng.choice(data.CHANGE_RISKS),
                        "change_type": rng.choice(data.CHANGE_TYPES),
                        "target_environment": rng.choice(data.TARGET_ENVIRONMENTS),
                        "planned_start": start,
                        "planned_end": start + timedelta(hours=4),
                    }
                elif kind is RecordKind.RELEASE:
                    start = now + timedelta(days=rng.randint(5, 40))
                    fields |= {
                        "release_type": rng.choice(data.RELEASE_TYPES),
                        "planned_start": start,
                        "planned_end": start + timedelta(days=2),
                    }
                elif kind is RecordKind.PROBLEM:
                    fields |= {
                        "root_cause": "Under investigation." if rng.random() < 0.5 else None,
                        "workaround": "Restart the affected service." if n % 2 else None,
                        "known_error": rng.random() < 0.3,
                    }
                record = await records_service.create_record(
                    self.session, actor, RecordCreate.model_validate(fields)
                )
                created[kind].append(record)
                await self._activity(record, technician, requester, actor)
                done += 1
                if done % 10 == 0 or done == total:
                    self.progress("records", done, total)
        self.result.records_created = {k.value: len(v) for k, v in created.items()}
        return created

    async def _activity(
        self, record: Record, technician: User, requester: User, actor: Actor
    ) -> None:
        rng = self.rng
        for _ in range(rng.randint(0, 3)):
            staff_note = rng.random() < 0.7
            await notes_service.add_note(
                self.session,
                actor,
                record.id,
                NoteCreate(
                    body=rng.choice(data.COMMENTS),
                    note_type=NoteType.COMMENT,
                    public=rng.random() < 0.8,
                    author_id=technician.id if staff_note else requester.id,
                ),
            )
        watchers = rng.sample(self.staff, rng.randint(0, 2))
        for watcher in watchers:
            await watches_service.add_watch(
                self.session, actor, record_id=record.id, user_id=watcher.id
            )
        if rng.random() < 0.2:
            await watches_service.add_watch(
                self.session, actor, record_id=record.id, external_email="observer@example.com"
            )
        for _ in range(rng.randint(0, 2)):
            await time_entries_service.add_time_entry(
                self.session,
                actor,
                record.id,
                TimeEntryCreate(
                    minutes=rng.choice((5, 10, 15, 30, 45, 60, 90)),
                    user_id=technician.id,
                    note=rng.choice(data.COMMENTS),
                ),
            )
        roll = rng.random()
        if roll < 0.25:
            await records_service.resolve_record(
                self.session, actor, record.id, resolution=rng.choice(data.RESOLUTIONS)
            )
        elif roll < 0.4:
            await records_service.resolve_record(
                self.session, actor, record.id, resolution=rng.choice(data.RESOLUTIONS)
            )
            await records_service.close_record(self.session, actor, record.id, closure_code="Fixed")

    async def record_links(self, created: dict[RecordKind, list[Record]]) -> None:
        rng = self.rng
        pairs: Sequence[tuple[RecordKind, RecordKind]] = (
            (RecordKind.PROBLEM, RecordKind.INCIDENT),
            (RecordKind.CHANGE, RecordKind.PROBLEM),
            (RecordKind.RELEASE, RecordKind.CHANGE),
            (RecordKind.CHANGE, RecordKind.INCIDENT),
        )
        for source_kind, target_kind in pairs:
            for record in created[source_kind]:
                for other in rng.sample(created[target_kind], min(2, len(created[target_kind]))):
                    await links_service.link_records(self.session, SYSTEM, record.id, other.id)
        items = list(self.config_item_ids.values())
        for record in created[RecordKind.INCIDENT][::4]:
            await links_service.link_config_item(self.session, SYSTEM, record.id, rng.choice(items))


async def load_demo(
    session: AsyncSession,
    *,
    records_per_kind: int = data.RECORDS_PER_KIND,
    progress: Progress | None = None,
) -> DemoResult:
    """Load (or complete) the demo data set in ``session``'s unit of work."""
    loader = _Loader(session, records_per_kind=records_per_kind, progress=progress)
    first_load = not await repository.records_loaded(session)
    steps = 7 if first_load else 5
    loader.progress("reference data", 0, steps)
    await catalog.ensure_defaults(session)
    await loader.services()
    await loader.places()
    loader.progress("reference data", 1, steps)
    await loader.people()
    loader.progress("reference data", 2, steps)
    await loader.fields()
    await loader.api_access(first_load=first_load)
    loader.progress("reference data", 3, steps)
    await loader.configuration()
    loader.progress("reference data", 4, steps)
    if not first_load:
        loader.progress("reference data", steps, steps)
        return loader.result
    await loader.relationships()
    loader.progress("reference data", 5, steps)
    created = await loader.records()
    await loader.record_links(created)
    loader.progress("reference data", 7, steps)
    await audit.record(
        session,
        SYSTEM,
        "demo.loaded",
        object_type=repository.MARKER_OBJECT_TYPE,
        object_id=None,
        after={"records": loader.result.records_created, "seed": data.SEED},
    )
    return loader.result
