"""Rules of custom fields: typed definitions per record kind, and the values records carry.

A value is validated against its definition and stored in its canonical text form (ISO dates,
times and UTC datetimes, plain decimals, a JSON array of the chosen choices for
``multiselect``), with the number or boolean beside it where the type has one. Values are read
back as Python values with :func:`typed_value`. On a record, fields are named by display name
or slug, ignoring case; no field's name may equal another's slug, so that a key always names
one field.
"""

from __future__ import annotations

import ipaddress
import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, NoReturn, Protocol
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core import reference
from polydesk.core.actor import Actor
from polydesk.core.emails import EmailNotValidError, normalized_email
from polydesk.core.enums import CustomFieldType, RecordKind
from polydesk.core.errors import Conflict, Forbidden, Invalid, NotFound
from polydesk.domains.audit import service as audit
from polydesk.domains.catalog.service import name_key
from polydesk.domains.custom_fields import repository
from polydesk.domains.custom_fields.schemas import (
    CleanValue,
    CustomFieldCreate,
    CustomFieldUpdate,
    StoredValue,
    ValueChanges,
)
from polydesk.models import CustomField, CustomFieldValue, Record

MAX_NAME_LENGTH = 100
MAX_LABEL_LENGTH = 200
MAX_SLUG_LENGTH = 100
MAX_DECIMAL_PLACES = 20
MAX_DIGITS = 28
"""Decimal's default context precision: more digits cannot be rounded exactly."""
MAX_INTEGER = 2**63 - 1
SLUG_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]*")
LENGTH_TYPES = frozenset(
    {
        CustomFieldType.TEXT,
        CustomFieldType.TEXTAREA,
        CustomFieldType.EMAIL,
        CustomFieldType.URL,
        CustomFieldType.SLUG,
        CustomFieldType.DECIMAL,
    }
)
"""Types that take ``max_length``: the longest text, or for decimals the most digits."""
CHOICE_TYPES = frozenset({CustomFieldType.LIST, CustomFieldType.MULTISELECT})
"""Types whose values are taken from ``choices``: one (``list``) or several (``multiselect``)."""

_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TIME = re.compile(r"(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,6})?)?")
_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ].+)?")
_VALUE_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
_TRUE = frozenset({"true", "1"})
_FALSE = frozenset({"false", "0"})


class StoredValueLike(Protocol):
    @property
    def value_text(self) -> str | None: ...

    @property
    def value_bool(self) -> bool | None: ...


# Helpers -----------------------------------------------------------------------------------


def value_key(field: CustomField) -> str:
    """The key of a field in a record's event before/after values."""
    return f"custom:{field.slug}"


def derive_slug(name: str) -> str:
    """``New Dropdown`` → ``new_dropdown``: case-folded ASCII (accents dropped, ``ß`` → ``ss``);
    every run of other characters becomes ``_``."""
    folded = unicodedata.normalize("NFKD", name.casefold())
    ascii_name = folded.encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_name).strip("_")[:MAX_SLUG_LENGTH]


def email_address(raw: str, *, field: str, what: str = "e-mail address") -> str:
    """A syntactically valid address with its domain lower-cased (no DNS look-up)."""
    text = raw.strip()
    try:
        return normalized_email(text)
    except EmailNotValidError as exc:
        raise Invalid(f"The {what} {raw!r} is not valid: {exc}", field=field, value=raw) from exc


def is_blank(raw: object) -> bool:
    """``None`` and empty or white-space strings mean "no value" for every type."""
    return raw is None or (isinstance(raw, str) and not raw.strip())


def clears(field: CustomField, raw: object) -> bool:
    """Whether ``raw`` means "no value" for ``field``: a blank value, or for a
    ``multiselect`` field also an empty list."""
    if is_blank(raw):
        return True
    return field.field_type == CustomFieldType.MULTISELECT and (
        isinstance(raw, list | tuple) and not raw
    )


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden("Only administrators may define custom fields.")


