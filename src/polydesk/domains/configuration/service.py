"""Rules of configuration management.

- Config types form a tree: a parent must exist, a type is never placed under itself or its own
  descendants, and names are unique among siblings (ignoring case). A type with sub-types or
  items cannot be deleted. Each type defines its items' attributes (a name, a
  :class:`~polydesk.core.enums.CustomFieldType`, whether it is required, and for ``list`` the
  allowed choices); attributes are not inherited from parent types.
- Config items have a name and a type, and attribute values checked against the type's
  definitions: unknown names are refused, required ones must be present and non-empty, and each
  value must fit its type. Values are stored in one canonical JSON form per type (see
  :func:`normalise_value`).
- Relationship types have unique names, an optional reverse name and a strength (hard|soft);
  one in use cannot be deleted. A relationship joins two different existing items by an
  existing type, at most once per (type, source, target).

Administrators manage config types and relationship types; staff manage items and
relationships; everyone reads.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core.actor import Actor
from polydesk.core.enums import CustomFieldType
from polydesk.core.errors import Conflict, Forbidden, Invalid, NotFound
from polydesk.domains.audit import service as audit
from polydesk.domains.catalog.service import (
    check_page,
    clean_name,
    clean_optional_text,
    name_key,
)
from polydesk.domains.configuration import repository
from polydesk.domains.configuration.enums import Direction, RelationshipStrength
from polydesk.domains.configuration.schemas import (
    AttributeDefinition,
    ConfigItemCreate,
    ConfigItemUpdate,
    ConfigTypeCreate,
    ConfigTypeDetails,
    ConfigTypeUpdate,
    RelatedItem,
    RelationshipCreate,
    RelationshipTypeCreate,
    RelationshipTypeUpdate,
)
from polydesk.domains.users.service import normalise_email
from polydesk.models import ConfigItem, ConfigRelationship, ConfigRelationshipType, ConfigType

MAX_DEPTH = 32
"""Config type trees deeper than this are refused; it also bounds the walk for cycles."""
MAX_ATTRIBUTES = 200
MAX_CHOICES = 500
MAX_TEXT_LENGTH = 1000
MAX_TEXTAREA_LENGTH = 65535
_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
_TRUE = frozenset({"true", "1", "yes", "y", "on"})
_FALSE = frozenset({"false", "0", "no", "n", "off"})


def _require_admin(actor: Actor, what: str) -> None:
    if not actor.is_admin:
        raise Forbidden(f"Only administrators may {what}.")


def _require_staff(actor: Actor, what: str) -> None:
    if not actor.is_staff:
        raise Forbidden(f"Only staff may {what}.")


# Attribute definitions and values ----------------------------------------------------------


def _definitions(attributes: Sequence[AttributeDefinition]) -> list[dict[str, Any]]:
    """The stored form of a type's attribute definitions, checked."""
    if len(attributes) > MAX_ATTRIBUTES:
        raise Invalid(
            f"A config type may define at most {MAX_ATTRIBUTES} attributes.",
            field="attributes",
            value=len(attributes),
        )
    stored: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, definition in enumerate(attributes):
        field = f"attributes[{index}]"
        name = clean_name(definition.name, field=f"{field}.name", max_length=100)
        key = name_key(name)
        if key in seen:
            raise Invalid(
                f"The attribute {name!r} is defined twice.", field=f"{field}.name", value=name
            )
        seen.add(key)
        field_type = CustomFieldType(definition.field_type)
        entry: dict[str, Any] = {
            "name": name,
            "field_type": field_type.value,
            "required": bool(definition.required),
        }
        if definition.choices is not None:
            if field_type is not CustomFieldType.LIST:
                raise Invalid(
                    f"Only list attributes have choices; {name!r} is {field_type.value}.",
                    field=f"{field}.choices",
                    value=definition.choices,
                )
            choices = [
                clean_name(c, field=f"{field}.choices", max_length=200) for c in definition.choices
            ]
            if not choices or len(choices) > MAX_CHOICES:
                raise Invalid(
                    f"A list attribute needs 1–{MAX_CHOICES} choices.",
                    field=f"{field}.choices",
                    value=definition.choices,
                )
            if len({name_key(c) for c in choices}) != len(choices):
                raise Invalid(
                    f"The choices of {name!r} repeat a value.",
                    field=f"{field}.choices",
                    value=definition.choices,
                )
            entry["choices"] = choices
        stored.append(entry)
    return stored


