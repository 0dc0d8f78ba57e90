"""Request parameters: wrapped bodies in JSON, XML or form encoding, ids, typed fields and the
list parameters.

Bodies: ``{"incident": {…}}`` (JSON), ``<incident>…</incident>`` (XML) or
``incident[title]=…`` (form-encoded or in the query string, Rails-style nested keys) are
merged, JSON or XML first, then the form, then the query string. An unwrapped body (the
fields at the top level) is accepted too. Field values may be strings wherever a number or a
boolean is expected; an empty string clears a value.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any, Final
from urllib.parse import parse_qsl

import orjson
from starlette.requests import Request

from polydesk.api.gotoassist import xml
from polydesk.api.gotoassist.envelope import invalid, not_found

MAX_ID = 2**63 - 1
DEFAULT_LIMIT = 10
MAX_LIMIT = 1000
"""Larger limits are served as this many (clients ask for 500)."""
ORDERS = ("created_at", "due_date", "last_active_at", "priority")
DEFAULT_ORDER = "due_date"


class _Unset(Enum):
    """The type of :data:`UNSET`: a key absent from the request (not the same as ``None``,
    which is a key given empty, to clear a value)."""

    UNSET = "UNSET"


UNSET: Final = _Unset.UNSET
_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_XML_TYPES = ("application/xml", "text/xml")
_FORM_TYPE = "application/x-www-form-urlencoded"


# Bodies --------------------------------------------------------------------------------------


def _nested(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """``[("incident[title]", "x")]`` → ``{"incident": {"title": "x"}}``; ``a[]`` appends."""
    result: dict[str, Any] = {}
    for raw_key, value in pairs:
        match = _KEY.match(raw_key)
        if match is None:
            continue
        parts = [match.group(1), *re.findall(r"\[([^\[\]]*)\]", match.group(2))]
        node: dict[str, Any] = result
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if last:
                if part == "":
                    continue
                node[part] = value
            elif parts[i + 1] == "" and i + 1 == len(parts) - 1:
                existing = node.get(part)
                if not isinstance(existing, list):
                    existing = node[part] = []
                existing.append(value)
                break
            else:
                child = node.get(part)
                if not isinstance(child, dict):
                    child = node[part] = {}
                node = child
    return result


async def read_body(request: Request) -> dict[str, Any]:
    """The body as a mapping: ``{}`` when empty. Not JSON, XML or a form → ``[E400]``."""
    raw = await request.body()
    if not raw.strip():
        return {}
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    looks_xml = raw.lstrip()[:1] == b"<"
    if content_type in _XML_TYPES or (looks_xml and content_type != _FORM_TYPE):
        try:
            return xml.loads(raw)
        except xml.XmlBodyError as exc:
            raise invalid(str(exc)) from None
    if content_type == _FORM_TYPE:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise invalid("the request body is not valid UTF-8") from None
        return _nested(parse_qsl(text, keep_blank_values=True))
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise invalid("the request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise invalid("the request body must be an object")
    return body


def unwrap(body: Mapping[str, Any], wrapper: str, *aliases: str) -> dict[str, Any]:
    """The fields under the singular wrapper (or an alias); the body itself when it has none."""
    for key in (wrapper, *aliases):
        if key in body:
            value = body[key]
            if value is None or value == "":
                return {}
            if not isinstance(value, dict):
                raise invalid(f"{wrapper} must be an object")
            return dict(value)
    return dict(body)


async def read_fields(request: Request, wrapper: str, *aliases: str) -> dict[str, Any]:
    """The request's fields for ``wrapper``: body (JSON/XML) over form over query string."""
    query = _nested(request.query_params.multi_items())
    fields: dict[str, Any] = {}
    for key in (wrapper, *aliases):
        if isinstance(query.get(key), dict):
            fields.update(query[key])
    fields.update(unwrap(await read_body(request), wrapper, *aliases))
    return fields


# Scalars -------------------------------------------------------------------------------------