def _definition(field: CustomField) -> dict[str, Any]:
    return {
        "kind": field.kind,
        "name": field.name,
        "slug": field.slug,
        "label": field.label,
        "field_type": field.field_type,
        "required": field.required,
        "choices": list(field.choices),
        "max_length": field.max_length,
        "decimal_places": field.decimal_places,
        "help_text": field.help_text,
        "position": field.position,
        "staff_only": field.staff_only,
    }


def _clean_name(value: str) -> str:
    name = value.strip()
    if not name:
        raise Invalid("The custom field name must not be empty.", field="name", value=value)
    if len(name) > MAX_NAME_LENGTH:
        raise Invalid(
            f"The custom field name must be at most {MAX_NAME_LENGTH} characters long.",
            field="name",
            value=value,
        )
    return name


def _clean_slug(value: str | None, name: str) -> str:
    if value is None:
        slug = derive_slug(name)
        if not slug:
            raise Invalid(
                f"No slug can be derived from the name {name!r}; give one (letters, digits, "
                "_ and -).",
                field="slug",
                value=name,
            )
        return slug
    slug = value.strip().lower()
    if not SLUG_PATTERN.fullmatch(slug) or len(slug) > MAX_SLUG_LENGTH:
        raise Invalid(
            f"The slug {value!r} is not valid: use 1 to {MAX_SLUG_LENGTH} letters, digits, _ "
            "and -, starting with a letter or digit.",
            field="slug",
            value=value,
        )
    return slug


def _clean_label(value: str | None, name: str) -> str:
    label = (value or "").strip() or name
    if len(label) > MAX_LABEL_LENGTH:
        raise Invalid(
            f"The label must be at most {MAX_LABEL_LENGTH} characters long.",
            field="label",
            value=value,
        )
    return label


def _clean_options(
    field_type: CustomFieldType,
    choices: list[str] | None,
    max_length: int | None,
    decimal_places: int | None,
) -> list[str]:
    """Check the type-specific options; the choices come back stripped."""
    cleaned: list[str] = []
    if field_type in CHOICE_TYPES:
        if not choices:
            raise Invalid(f"A {field_type.value} field needs at least one choice.", field="choices")
        for choice in choices:
            text = choice.strip()
            if not text:
                raise Invalid("A choice must not be empty.", field="choices", value=choice)
            if text in cleaned:
                raise Invalid(f"The choice {text!r} is given twice.", field="choices", value=text)
            cleaned.append(text)
    elif choices:
        raise Invalid(
            f"Only list and multiselect fields take choices; this is a {field_type.value} field.",
            field="choices",
            value=choices,
        )
    if max_length is not None:
        if field_type not in LENGTH_TYPES:
            raise Invalid(
                f"A {field_type.value} field takes no max_length.",
                field="max_length",
                value=max_length,
            )
        if max_length < 1:
            raise Invalid("max_length must be at least 1.", field="max_length", value=max_length)
    if decimal_places is not None:
        if field_type is not CustomFieldType.DECIMAL:
            raise Invalid(
                f"Only decimal fields take decimal_places; this is a {field_type.value} field.",
                field="decimal_places",
                value=decimal_places,
            )
        if not 0 <= decimal_places <= MAX_DECIMAL_PLACES:
            raise Invalid(
                f"decimal_places must be between 0 and {MAX_DECIMAL_PLACES}.",
                field="decimal_places",
                value=decimal_places,
            )
        if max_length is not None and decimal_places > max_length:
            raise Invalid(
                "decimal_places cannot exceed max_length (the most digits).",
                field="decimal_places",
                value=decimal_places,
            )
    return cleaned


async def _check_unique(
    session: AsyncSession, kind: str, name: str, slug: str, exclude_id: int | None
) -> None:
    key = name_key(name)
    for other in await repository.clashing_fields(session, kind, {key, slug}, exclude_id):
        if key in (other.name_key, other.slug):
            raise Conflict(
                f"A {kind} custom field named {name!r} (or with that slug) already exists.",
                field="name",
                value=name,
            )
        raise Conflict(
            f"A {kind} custom field with the slug {slug!r} (or with that name) already exists.",
            field="slug",
            value=slug,
        )


def _index(fields: Sequence[CustomField]) -> dict[str, CustomField]:
    index: dict[str, CustomField] = {}
    for field in fields:
        index[field.name_key] = field
        index[field.slug] = field
    return index