def _bad(name: str, field_type: str, value: object, why: str) -> Invalid:
    return Invalid(
        f"The attribute {name!r} ({field_type}) {why}.", field=f"attributes.{name}", value=value
    )


def _as_text(name: str, kind: str, value: object, max_length: int) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise _bad(name, kind, value, "must be text")
    text = str(value).strip()
    if len(text) > max_length:
        raise _bad(name, kind, value, f"must be at most {max_length} characters long")
    return text


def normalise_value(definition: dict[str, Any], value: object) -> Any:
    """The canonical stored form of one attribute value, or :class:`Invalid`.

    text/textarea/slug → trimmed text; number → integer; decimal → decimal text (exact, e.g.
    ``"12.50"``); boolean → ``true``/``false`` (also from "yes"/"no", "1"/"0"); date →
    ``YYYY-MM-DD``; time → ``HH:MM[:SS]``; datetime → ISO 8601 in UTC (from ISO text, naive
    meaning UTC, or epoch milliseconds as ServiceOps sends them); email → lower-cased address;
    url → http(s)/ftp URL; ipaddress → compressed IPv4/IPv6; list → one of the choices (as
    defined, matched ignoring case) or a list of them.
    """
    name: str = definition["name"]
    kind = CustomFieldType(definition["field_type"])
    if kind in (CustomFieldType.TEXT, CustomFieldType.TEXTAREA):
        limit = MAX_TEXT_LENGTH if kind is CustomFieldType.TEXT else MAX_TEXTAREA_LENGTH
        return _as_text(name, kind.value, value, limit)
    if kind is CustomFieldType.NUMBER:
        return _as_integer(name, value)
    if kind is CustomFieldType.DECIMAL:
        return _as_decimal(name, value)
    if kind is CustomFieldType.BOOLEAN:
        return _as_boolean(name, value)
    if kind is CustomFieldType.DATE:
        return _as_date(name, value)
    if kind is CustomFieldType.TIME:
        return _as_time(name, value)
    if kind is CustomFieldType.DATETIME:
        return _as_datetime(name, value)
    if kind is CustomFieldType.EMAIL:
        return normalise_email(_as_text(name, kind.value, value, 320), field=f"attributes.{name}")
    if kind is CustomFieldType.URL:
        return _as_url(name, value)
    if kind is CustomFieldType.IPADDRESS:
        try:
            return str(ipaddress.ip_address(_as_text(name, kind.value, value, 64)))
        except ValueError as exc:
            raise _bad(name, kind.value, value, "must be an IPv4 or IPv6 address") from exc
    if kind is CustomFieldType.SLUG:
        slug = _as_text(name, kind.value, value, 100)
        if not _SLUG.fullmatch(slug):
            raise _bad(name, kind.value, value, "must be letters, digits, hyphens and underscores")
        return slug
    return _as_choice(definition, value)


def _as_integer(name: str, value: object) -> int:
    kind = CustomFieldType.NUMBER.value
    if isinstance(value, bool):
        raise _bad(name, kind, value, "must be a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*[-+]?\d{1,18}\s*", value):
        return int(value)
    raise _bad(name, kind, value, "must be a whole number")


def _as_decimal(name: str, value: object) -> str:
    kind = CustomFieldType.DECIMAL.value
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise _bad(name, kind, value, "must be a number")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise _bad(name, kind, value, "must be a number") from exc
    if not number.is_finite() or len(str(number)) > 64:
        raise _bad(name, kind, value, "must be a finite number")
    return str(number)


def _as_boolean(name: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    raise _bad(name, CustomFieldType.BOOLEAN.value, value, "must be true or false")


def _as_date(name: str, value: object) -> str:
    if isinstance(value, datetime):
        raise _bad(name, "date", value, "must be a date (YYYY-MM-DD)")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    raise _bad(name, "date", value, "must be a date (YYYY-MM-DD)")


def _as_time(name: str, value: object) -> str:
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, str):
        try:
            parsed = time.fromisoformat(value.strip())
        except ValueError:
            pass
        else:
            if parsed.tzinfo is None:
                return parsed.isoformat()
    raise _bad(name, "time", value, "must be a time of day (HH:MM or HH:MM:SS)")