def to_id(value: Any) -> int | None:
    """A positive id from a JSON number or a numeric string; ``None`` otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer() and math.isfinite(value):
        number = int(value)
    elif isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 20:
        number = int(value.strip())
    else:
        return None
    return number if 0 < number <= MAX_ID else None


def path_id(value: str, resource: str) -> int:
    """A record id from the path; anything else is ``[E400] no <resource> found``."""
    number = to_id(value)
    if number is None:
        raise not_found(resource)
    return number


def ref_id(fields: Mapping[str, Any], key: str) -> int | _Unset | None:
    """An id field: ``UNSET`` when absent, ``None`` when empty (clear), else the id."""
    if key not in fields:
        return UNSET
    value = fields[key]
    if value is None or value == "":
        return None
    if isinstance(value, dict) and "id" in value:
        value = value["id"]
    number = to_id(value)
    if number is None:
        raise invalid(f"{key} is invalid")
    return number


def integer(fields: Mapping[str, Any], key: str) -> int | _Unset | None:
    if key not in fields:
        return UNSET
    value = fields[key]
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise invalid(f"{key} is not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d{1,18}\s*", value):
        return int(value)
    raise invalid(f"{key} is not a number")


_TRUE = {"true", "1", "yes", "on", "t", "y"}
_FALSE = {"false", "0", "no", "off", "f", "n"}


def parse_bool(value: Any, key: str) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise invalid(f"{key} is invalid")


def boolean(fields: Mapping[str, Any], key: str) -> bool | _Unset | None:
    if key not in fields:
        return UNSET
    return parse_bool(fields[key], key)


def text(fields: Mapping[str, Any], key: str) -> str | _Unset | None:
    """A string field; numbers are taken as their text, objects and lists are invalid."""
    if key not in fields:
        return UNSET
    value = fields[key]
    if value is None:
        return None
    if isinstance(value, bool) or isinstance(value, dict | list):
        raise invalid(f"{key} is invalid")
    return str(value)


def parse_datetime(value: Any, key: str) -> datetime | None:
    """ISO 8601 (naive = UTC); ``""`` and ``null`` mean no date."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise invalid(f"{key} is invalid")
    raw = value.strip()
    if raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise invalid(f"{key} is invalid") from None
    if not 1900 <= parsed.year <= 9999:
        raise invalid(f"{key} is invalid")
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def date_time(fields: Mapping[str, Any], key: str) -> datetime | _Unset | None:
    if key not in fields:
        return UNSET
    return parse_datetime(fields[key], key)


# Lists ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ListParams:
    limit: int
    page: int
    order: str
    service_ids: list[int] | None
    selected_user_id: int | None
    include_watchlisted: bool
    report_id: int | None

    @property
    def offset(self) -> int:
        return page_offset(self.limit, self.page)

    def total_pages(self, total: int) -> int:
        return max(math.ceil(total / self.limit), 0)


def _query_int(request: Request, key: str, default: int, minimum: int) -> int:
    raw = request.query_params.get(key, "").strip()
    if not raw:
        return default
    if not re.fullmatch(r"[+-]?\d{1,18}", raw):
        raise invalid(f"{key} is not a number")
    value = int(raw)
    if value < minimum:
        raise invalid(f"{key} must be greater than or equal to {minimum}")
    return value


def _query_id(request: Request, key: str) -> int | None:
    raw = request.query_params.get(key, "").strip()
    if not raw:
        return None
    number = to_id(raw)
    if number is None:
        raise invalid(f"{key} is invalid")
    return number


def service_ids_param(request: Request) -> list[int] | None:
    raw: list[str] = []
    for key, value in request.query_params.multi_items():
        if key in ("service_ids", "service_ids[]"):
            raw.extend(part for part in re.split(r"[,\s]+", value) if part)
    if not raw:
        return None
    ids = [to_id(part) for part in raw]
    if any(i is None for i in ids):
        raise invalid("service_ids is invalid")
    return [i for i in ids if i is not None]


def list_params(request: Request) -> ListParams:
    """``limit`` (10), ``page`` (1), ``order`` (due_date), ``service_ids``,
    ``selected_user_id``, ``include_watchlisted``, ``report_id``."""
    order = request.query_params.get("order", "").strip().lower().replace(" ", "_")
    if order and order not in ORDERS:
        raise invalid(f"order must be one of {', '.join(ORDERS)}")
    return ListParams(
        limit=min(_query_int(request, "limit", DEFAULT_LIMIT, 1), MAX_LIMIT),
        page=_query_int(request, "page", 1, 1),
        order=order or DEFAULT_ORDER,
        service_ids=service_ids_param(request),
        selected_user_id=_query_id(request, "selected_user_id"),
        include_watchlisted=bool(
            parse_bool(request.query_params.get("include_watchlisted"), "include_watchlisted")
        ),
        report_id=_query_id(request, "report_id"),
    )


MAX_OFFSET = 2**31 - 1
"""Pages beyond this many rows are empty (and cost no large offset in SQL)."""


def page_offset(limit: int, page: int) -> int:
    return min((page - 1) * limit, MAX_OFFSET)


def page_params(request: Request) -> tuple[int, int]:
    """``limit`` and ``page`` alone, for the lists that take no other filter."""
    return (
        min(_query_int(request, "limit", DEFAULT_LIMIT, 1), MAX_LIMIT),
        _query_int(request, "page", 1, 1),
    )