def _lookup(index: Mapping[str, CustomField], key: str) -> CustomField | None:
    return index.get(name_key(key)) or index.get(key.strip().lower())


# Definitions -------------------------------------------------------------------------------


async def define_field(session: AsyncSession, actor: Actor, data: CustomFieldCreate) -> CustomField:
    _require_admin(actor)
    name = _clean_name(data.name)
    slug = _clean_slug(data.slug, name)
    label = _clean_label(data.label, name)
    choices = _clean_options(data.field_type, data.choices, data.max_length, data.decimal_places)
    await _check_unique(session, data.kind.value, name, slug, None)
    field = CustomField(
        kind=data.kind.value,
        name=name,
        name_key=name_key(name),
        slug=slug,
        label=label,
        field_type=data.field_type.value,
        required=data.required,
        choices=choices,
        max_length=data.max_length,
        decimal_places=data.decimal_places,
        help_text=data.help_text,
        position=data.position,
        staff_only=data.staff_only,
        extra={},
    )
    if not await repository.add_unique(session, field):
        raise Conflict(
            f"A {data.kind.value} custom field named {name!r} or with the slug {slug!r} "
            "already exists.",
            field="name",
            value=name,
        )
    await audit.record(
        session,
        actor,
        "custom_field.created",
        object_type="custom_field",
        object_id=field.id,
        after=_definition(field),
    )
    return field


async def get_field(session: AsyncSession, field_id: int) -> CustomField:
    field = await repository.get_field(session, field_id)
    if field is None:
        raise NotFound(f"No custom field with id {field_id}.", field="id", value=field_id)
    return field


async def list_fields(session: AsyncSession, kind: RecordKind) -> list[CustomField]:
    """The fields of one kind, in display order (position, then id), from the reference cache
    (core.reference), read only. Writes validate against the table itself."""
    return list(
        await reference.cached(session, f"fields:{kind.value}", lambda: _fields(session, kind))
    )


async def _fields(session: AsyncSession, kind: RecordKind) -> list[CustomField]:
    return reference.copies(await repository.list_fields(session, kind.value))


async def get_field_by_name(
    session: AsyncSession, kind: RecordKind, name_or_slug: str
) -> CustomField:
    field = _lookup(_index(await repository.list_fields(session, kind.value)), name_or_slug)
    if field is None:
        raise NotFound(
            f"No {kind.value} custom field named {name_or_slug!r}.",
            field="name",
            value=name_or_slug,
        )
    return field


_NOT_NULL = frozenset({"name", "field_type", "required", "position", "staff_only"})


async def update_field(
    session: AsyncSession, actor: Actor, field_id: int, data: CustomFieldUpdate
) -> CustomField:
    """Change a definition. The slug stays when only the name changes, so stored keys and
    dialect field names remain stable; the type changes only while no value exists."""
    _require_admin(actor)
    field = await get_field(session, field_id)
    changes = data.model_dump(exclude_unset=True)
    for key in _NOT_NULL & changes.keys():
        if changes[key] is None:
            raise Invalid(f"The {key} of a custom field cannot be cleared.", field=key)
    before = _definition(field)
    name = _clean_name(changes["name"]) if "name" in changes else field.name
    slug = _clean_slug(changes["slug"], name) if changes.get("slug") is not None else field.slug
    label = _clean_label(changes["label"], name) if "label" in changes else field.label
    field_type = CustomFieldType(changes.get("field_type", field.field_type))
    choices = _clean_options(
        field_type,
        changes["choices"] if "choices" in changes else field.choices,
        changes["max_length"] if "max_length" in changes else field.max_length,
        changes["decimal_places"] if "decimal_places" in changes else field.decimal_places,
    )
    after = {
        **before,
        **{k: v for k, v in changes.items() if k not in {"name", "slug", "label", "choices"}},
        "name": name,
        "slug": slug,
        "label": label,
        "field_type": field_type.value,
        "choices": choices,
    }
    old, new = audit.diff(before, after)
    if not new:
        return field
    if "field_type" in new and await repository.field_has_values(session, field.id):
        raise Conflict(
            f"The type of custom field {field.name!r} cannot change while records hold values "
            "of it.",
            field="field_type",
            value=field_type.value,
        )
    if "name" in new or "slug" in new:
        await _check_unique(session, field.kind, name, slug, field.id)
    for key, value in new.items():
        setattr(field, key, value)
    field.name_key = name_key(name)
    if not await repository.flush_unique(session):
        raise Conflict(
            f"A {field.kind} custom field named {name!r} or with the slug {slug!r} already exists.",
            field="name",
            value=name,
        )
    await audit.record(
        session,
        actor,
        "custom_field.updated",
        object_type="custom_field",
        object_id=field.id,
        before=old,
        after=new,
    )
    return field