def _as_datetime(name: str, value: object) -> str:
    parsed: datetime | None = None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, int) and not isinstance(value, bool):
        try:
            parsed = datetime.fromtimestamp(value / 1000, UTC)
        except (OverflowError, OSError, ValueError):
            parsed = None
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            parsed = None
    if parsed is None:
        raise _bad(
            name,
            "datetime",
            value,
            "must be an ISO 8601 date and time or epoch milliseconds",
        )
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).isoformat()


def _as_url(name: str, value: object) -> str:
    text = _as_text(name, "url", value, 2000)
    parts = urlsplit(text)
    if parts.scheme.lower() not in {"http", "https", "ftp"} or not parts.netloc or " " in text:
        raise _bad(name, "url", value, "must be an http, https or ftp URL")
    return text


def _as_choice(definition: dict[str, Any], value: object) -> str | list[str]:
    name: str = definition["name"]
    choices: list[str] | None = definition.get("choices")
    if isinstance(value, list):
        return [_one_choice(name, choices, v) for v in value]
    return _one_choice(name, choices, value)


def _one_choice(name: str, choices: list[str] | None, value: object) -> str:
    text = _as_text(name, "list", value, 200)
    if choices is None:
        return text
    for choice in choices:
        if name_key(choice) == name_key(text):
            return choice
    raise _bad(name, "list", value, f"must be one of {', '.join(repr(c) for c in choices)}")


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def check_attributes(
    config_type: ConfigType, values: dict[str, Any], *, base: dict[str, Any] | None = None
) -> dict[str, Any]:
    """``values`` merged over ``base`` and checked against the type's definitions.

    Names match ignoring case and are stored as defined; ``None`` removes a value; every value,
    the kept ones included, must fit its definition (so a changed type or definition is
    enforced on the next write); required attributes must end up non-empty.
    """
    definitions = {name_key(d["name"]): d for d in config_type.attributes or []}
    merged: dict[str, tuple[str, Any, bool]] = {
        name_key(name): (name, value, False) for name, value in (base or {}).items()
    }
    for name, value in values.items():
        key = name_key(str(name))
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = (str(name), value, True)
    result: dict[str, Any] = {}
    for key, (name, value, given) in merged.items():
        definition = definitions.get(key)
        if definition is None:
            why = (
                f"The config type {config_type.name!r} defines no attribute {name!r}."
                if given
                else f"The attribute {name!r} is not defined by the config type "
                f"{config_type.name!r}; set it to null to remove it."
            )
            raise Invalid(why, field=f"attributes.{name}", value=value)
        result[definition["name"]] = normalise_value(definition, value)
    for definition in definitions.values():
        if definition.get("required") and _is_empty(result.get(definition["name"])):
            raise Invalid(
                f"The attribute {definition['name']!r} is required.",
                field=f"attributes.{definition['name']}",
                value=None,
            )
    return result


# Config types ------------------------------------------------------------------------------


def _type_state(config_type: ConfigType) -> dict[str, Any]:
    return {
        "name": config_type.name,
        "description": config_type.description,
        "parent_id": config_type.parent_id,
        "attributes": config_type.attributes,
    }


def _type_taken(name: str) -> Conflict:
    return Conflict(
        f"A config type named {name!r} already exists at this level.", field="name", value=name
    )


async def _check_type_parent(session: AsyncSession, parent_id: int, moving_id: int | None) -> None:
    if await repository.get_type(session, parent_id) is None:
        raise Invalid(f"No config type with id {parent_id}.", field="parent_id", value=parent_id)
    current: int | None = parent_id
    for _ in range(MAX_DEPTH):
        if current is None:
            return
        if current == moving_id:
            raise Invalid(
                "A config type cannot be placed under itself or one of its own sub-types.",
                field="parent_id",
                value=parent_id,
            )
        current = await repository.parent_of_type(session, current)
    raise Invalid(
        f"Config types may be nested at most {MAX_DEPTH} levels deep.",
        field="parent_id",
        value=parent_id,
    )


