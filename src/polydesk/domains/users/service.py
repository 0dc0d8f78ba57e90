"""Rules of user accounts.

- E-mail addresses are required, kept as given (django-helpdesk matches them exactly) and
  unique ignoring case (checked here, and held by the unique ``email_key``, the lower-cased
  address); usernames are optional, keep the case they were given in, and are unique ignoring
  case in the same way (``username_key``). Look-ups by either ignore case.
- Who may create whom: administrators (and the system) create any role; technicians create
  requesters only; requesters create nobody.
- Who may change whom: administrators anyone; technicians requesters and themselves; everyone
  themselves. Only administrators change roles; only administrators (or technicians, for a
  requester) activate or deactivate accounts; only the user or an administrator sets a
  password. The last active administrator can be neither demoted nor deactivated.
- Passwords: at least :data:`MIN_PASSWORD_LENGTH` characters, except when the actor's channel
  is the system or the CLI (the demo's documented password is ``123``), and never more than
  :data:`MAX_PASSWORD_LENGTH`. They are stored as argon2id hashes; neither a password nor its
  hash ever appears in an event. Setting one stamps ``password_changed_at``, which drops cached
  verified credentials.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core import reference, security
from polydesk.core.actor import Actor
from polydesk.core.clock import utcnow
from polydesk.core.enums import Channel, Role
from polydesk.core.errors import Conflict, Forbidden, Invalid, NotFound
from polydesk.domains.audit import service as audit
from polydesk.domains.catalog.service import check_page, check_time_zone
from polydesk.domains.departments import service as departments
from polydesk.domains.locations import service as locations
from polydesk.domains.users import repository
from polydesk.domains.users.schemas import UserCreate, UserUpdate
from polydesk.models import User

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
"""Longer passwords are refused before hashing, so that a request cannot buy much CPU."""
TRUSTED_CHANNELS = frozenset({Channel.SYSTEM, Channel.CLI})
"""Channels whose actor may set passwords shorter than :data:`MIN_PASSWORD_LENGTH`."""
USERNAME_PATTERN = re.compile(r"[\w.@+-]{1,150}")
"""Django's rule: letters, digits and ``@ . + - _``, at most 150 characters."""
MAX_EMAIL_LENGTH = 320
MAX_NAME_LENGTH = 150
MAX_PHONE_LENGTH = 64

_LOCAL_PART = re.compile(r"[^\s@\"(),:;<>\[\]\\]+")
_DOMAIN_LABEL = re.compile(r"[^\W_](?:[\w-]{0,61}[^\W_])?")

_STATE_FIELDS = (
    "email",
    "username",
    "first_name",
    "last_name",
    "role",
    "is_active",
    "phone",
    "time_zone",
    "department_id",
    "location_id",
)
"""What events show of a user. Never the password hash."""


# Values ------------------------------------------------------------------------------------


def check_email(value: str | None, *, field: str = "email") -> str:
    """The e-mail address as given, trimmed, or :class:`Invalid`.

    The check is syntactic (one ``@``, a local part without spaces or specials, dot-separated
    domain labels) and accepts single-label domains such as ``admin@localhost``.
    """
    address = (value or "").strip()
    if not address:
        raise Invalid(f"The {field} must not be blank.", field=field, value=value)
    local, at, domain = address.rpartition("@")
    valid = (
        bool(at)
        and len(address) <= MAX_EMAIL_LENGTH
        and len(local) <= 64
        and all(_LOCAL_PART.fullmatch(atom) for atom in local.split("."))
        and len(domain) <= 253
        and all(_DOMAIN_LABEL.fullmatch(label) for label in domain.split("."))
    )
    if not valid:
        raise Invalid(
            f"The {field} {value!r} is not a valid e-mail address.", field=field, value=value
        )
    return address


def email_key(address: str) -> str:
    """What addresses are compared by: two addresses differing only in case are one."""
    return address.lower()


def normalise_email(value: str | None, *, field: str = "email") -> str:
    """A checked e-mail address, lower-cased (for addresses that are only compared, such as
    outside watchers)."""
    return email_key(check_email(value, field=field))


def _check_username(value: str) -> str:
    username = value.strip()
    if not USERNAME_PATTERN.fullmatch(username):
        raise Invalid(
            f"The username {value!r} must be 1–150 characters of letters, digits and @.+-_ only.",
            field="username",
            value=value,
        )
    return username


def _check_password(actor: Actor, password: str) -> None:
    if not password:
        raise Invalid("The password must not be empty.", field="password")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise Invalid(
            f"The password must be at most {MAX_PASSWORD_LENGTH} characters long.",
            field="password",
        )
    if len(password) < MIN_PASSWORD_LENGTH and actor.channel not in TRUSTED_CHANNELS:
        raise Invalid(
            "This password is too short. It must contain at least "
            f"{MIN_PASSWORD_LENGTH} characters.",
            field="password",
        )