async def delete_field(session: AsyncSession, actor: Actor, field_id: int) -> None:
    """Delete a definition and every value of it."""
    _require_admin(actor)
    field = await get_field(session, field_id)
    before = _definition(field)
    await repository.delete_field(session, field)
    await audit.record(
        session,
        actor,
        "custom_field.deleted",
        object_type="custom_field",
        object_id=field_id,
        before=before,
    )


# Values ------------------------------------------------------------------------------------


def _bad(field: CustomField, raw: object, expected: str) -> NoReturn:
    raise Invalid(
        f"The custom field {field.name!r} expects {expected}; {raw!r} is not valid.",
        field=value_key(field),
        value=raw,
    )


def _check_length(field: CustomField, raw: object, text: str) -> None:
    if field.max_length is not None and len(text) > field.max_length:
        raise Invalid(
            f"The custom field {field.name!r} takes at most {field.max_length} characters; "
            f"{len(text)} were given.",
            field=value_key(field),
            value=raw,
        )


def _text(field: CustomField, raw: object) -> CleanValue:
    if isinstance(raw, bool) or not isinstance(raw, str | int | float | Decimal):
        _bad(field, raw, "text")
    text = raw if isinstance(raw, str) else str(raw)
    if field.field_type == CustomFieldType.TEXT:
        text = text.strip()
    if "\x00" in text:
        _bad(field, raw, "text without NUL characters")
    _check_length(field, raw, text)
    return CleanValue(text)


def _number(field: CustomField, raw: object) -> CleanValue:
    expected = "a whole number"
    value: int
    if isinstance(raw, bool):
        _bad(field, raw, expected)
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, float) and raw.is_integer():
        value = int(raw)
    elif isinstance(raw, Decimal) and raw.is_finite() and raw == raw.to_integral_value():
        value = int(raw)
    elif isinstance(raw, str) and _INTEGER.fullmatch(raw.strip()):
        value = int(raw.strip())
    else:
        _bad(field, raw, expected)
    if abs(value) > MAX_INTEGER:
        _bad(field, raw, f"a whole number between -{MAX_INTEGER} and {MAX_INTEGER}")
    return CleanValue(str(value), value_number=float(value))


def _decimal(field: CustomField, raw: object) -> CleanValue:
    places = field.decimal_places
    expected = "a decimal number" + (f" (rounded to {places} places)" if places is not None else "")
    if isinstance(raw, bool):
        _bad(field, raw, expected)
    if isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, int | float):
        value = Decimal(str(raw))
    elif isinstance(raw, str) and _DECIMAL.fullmatch(raw.strip()):
        value = Decimal(raw.strip())
    else:
        _bad(field, raw, expected)
    if not value.is_finite():
        _bad(field, raw, expected)
    try:
        if places is not None:
            value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        _bad(field, raw, f"a decimal number of at most {MAX_DIGITS} digits")
    if value == 0:
        value = abs(value)
    digits = len(value.as_tuple().digits)
    limit = field.max_length or MAX_DIGITS
    if digits > limit:
        _bad(field, raw, f"a decimal number of at most {limit} digits")
    return CleanValue(format(value, "f"), value_number=float(value))