async def create_config_type(
    session: AsyncSession, actor: Actor, data: ConfigTypeCreate
) -> ConfigType:
    _require_admin(actor, "create config types")
    name = clean_name(data.name)
    key = name_key(name)
    if data.parent_id is not None:
        await _check_type_parent(session, data.parent_id, None)
    attributes = _definitions(data.attributes)
    # Top-level types have a null parent, which the unique constraint does not compare.
    if await repository.get_type_by_key(session, data.parent_id, key) is not None:
        raise _type_taken(name)
    config_type = ConfigType(
        name=name,
        name_key=key,
        description=clean_optional_text(data.description, field="description", max_length=10000),
        parent_id=data.parent_id,
        attributes=attributes,
    )
    if not await repository.add_unique(session, config_type):
        raise _type_taken(name)
    await audit.record(
        session,
        actor,
        "config_type.created",
        object_type="config_type",
        object_id=config_type.id,
        after=_type_state(config_type),
    )
    return config_type


async def update_config_type(
    session: AsyncSession, actor: Actor, type_id: int, data: ConfigTypeUpdate
) -> ConfigType:
    _require_admin(actor, "change config types")
    config_type = await get_config_type(session, type_id)
    given = data.model_fields_set
    changes: dict[str, Any] = {}
    parent_id = config_type.parent_id
    if "parent_id" in given:
        if data.parent_id is not None:
            await _check_type_parent(session, data.parent_id, config_type.id)
        parent_id = data.parent_id
        changes["parent_id"] = parent_id
    name = config_type.name
    if "name" in given:
        name = clean_name(data.name)
        changes.update(name=name, name_key=name_key(name))
    if "name" in given or "parent_id" in given:
        other = await repository.get_type_by_key(session, parent_id, name_key(name))
        if other is not None and other.id != config_type.id:
            raise _type_taken(name)
    if "description" in given:
        changes["description"] = clean_optional_text(
            data.description, field="description", max_length=10000
        )
    if "attributes" in given:
        changes["attributes"] = _definitions(data.attributes or [])
    changed = {k: v for k, v in changes.items() if getattr(config_type, k) != v}
    if not changed:
        return config_type
    before_state = _type_state(config_type)
    if not await repository.update_unique(session, config_type, changed):
        raise _type_taken(name)
    before, after = audit.diff(before_state, _type_state(config_type))
    if after:
        await audit.record(
            session,
            actor,
            "config_type.updated",
            object_type="config_type",
            object_id=config_type.id,
            before=before,
            after=after,
        )
    return config_type


async def delete_config_type(session: AsyncSession, actor: Actor, type_id: int) -> None:
    _require_admin(actor, "delete config types")
    config_type = await get_config_type(session, type_id)
    if await repository.type_has_children(session, type_id):
        raise Conflict(
            f"The config type {config_type.name!r} has sub-types and cannot be deleted.",
            field="config_type_id",
            value=type_id,
        )
    if await repository.type_has_items(session, type_id):
        raise Conflict(
            f"The config type {config_type.name!r} has config items and cannot be deleted.",
            field="config_type_id",
            value=type_id,
        )
    before = _type_state(config_type)
    await repository.delete(session, config_type)
    await audit.record(
        session,
        actor,
        "config_type.deleted",
        object_type="config_type",
        object_id=type_id,
        before=before,
    )


async def get_config_type(session: AsyncSession, type_id: int) -> ConfigType:
    config_type = await repository.get_type(session, type_id)
    if config_type is None:
        raise NotFound(f"No config type with id {type_id}.", field="config_type_id", value=type_id)
    return config_type


async def get_config_type_details(session: AsyncSession, type_id: int) -> ConfigTypeDetails:
    """A type with its parent and its direct sub-types (three queries)."""
    config_type = await get_config_type(session, type_id)
    parent = (
        await repository.get_type(session, config_type.parent_id)
        if config_type.parent_id is not None
        else None
    )
    children = list(await repository.child_types(session, config_type.id))
    return ConfigTypeDetails(config_type=config_type, parent=parent, children=children)


async def list_top_level_config_types(session: AsyncSession) -> list[ConfigType]:
    return list(await repository.child_types(session, None))


async def list_child_config_types(session: AsyncSession, type_id: int) -> list[ConfigType]:
    await get_config_type(session, type_id)
    return list(await repository.child_types(session, type_id))