def _clean_text(value: str | None, field: str, max_length: int) -> str:
    cleaned = " ".join((value or "").split())
    if len(cleaned) > max_length:
        raise Invalid(
            f"The {field} must be at most {max_length} characters long.", field=field, value=value
        )
    return cleaned


def _clean_phone(value: str | None) -> str | None:
    return _clean_text(value, "phone", MAX_PHONE_LENGTH) or None


def full_name(user: User) -> str:
    """First and last name; the username or the e-mail address when both are empty."""
    name = " ".join(part for part in (user.first_name, user.last_name) if part)
    return name or user.username or user.email


def split_full_name(name: str | None) -> tuple[str, str]:
    """``"Snehashis Paul"`` → ``("Snehashis", "Paul")``; everything after the first word is the
    last name."""
    parts = (name or "").split(None, 1)
    first = parts[0] if parts else ""
    last = " ".join(parts[1].split()) if len(parts) > 1 else ""
    return first[:MAX_NAME_LENGTH], last[:MAX_NAME_LENGTH]


def _state(user: User) -> dict[str, Any]:
    return {name: getattr(user, name) for name in _STATE_FIELDS}


async def _check_department(session: AsyncSession, department_id: int | None) -> None:
    if department_id is None:
        return
    try:
        await departments.get_department(session, department_id)
    except NotFound as exc:
        raise Invalid(exc.message, field="department_id", value=department_id) from exc


async def _check_location(session: AsyncSession, location_id: int | None) -> None:
    if location_id is None:
        return
    try:
        await locations.get_location(session, location_id)
    except NotFound as exc:
        raise Invalid(exc.message, field="location_id", value=location_id) from exc


def _email_taken(email: str) -> Conflict:
    return Conflict("A user with this e-mail already exists.", field="email", value=email)


def _username_taken(username: str) -> Conflict:
    return Conflict("A user with that username already exists.", field="username", value=username)


async def _check_email_free(session: AsyncSession, email: str, user_id: int | None) -> None:
    other = await repository.get_by_email_key(session, email_key(email))
    if other is not None and other.id != user_id:
        raise _email_taken(email)


async def _check_username_free(session: AsyncSession, username: str, user_id: int | None) -> None:
    if any(u.id != user_id for u in await repository.get_by_username(session, username)):
        raise _username_taken(username)


# Writes ------------------------------------------------------------------------------------


async def create_user(session: AsyncSession, actor: Actor, data: UserCreate) -> User:
    role = Role(data.role)
    if role is not Role.REQUESTER and not actor.is_admin:
        raise Forbidden(f"Only administrators may create {role.value} accounts.")
    if not actor.is_staff:
        raise Forbidden("Only staff may create user accounts.")
    email = check_email(data.email)
    username = _check_username(data.username) if data.username is not None else None
    if data.password is not None:
        _check_password(actor, data.password)
    first_name = _clean_text(data.first_name, "first_name", MAX_NAME_LENGTH)
    last_name = _clean_text(data.last_name, "last_name", MAX_NAME_LENGTH)
    time_zone = check_time_zone(data.time_zone)
    await _check_department(session, data.department_id)
    await _check_location(session, data.location_id)
    await _check_email_free(session, email, None)
    if username is not None:
        await _check_username_free(session, username, None)
    now = utcnow()
    user = User(
        email=email,
        email_key=email_key(email),
        username=username,
        username_key=username.lower() if username is not None else None,
        first_name=first_name,
        last_name=last_name,
        role=role.value,
        password_hash=await security.hash_password_async(data.password) if data.password else None,
        password_changed_at=now if data.password else None,
        is_active=data.is_active,
        phone=_clean_phone(data.phone),
        time_zone=time_zone,
        department_id=data.department_id,
        location_id=data.location_id,
    )
    if not await repository.add_unique(session, user):
        # Taken by a concurrent request between the checks above and the insert.
        if username is None:
            raise _email_taken(email)
        raise Conflict(
            "A user with this e-mail or username already exists.", field="email", value=email
        )
    await audit.record(
        session,
        actor,
        "user.created",
        object_type="user",
        object_id=user.id,
        after={**_state(user), "has_password": user.password_hash is not None},
    )
    return user


def _may_change(actor: Actor, user: User) -> bool:
    if actor.is_admin or actor.user_id == user.id:
        return True
    return actor.is_staff and user.role == Role.REQUESTER.value


async def _keep_an_admin(session: AsyncSession, user: User, what: str) -> None:
    if user.role == Role.ADMIN.value and user.is_active:
        if await repository.count_admins(session, active_only=True) <= 1:
            raise Conflict(
                f"{user.email} is the last active administrator and cannot be {what}.",
                field="role" if what == "demoted" else "is_active",
                value=user.id,
            )