def _match_choice(field: CustomField, raw: object) -> str | None:
    """The defined choice ``raw`` names (exactly, else ignoring case when that is
    unambiguous), or ``None``."""
    candidates: list[str]
    if isinstance(raw, str):
        candidates = [raw.strip()]
    elif isinstance(raw, bool):
        candidates = []
    elif isinstance(raw, float) and raw.is_integer():
        candidates = [str(raw), str(int(raw))]
    elif isinstance(raw, int | float | Decimal):
        candidates = [str(raw)]
    else:
        candidates = []
    for candidate in candidates:
        if candidate in field.choices:
            return candidate
    for candidate in candidates:
        folded = [c for c in field.choices if c.casefold() == candidate.casefold()]
        if len(folded) == 1:
            return folded[0]
    return None


def _choice(field: CustomField, raw: object) -> CleanValue:
    choice = _match_choice(field, raw)
    if choice is not None:
        return CleanValue(choice)
    raise Invalid(
        f"The custom field {field.name!r} expects one of "
        f"{', '.join(repr(c) for c in field.choices)}; {raw!r} is not a valid choice.",
        field=value_key(field),
        value=raw,
    )


def _choices(field: CustomField, raw: object) -> CleanValue:
    """A list of distinct choices, in the order given; a single choice counts as a list of
    one. Stored as a JSON array."""
    items: Sequence[object] = raw if isinstance(raw, list | tuple) else [raw]
    chosen: list[str] = []
    for item in items:
        choice = _match_choice(field, item)
        if choice is None:
            raise Invalid(
                f"The custom field {field.name!r} expects a list of "
                f"{', '.join(repr(c) for c in field.choices)}; {item!r} is not a valid choice.",
                field=value_key(field),
                value=item,
            )
        if choice in chosen:
            raise Invalid(
                f"The custom field {field.name!r} takes each choice once; {item!r} is given twice.",
                field=value_key(field),
                value=item,
            )
        chosen.append(choice)
    return CleanValue(json.dumps(chosen, ensure_ascii=False, separators=(",", ":")))


def _stored_choices(text: str) -> list[str]:
    try:
        value = json.loads(text)
    except ValueError:
        return [text]
    if isinstance(value, list):
        return [str(item) for item in value]
    return [str(value)]


def _boolean(field: CustomField, raw: object) -> CleanValue:
    value: bool
    if isinstance(raw, bool):
        value = raw
    elif isinstance(raw, int) and raw in (0, 1):
        value = raw == 1
    elif isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
        value = raw.strip().lower() in _TRUE
    else:
        _bad(field, raw, "true or false")
    return CleanValue("true" if value else "false", value_bool=value)


def _date(field: CustomField, raw: object) -> CleanValue:
    expected = "a date (YYYY-MM-DD)"
    if isinstance(raw, datetime):
        _bad(field, raw, expected)
    if isinstance(raw, date):
        return CleanValue(raw.isoformat())
    if isinstance(raw, str) and _DATE.fullmatch(raw.strip()):
        try:
            return CleanValue(date.fromisoformat(raw.strip()).isoformat())
        except ValueError:
            pass
    _bad(field, raw, expected)


def _time(field: CustomField, raw: object) -> CleanValue:
    expected = "a time (HH:MM or HH:MM:SS)"
    if isinstance(raw, time) and raw.tzinfo is None:
        return CleanValue(raw.isoformat())
    if isinstance(raw, str) and _TIME.fullmatch(raw.strip()):
        return CleanValue(time.fromisoformat(raw.strip()).isoformat())
    _bad(field, raw, expected)


def _datetime(field: CustomField, raw: object) -> CleanValue:
    expected = "an ISO 8601 date and time (e.g. 2026-12-01T10:00:00Z)"
    value: datetime
    if isinstance(raw, datetime):
        value = raw
    elif isinstance(raw, date):
        value = datetime.combine(raw, time())
    elif isinstance(raw, str) and _DATETIME.fullmatch(raw.strip()):
        try:
            value = datetime.fromisoformat(raw.strip())
        except ValueError:
            _bad(field, raw, expected)
    else:
        _bad(field, raw, expected)
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return CleanValue(value.isoformat(), value_number=value.timestamp())


def _email(field: CustomField, raw: object) -> CleanValue:
    if not isinstance(raw, str):
        _bad(field, raw, "an e-mail address")
    try:
        address = normalized_email(raw.strip())
    except EmailNotValidError:
        _bad(field, raw, "an e-mail address")
    _check_length(field, raw, address)
    return CleanValue(address)