async def config_types_with_children(session: AsyncSession, ids: Sequence[int]) -> set[int]:
    """Which of these types have sub-types, in one query (GoToAssist's ``has_children``)."""
    return await repository.types_with_children(session, ids)


async def get_config_type_by_path(session: AsyncSession, names: Sequence[str]) -> ConfigType | None:
    """Walk down from the top level by names (ignoring case): ``["Hardware", "Computer"]``,
    as ServiceOps' ``assetTypeName`` ``hardware$computer`` names a type."""
    if not names or len(names) > MAX_DEPTH:
        return None
    current: ConfigType | None = None
    for name in names:
        current = await repository.get_type_by_key(
            session, current.id if current is not None else None, name_key(name)
        )
        if current is None:
            return None
    return current


async def config_types_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, ConfigType]:
    return {t.id: t for t in await repository.types_by_ids(session, ids)}


# Config items ------------------------------------------------------------------------------


def _item_state(item: ConfigItem) -> dict[str, Any]:
    return {
        "name": item.name,
        "description": item.description,
        "config_type_id": item.config_type_id,
        "asset_model": item.asset_model,
        "attributes": item.attributes,
    }


async def _item_type(session: AsyncSession, type_id: int) -> ConfigType:
    config_type = await repository.get_type(session, type_id)
    if config_type is None:
        raise Invalid(f"No config type with id {type_id}.", field="config_type_id", value=type_id)
    return config_type


async def create_config_item(
    session: AsyncSession, actor: Actor, data: ConfigItemCreate
) -> ConfigItem:
    _require_staff(actor, "create config items")
    name = clean_name(data.name, max_length=300)
    config_type = await _item_type(session, data.config_type_id)
    item = ConfigItem(
        name=name,
        description=clean_optional_text(data.description, field="description", max_length=65535),
        config_type_id=config_type.id,
        asset_model=clean_optional_text(data.asset_model, field="asset_model", max_length=64),
        attributes=check_attributes(config_type, data.attributes),
        version=1,
    )
    if not await repository.add_unique(session, item):
        # The type was deleted by a concurrent request after the check above.
        raise Conflict(
            f"The config type {config_type.id} no longer exists.",
            field="config_type_id",
            value=config_type.id,
        )
    await audit.record(
        session,
        actor,
        "config_item.created",
        object_type="config_item",
        object_id=item.id,
        after=_item_state(item),
    )
    return item


async def update_config_item(
    session: AsyncSession, actor: Actor, item_id: int, data: ConfigItemUpdate
) -> ConfigItem:
    """Apply the given fields; attribute values merge into the stored ones and the result is
    checked against the (possibly new) type. Each change bumps ``version``."""
    _require_staff(actor, "change config items")
    item = await get_config_item(session, item_id)
    given = data.model_fields_set
    changes: dict[str, Any] = {}
    if "name" in given:
        changes["name"] = clean_name(data.name, max_length=300)
    if "description" in given:
        changes["description"] = clean_optional_text(
            data.description, field="description", max_length=65535
        )
    if "asset_model" in given:
        changes["asset_model"] = clean_optional_text(
            data.asset_model, field="asset_model", max_length=64
        )
    if "config_type_id" in given and data.config_type_id is None:
        raise Invalid("The config_type_id must not be blank.", field="config_type_id", value=None)
    type_id = data.config_type_id if data.config_type_id is not None else item.config_type_id
    if type_id != item.config_type_id or data.attributes is not None:
        config_type = await _item_type(session, type_id)
        changes["config_type_id"] = config_type.id
        changes["attributes"] = check_attributes(
            config_type, data.attributes or {}, base=dict(item.attributes or {})
        )
    changed = {k: v for k, v in changes.items() if getattr(item, k) != v}
    if not changed:
        return item
    before_state = _item_state(item)
    if not await repository.update_item(session, item, changed):
        raise Conflict(
            "The config item could not be saved: its config type no longer exists.",
            field="config_type_id",
            value=changed.get("config_type_id", before_state["config_type_id"]),
        )
    before, after = audit.diff(before_state, _item_state(item))
    await audit.record(
        session,
        actor,
        "config_item.updated",
        object_type="config_item",
        object_id=item.id,
        before=before,
        after=after,
    )
    return item