async def update_user(session: AsyncSession, actor: Actor, user_id: int, data: UserUpdate) -> User:
    """Apply the given fields; only changed columns are written. A new password is hashed and
    stamps ``password_changed_at`` (recorded as its own ``user.password_changed`` event)."""
    user = await get_user(session, user_id)
    if not _may_change(actor, user):
        raise Forbidden("You may not change this user.")
    given = data.model_dump(exclude_unset=True)
    changes: dict[str, Any] = {}
    if "email" in given:
        email = check_email(given["email"])
        await _check_email_free(session, email, user.id)
        changes["email"] = email
        changes["email_key"] = email_key(email)
    if "username" in given:
        username = _check_username(given["username"]) if given["username"] is not None else None
        if username is not None:
            await _check_username_free(session, username, user.id)
        changes["username"] = username
        changes["username_key"] = username.lower() if username is not None else None
    for name in ("first_name", "last_name"):
        if name in given:
            changes[name] = _clean_text(given[name], name, MAX_NAME_LENGTH)
    if "phone" in given:
        changes["phone"] = _clean_phone(given["phone"])
    if "time_zone" in given:
        changes["time_zone"] = check_time_zone(given["time_zone"])
    if "department_id" in given:
        await _check_department(session, given["department_id"])
        changes["department_id"] = given["department_id"]
    if "location_id" in given:
        await _check_location(session, given["location_id"])
        changes["location_id"] = given["location_id"]
    if "role" in given:
        if given["role"] is None:
            raise Invalid("The role must not be blank.", field="role", value=None)
        role = Role(given["role"])
        if role.value != user.role:
            await _check_role_change(session, actor, user, role)
            changes["role"] = role.value
    if "is_active" in given and given["is_active"] != user.is_active:
        if given["is_active"] is None:
            raise Invalid("is_active must be true or false.", field="is_active", value=None)
        if not actor.is_admin and not (actor.is_staff and user.role == Role.REQUESTER.value):
            raise Forbidden("You may not activate or deactivate this user.")
        if not given["is_active"]:
            await _keep_an_admin(session, user, "deactivated")
        changes["is_active"] = given["is_active"]
    password = given.get("password")
    if "password" in given:
        if password is None:
            raise Invalid("The password must not be empty.", field="password")
        _check_may_set_password(actor, user)
        _check_password(actor, password)
    await _save(session, actor, user, changes, "user.updated")
    if password is not None:
        await _store_password(session, actor, user, password)
    return user


async def _check_role_change(session: AsyncSession, actor: Actor, user: User, role: Role) -> None:
    if not actor.is_admin:
        raise Forbidden("Only administrators may change roles.")
    await _keep_an_admin(session, user, "demoted")
    if role is Role.REQUESTER and await repository.group_membership_count(session, user.id):
        raise Conflict(
            f"{user.email} belongs to technician groups; remove them from the groups "
            "before making them a requester.",
            field="role",
            value=role.value,
        )


def _check_may_set_password(actor: Actor, user: User) -> None:
    if not (actor.is_admin or actor.user_id == user.id):
        raise Forbidden("Only the user or an administrator may set a password.")


async def _save(
    session: AsyncSession, actor: Actor, user: User, changes: dict[str, Any], action: str
) -> None:
    before_state = _state(user)
    changed = {k: v for k, v in changes.items() if getattr(user, k) != v}
    if not changed:
        return
    if not await repository.update_unique(session, user, changed):
        raise Conflict(
            "A user with this e-mail or username already exists.",
            field="email" if "email" in changed else "username",
            value=changed.get("email", changed.get("username")),
        )
    before, after = audit.diff(before_state, _state(user))
    await audit.record(
        session, actor, action, object_type="user", object_id=user.id, before=before, after=after
    )


async def _store_password(session: AsyncSession, actor: Actor, user: User, password: str) -> None:
    changes = {
        "password_hash": await security.hash_password_async(password),
        "password_changed_at": utcnow(),
    }
    await repository.update_unique(session, user, changes)
    await audit.record(
        session, actor, "user.password_changed", object_type="user", object_id=user.id
    )


async def set_password(session: AsyncSession, actor: Actor, user_id: int, password: str) -> User:
    """Replace the password (the user themselves, or an administrator)."""
    user = await get_user(session, user_id)
    _check_may_set_password(actor, user)
    _check_password(actor, password)
    await _store_password(session, actor, user, password)
    return user