def _url(field: CustomField, raw: object) -> CleanValue:
    expected = "an http or https URL"
    if not isinstance(raw, str):
        _bad(field, raw, expected)
    text = raw.strip()
    if any(c.isspace() or not c.isprintable() for c in text):
        _bad(field, raw, expected)
    try:
        parts = urlsplit(text)
        host = parts.hostname
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        _bad(field, raw, expected)
    if parts.scheme.lower() not in {"http", "https"} or not host:
        _bad(field, raw, expected)
    _check_length(field, raw, text)
    return CleanValue(text)


def _ip_address(field: CustomField, raw: object) -> CleanValue:
    if not isinstance(raw, str):
        _bad(field, raw, "an IPv4 or IPv6 address")
    try:
        return CleanValue(str(ipaddress.ip_address(raw.strip())))
    except ValueError:
        _bad(field, raw, "an IPv4 or IPv6 address")


def _slug(field: CustomField, raw: object) -> CleanValue:
    expected = "a slug (letters, digits, _ and -)"
    if not isinstance(raw, str) or not _VALUE_SLUG.fullmatch(raw.strip()):
        _bad(field, raw, expected)
    text = raw.strip()
    _check_length(field, raw, text)
    return CleanValue(text)


_VALIDATORS = {
    CustomFieldType.TEXT: _text,
    CustomFieldType.TEXTAREA: _text,
    CustomFieldType.NUMBER: _number,
    CustomFieldType.DECIMAL: _decimal,
    CustomFieldType.LIST: _choice,
    CustomFieldType.MULTISELECT: _choices,
    CustomFieldType.BOOLEAN: _boolean,
    CustomFieldType.DATE: _date,
    CustomFieldType.TIME: _time,
    CustomFieldType.DATETIME: _datetime,
    CustomFieldType.EMAIL: _email,
    CustomFieldType.URL: _url,
    CustomFieldType.IPADDRESS: _ip_address,
    CustomFieldType.SLUG: _slug,
}


def validate_value(field: CustomField, raw: object) -> CleanValue:
    """The stored form of ``raw`` for ``field``, or :class:`Invalid` naming the field and
    what it expects. A blank value (or an empty list for ``multiselect``) is refused here:
    callers treat it as "clear"."""
    if clears(field, raw):
        raise Invalid(
            f"The custom field {field.name!r} needs a value.", field=value_key(field), value=raw
        )
    return _VALIDATORS[CustomFieldType(field.field_type)](field, raw)


def typed_value(field: CustomField, stored: StoredValueLike) -> object:
    """The Python value of a stored value: int, Decimal, bool, date, time, aware UTC datetime,
    a list of str (``multiselect``), or str."""
    text = stored.value_text
    if text is None:
        return None
    match CustomFieldType(field.field_type):
        case CustomFieldType.NUMBER:
            return int(text)
        case CustomFieldType.DECIMAL:
            return Decimal(text)
        case CustomFieldType.BOOLEAN:
            return stored.value_bool if stored.value_bool is not None else text == "true"
        case CustomFieldType.DATE:
            return date.fromisoformat(text)
        case CustomFieldType.TIME:
            return time.fromisoformat(text)
        case CustomFieldType.DATETIME:
            return datetime.fromisoformat(text).astimezone(UTC)
        case CustomFieldType.MULTISELECT:
            return _stored_choices(text)
        case _:
            return text