async def delete_config_item(session: AsyncSession, actor: Actor, item_id: int) -> None:
    """Its relationships, links and watches go with it (the foreign keys cascade)."""
    _require_staff(actor, "delete config items")
    item = await get_config_item(session, item_id)
    before = _item_state(item)
    await repository.delete(session, item)
    await audit.record(
        session,
        actor,
        "config_item.deleted",
        object_type="config_item",
        object_id=item_id,
        before=before,
    )


async def get_config_item(session: AsyncSession, item_id: int) -> ConfigItem:
    item = await repository.get_item(session, item_id)
    if item is None:
        raise NotFound(f"No config item with id {item_id}.", field="config_item_id", value=item_id)
    return item


async def list_config_items(
    session: AsyncSession,
    *,
    config_type_id: int | None = None,
    query: str | None = None,
    offset: int = 0,
    limit: int = 100,
) -> tuple[Sequence[ConfigItem], int]:
    """A page of items by id, and the total matching; ``query`` matches part of the name,
    ignoring case."""
    check_page(offset, limit)
    return await repository.list_items(
        session,
        config_type_id=config_type_id,
        query=query.strip() if query and query.strip() else None,
        offset=offset,
        limit=limit,
    )


async def config_items_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, ConfigItem]:
    """The items with these ids, in one query; unknown ids are left out."""
    return {i.id: i for i in await repository.items_by_ids(session, ids)}


# Relationship types ------------------------------------------------------------------------


def _relationship_type_state(rtype: ConfigRelationshipType) -> dict[str, Any]:
    return {"name": rtype.name, "reverse_name": rtype.reverse_name, "strength": rtype.strength}


def _relationship_type_taken(name: str) -> Conflict:
    return Conflict(f"A relationship type named {name!r} already exists.", field="name", value=name)


async def create_relationship_type(
    session: AsyncSession, actor: Actor, data: RelationshipTypeCreate
) -> ConfigRelationshipType:
    _require_admin(actor, "create relationship types")
    name = clean_name(data.name)
    key = name_key(name)
    if await repository.get_relationship_type_by_key(session, key) is not None:
        raise _relationship_type_taken(name)
    rtype = ConfigRelationshipType(
        name=name,
        name_key=key,
        reverse_name=clean_optional_text(data.reverse_name, field="reverse_name", max_length=200),
        strength=RelationshipStrength(data.strength).value,
    )
    if not await repository.add_unique(session, rtype):
        raise _relationship_type_taken(name)
    await audit.record(
        session,
        actor,
        "config_relationship_type.created",
        object_type="config_relationship_type",
        object_id=rtype.id,
        after=_relationship_type_state(rtype),
    )
    return rtype


async def update_relationship_type(
    session: AsyncSession, actor: Actor, type_id: int, data: RelationshipTypeUpdate
) -> ConfigRelationshipType:
    _require_admin(actor, "change relationship types")
    rtype = await get_relationship_type(session, type_id)
    given = data.model_fields_set
    changes: dict[str, Any] = {}
    if "name" in given:
        name = clean_name(data.name)
        key = name_key(name)
        other = await repository.get_relationship_type_by_key(session, key)
        if other is not None and other.id != rtype.id:
            raise _relationship_type_taken(name)
        changes.update(name=name, name_key=key)
    if "reverse_name" in given:
        changes["reverse_name"] = clean_optional_text(
            data.reverse_name, field="reverse_name", max_length=200
        )
    if "strength" in given:
        if data.strength is None:
            raise Invalid("The strength must be hard or soft.", field="strength", value=None)
        changes["strength"] = RelationshipStrength(data.strength).value
    changed = {k: v for k, v in changes.items() if getattr(rtype, k) != v}
    if not changed:
        return rtype
    before_state = _relationship_type_state(rtype)
    if not await repository.update_unique(session, rtype, changed):
        raise _relationship_type_taken(changed.get("name", before_state["name"]))
    before, after = audit.diff(before_state, _relationship_type_state(rtype))
    if after:
        await audit.record(
            session,
            actor,
            "config_relationship_type.updated",
            object_type="config_relationship_type",
            object_id=rtype.id,
            before=before,
            after=after,
        )
    return rtype