async def deactivate_user(session: AsyncSession, actor: Actor, user_id: int) -> User:
    """Stop the account signing in; it stays named on its records. Idempotent."""
    user = await get_user(session, user_id)
    if not actor.is_admin and not (actor.is_staff and user.role == Role.REQUESTER.value):
        raise Forbidden("You may not deactivate this user.")
    if not user.is_active:
        return user
    await _keep_an_admin(session, user, "deactivated")
    await _save(session, actor, user, {"is_active": False}, "user.deactivated")
    return user


async def ensure_requester(
    session: AsyncSession, actor: Actor, email: str, *, name: str | None = None
) -> User:
    """The user ``email`` names (an e-mail address or, as ServiceOps accepts, a login name),
    or a new requester without a password when nobody has it.

    An existing user is returned whatever their role or state. A new one is named from
    ``name`` (first word → first name, the rest → last name).
    """
    existing = await get_user_by_login(session, email)
    if existing is not None:
        return existing
    first_name, last_name = split_full_name(name)
    data = UserCreate(email=email, role=Role.REQUESTER, first_name=first_name, last_name=last_name)
    try:
        return await create_user(session, actor, data)
    except Conflict:
        # Created by a concurrent request between the look-up and the insert.
        found = await get_user_by_email(session, email)
        if found is None:
            raise
        return found


# Authentication ----------------------------------------------------------------------------


async def authenticate(session: AsyncSession, login: str, password: str) -> User | None:
    """The active user whose e-mail or username is ``login`` and whose password this is.

    Unknown logins and accounts without a password pay for a verification against a dummy
    hash, so that timing does not tell which logins exist. A hash made with outdated argon2
    parameters is replaced by a fresh one (``password_changed_at`` stays: the password is the
    same).
    """
    if not password or len(password) > MAX_PASSWORD_LENGTH:
        return None
    user = await get_user_by_login(session, login)
    if user is None or not user.password_hash:
        await security.burn_password_verify_async(password)
        return None
    if not await security.verify_password_async(user.password_hash, password):
        return None
    if not user.is_active:
        return None
    if security.password_needs_rehash(user.password_hash):
        await repository.update_unique(
            session, user, {"password_hash": await security.hash_password_async(password)}
        )
        await audit.record(
            session,
            Actor(user_id=user.id, role=Role(user.role), channel=Channel.SYSTEM),
            "user.password_rehashed",
            object_type="user",
            object_id=user.id,
        )
    return user


# Reads -------------------------------------------------------------------------------------


async def get_user(session: AsyncSession, user_id: int) -> User:
    user = await repository.get(session, user_id)
    if user is None:
        raise NotFound(f"No user with id {user_id}.", field="user_id", value=user_id)
    return user


async def get_user_by_email(session: AsyncSession, email: str) -> User | None:
    """The user with this address, ignoring case."""
    return await repository.get_by_email_key(session, email_key(email.strip()))


async def get_user_by_login(session: AsyncSession, login: str) -> User | None:
    """By e-mail address, then by username, both ignoring case. E-mail wins when a username
    happens to equal another user's address."""
    key = login.strip()
    if not key:
        return None
    user = await repository.get_by_email_key(session, email_key(key))
    if user is not None:
        return user
    matches = await repository.get_by_username(session, key)
    exact = [u for u in matches if u.username == key]
    if exact:
        return exact[0]
    return matches[0] if len(matches) == 1 else None


async def list_users(
    session: AsyncSession,
    *,
    roles: Sequence[Role] | None = None,
    query: str | None = None,
    is_active: bool | None = None,
    offset: int = 0,
    limit: int = 100,
) -> tuple[Sequence[User], int]:
    """A page of users by id, and the total matching. ``query`` matches part of the e-mail
    address, the username or the full name, ignoring case."""
    check_page(offset, limit)
    return await repository.list_users(
        session,
        roles=[Role(r).value for r in roles] if roles is not None else None,
        query=query.strip() if query and query.strip() else None,
        is_active=is_active,
        offset=offset,
        limit=limit,
    )


async def users_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, User]:
    """The users with these ids, in one query; unknown ids are left out."""
    return {u.id: u for u in await repository.by_ids(session, ids)}


async def users_to_show(session: AsyncSession, ids: Iterable[int]) -> dict[int, User]:
    """Users to render records, notes and callers with, by id (unknown ids are left out):
    from the reference cache (core.reference), read only; those not cached in one query.
    Never for a check before a write: :func:`users_by_ids` reads the table."""

    async def load(keys: list[str]) -> dict[str, User]:
        rows = await repository.by_ids(session, [int(k.removeprefix("user:")) for k in keys])
        return {f"user:{u.id}": u for u in reference.copies(rows)}

    keys = [f"user:{i}" for i in sorted(set(ids))]
    found = await reference.cached_many(session, keys, load, group="users")
    return {u.id: u for u in found.values()}


async def count_admins(session: AsyncSession, *, active_only: bool = True) -> int:
    return await repository.count_admins(session, active_only=active_only)