async def set_values(
    session: AsyncSession,
    actor: Actor,
    record: Record,
    values: Mapping[str, object],
    *,
    creating: bool,
) -> ValueChanges:
    """Validate and store custom values of one record; ``None``, a blank string or (for
    ``multiselect``) an empty list clears.

    Keys are field names or slugs of the record's kind, ignoring case. On create every
    required field (that the actor may see) needs a value; afterwards a required value cannot
    be cleared. Staff-only fields are written by staff only. Records no event: the changes
    come back for the caller's event on the record.
    """
    if creating and not values:
        # Nothing to store: only the required fields matter, as a read sees them (the
        # reference cache). A value given is validated against the table below.
        for defined in await list_fields(session, RecordKind(record.kind)):
            if defined.required and (actor.is_staff or not defined.staff_only):
                raise Invalid(
                    f"The custom field {defined.name!r} is required.", field=value_key(defined)
                )
        return ValueChanges()
    fields = await repository.list_fields(session, record.kind)
    index = _index(fields)
    wanted: dict[int, tuple[CustomField, CleanValue | None]] = {}
    for key, raw in values.items():
        field = _lookup(index, key)
        if field is None:
            raise Invalid(
                f"There is no {record.kind} custom field named {key!r}.",
                field=f"custom:{key}",
                value=raw,
            )
        if field.id in wanted:
            raise Invalid(
                f"The custom field {field.name!r} is given twice.",
                field=value_key(field),
                value=raw,
            )
        if field.staff_only and not actor.is_staff:
            raise Forbidden(
                f"Only staff may set the custom field {field.name!r}.", field=value_key(field)
            )
        clean = None if clears(field, raw) else validate_value(field, raw)
        if clean is None and field.required and (actor.is_staff or not field.staff_only):
            raise Invalid(
                f"The custom field {field.name!r} is required.", field=value_key(field), value=raw
            )
        wanted[field.id] = (field, clean)

    existing = (
        {}
        if creating
        else {v.field_id: v for v in await repository.values_of_record(session, record.id)}
    )
    if creating:
        for field in fields:
            if (
                field.required
                and field.id not in wanted
                and (actor.is_staff or not field.staff_only)
            ):
                raise Invalid(
                    f"The custom field {field.name!r} is required.", field=value_key(field)
                )

    changes = ValueChanges()
    for field, clean in wanted.values():
        row = existing.get(field.id)
        old = typed_value(field, row) if row is not None else None
        if clean is None:
            if row is None:
                continue
            await repository.delete_value(session, row)
            new: object = None
        elif row is None:
            await repository.add(
                session,
                CustomFieldValue(
                    record_id=record.id,
                    field_id=field.id,
                    value_text=clean.value_text,
                    value_number=clean.value_number,
                    value_bool=clean.value_bool,
                ),
            )
            new = typed_value(field, clean)
        else:
            new = typed_value(field, clean)
            if new == old and row.value_text == clean.value_text:
                continue
            row.value_text = clean.value_text
            row.value_number = clean.value_number
            row.value_bool = clean.value_bool
            await repository.flush(session)
        changes.before[value_key(field)] = old
        changes.after[value_key(field)] = new
    return changes


async def values_for(
    session: AsyncSession, record_ids: Sequence[int], *, include_staff_only: bool = True
) -> dict[int, dict[str, object]]:
    """Typed values keyed by slug for each record (every id present, ``{}`` when none), in
    one query whatever the number of records."""
    rows = await repository.values_for(session, record_ids, include_staff_only=include_staff_only)
    return await typed_values(session, record_ids, rows)


async def typed_values(
    session: AsyncSession, record_ids: Sequence[int], rows: Sequence[StoredValue]
) -> dict[int, dict[str, object]]:
    """:func:`values_for` of values already read (with their record, say)."""
    result: dict[int, dict[str, object]] = {record_id: {} for record_id in record_ids}
    if not rows:
        return result
    definitions = await _definitions(session, {row.field_id for row in rows})
    for row in rows:
        field = definitions[row.field_id]
        result.setdefault(row.record_id, {})[field.slug] = typed_value(field, row)
    return result


async def _definitions(session: AsyncSession, ids: set[int]) -> dict[int, CustomField]:
    """Field definitions by id, from the reference cache; a field defined by another process
    since the cache was filled is read from the table."""
    known = await reference.cached(session, "fields_by_id", lambda: _every_field(session))
    found = {i: known[i] for i in ids if i in known}
    missing = sorted(ids - found.keys())
    if missing:
        found.update({f.id: f for f in await repository.fields_by_ids(session, missing)})
    return found


async def _every_field(session: AsyncSession) -> dict[int, CustomField]:
    return {f.id: f for f in reference.copies(await repository.all_fields(session))}