async def delete_relationship_type(session: AsyncSession, actor: Actor, type_id: int) -> None:
    _require_admin(actor, "delete relationship types")
    rtype = await get_relationship_type(session, type_id)
    if await repository.relationship_type_in_use(session, type_id):
        raise Conflict(
            f"The relationship type {rtype.name!r} is in use and cannot be deleted.",
            field="relationship_type_id",
            value=type_id,
        )
    before = _relationship_type_state(rtype)
    await repository.delete(session, rtype)
    await audit.record(
        session,
        actor,
        "config_relationship_type.deleted",
        object_type="config_relationship_type",
        object_id=type_id,
        before=before,
    )


async def get_relationship_type(session: AsyncSession, type_id: int) -> ConfigRelationshipType:
    rtype = await repository.get_relationship_type(session, type_id)
    if rtype is None:
        raise NotFound(
            f"No relationship type with id {type_id}.",
            field="relationship_type_id",
            value=type_id,
        )
    return rtype


async def get_relationship_type_by_name(
    session: AsyncSession, name: str
) -> ConfigRelationshipType | None:
    return await repository.get_relationship_type_by_key(session, name_key(name))


async def list_relationship_types(session: AsyncSession) -> list[ConfigRelationshipType]:
    return list(await repository.list_relationship_types(session))


# Relationships -----------------------------------------------------------------------------


async def create_relationship(
    session: AsyncSession, actor: Actor, data: RelationshipCreate
) -> ConfigRelationship:
    _require_staff(actor, "relate config items")
    if data.source_id == data.target_id:
        raise Invalid(
            "A config item cannot be related to itself.", field="target_id", value=data.target_id
        )
    if await repository.get_relationship_type(session, data.relationship_type_id) is None:
        raise Invalid(
            f"No relationship type with id {data.relationship_type_id}.",
            field="relationship_type_id",
            value=data.relationship_type_id,
        )
    found = await config_items_by_ids(session, [data.source_id, data.target_id])
    for field, item_id in (("source_id", data.source_id), ("target_id", data.target_id)):
        if item_id not in found:
            raise Invalid(f"No config item with id {item_id}.", field=field, value=item_id)
    taken = Conflict(
        "These config items are already related by this relationship type.",
        field="target_id",
        value=data.target_id,
    )
    if (
        await repository.find_relationship(
            session, data.relationship_type_id, data.source_id, data.target_id
        )
        is not None
    ):
        raise taken
    relationship = ConfigRelationship(
        relationship_type_id=data.relationship_type_id,
        source_id=data.source_id,
        target_id=data.target_id,
    )
    if not await repository.add_unique(session, relationship):
        raise taken
    await audit.record(
        session,
        actor,
        "config_relationship.created",
        object_type="config_relationship",
        object_id=relationship.id,
        after={
            "relationship_type_id": data.relationship_type_id,
            "source_id": data.source_id,
            "target_id": data.target_id,
        },
    )
    return relationship


async def delete_relationship(session: AsyncSession, actor: Actor, relationship_id: int) -> None:
    _require_staff(actor, "relate config items")
    relationship = await repository.get_relationship(session, relationship_id)
    if relationship is None:
        raise NotFound(
            f"No config relationship with id {relationship_id}.",
            field="relationship_id",
            value=relationship_id,
        )
    before = {
        "relationship_type_id": relationship.relationship_type_id,
        "source_id": relationship.source_id,
        "target_id": relationship.target_id,
    }
    await repository.delete(session, relationship)
    await audit.record(
        session,
        actor,
        "config_relationship.deleted",
        object_type="config_relationship",
        object_id=relationship_id,
        before=before,
    )


async def list_relationships(session: AsyncSession, item_id: int) -> list[RelatedItem]:
    """Every relationship of the item in both directions, with the type and the item at the
    other end (three queries whatever the number)."""
    await get_config_item(session, item_id)
    rows = await repository.relationships_of(session, item_id)
    others = await config_items_by_ids(
        session, [r.target_id if r.source_id == item_id else r.source_id for r, _ in rows]
    )
    related: list[RelatedItem] = []
    for relationship, rtype in rows:
        outgoing = relationship.source_id == item_id
        other_id = relationship.target_id if outgoing else relationship.source_id
        related.append(
            RelatedItem(
                relationship=relationship,
                relationship_type=rtype,
                item=others[other_id],
                direction=Direction.OUTGOING if outgoing else Direction.INCOMING,
            )
        )
    return related
