"""DRF's field semantics, for the few field types the django-helpdesk serializers use.

Each field turns one raw input value (JSON value or form string) into a Python value, or
raises :class:`FieldError` with DRF's exact messages. :func:`validate` runs a set of fields
over a body the way a DRF serializer does: required and null checks, form-input rules, and
every field's errors collected in field order.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from polydesk.api.helpdesk.body import Body, is_file
from polydesk.api.helpdesk.errors import REQUIRED
from polydesk.core.emails import EmailNotValidError, normalized_email

SKIP = object()
"""Returned by :meth:`Field.read` for a value that is not given."""

DATETIME_FORMAT_HINT = "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]"
NOT_A_FILE = "The submitted data was not a file. Check the encoding type on the form."

_TRUE = {"t", "T", "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", "1"}
_FALSE = {"f", "F", "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"}
_FALSE |= {"0"}
_NULLS = {"null", "Null", "NULL", ""}
_INTEGER = re.compile(r"\s*[+-]?\d+(?:\.0*)?\s*")
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+\Z")
_DURATION = re.compile(
    r"^(?:(?P<days>-?\d+) (days?, )?)?(?P<sign>-?)((?:(?P<hours>\d+):)(?=\d+:\d+))?"
    r"(?:(?P<minutes>\d+):)?(?P<seconds>\d+)(?:[.,](?P<microseconds>\d{1,6})\d{0,6})?$"
)
_ISO_DURATION = re.compile(
    r"^(?P<sign>[-+]?)P(?:(?P<days>\d+(?:[.,]\d+)?)D)?(?:T(?:(?P<hours>\d+(?:[.,]\d+)?)H)?"
    r"(?:(?P<minutes>\d+(?:[.,]\d+)?)M)?(?:(?P<seconds>\d+(?:[.,]\d+)?)S)?)?$"
)
_URL = (
    r"^(?:[a-z0-9.+-]*)://(?:[^\s:@/]+(?::[^\s:@/]*)?@)?(?:(?:[a-z0-9\u00a1-\uffff]"
    r"(?:[a-z0-9\u00a1-\uffff-]{0,61}[a-z0-9\u00a1-\uffff])?\.)*[a-z\u00a1-\uffff]"
    r"(?:[a-z0-9\u00a1-\uffff-]{0,61}[a-z0-9\u00a1-\uffff])?\.?|localhost|\d{1,3}(?:\.\d{1,3}){3}"
    r"|\[[0-9a-f:.]+\])(?::\d{1,5})?(?:[/?#][^\s]*)?\Z"
)


@functools.cache
def _url_pattern() -> re.Pattern[str]:
    """Compiled on first use: case-insensitive over most of Unicode, it takes 70 ms to
    compile, which every start would pay for a field few requests fill in."""
    return re.compile(_URL, re.IGNORECASE)


class FieldError(Exception):
    def __init__(self, *messages: str) -> None:
        super().__init__(*messages)
        self.messages = list(messages)


def _type_name(value: object) -> str:
    return {bool: "bool", int: "int", float: "float", str: "str", list: "list", dict: "dict"}.get(
        type(value), type(value).__name__
    )


@dataclass
class Field:
    name: str
    required: bool = False
    allow_null: bool = False
    allow_blank: bool = False
    read_only: bool = False
    write_only: bool = False
    label: str | None = None
    help_text: str | None = None
    kind: str = "field"
    """The type DRF's OPTIONS metadata reports (``integer``, ``string``, ``choice`` …)."""

    def parse(self, raw: Any) -> Any:
        return raw

    def html_empty(self) -> Any:
        """What an omitted form field means on a full (non-partial) write."""
        return SKIP

    def read(self, body: Body, *, partial: bool) -> Any:
        """The validated value, or :data:`SKIP`; raises :class:`FieldError`."""
        if not body.has(self.name):
            if partial:
                return SKIP
            value = self.html_empty() if body.is_form else SKIP
            if value is SKIP:
                if self.required:
                    raise FieldError(REQUIRED)
                return SKIP
            return value
        raw = body.get(self.name)
        if body.is_form and raw == "":
            if self.allow_null and not self.allow_blank:
                raw = None
            elif not self.required and not self.allow_blank:
                return SKIP
        if raw is None:
            if not self.allow_null:
                raise FieldError("This field may not be null.")
            return None
        return self.parse(raw)


@dataclass
class CharField(Field):
    max_length: int | None = None
    trim: bool = True
    kind: str = "string"

    def parse(self, raw: Any) -> Any:
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            raise FieldError("Not a valid string.")
        text = str(raw)
        if self.trim:
            text = text.strip()
        if text == "" and not self.allow_blank:
            raise FieldError("This field may not be blank.")
        if self.max_length is not None and len(text) > self.max_length:
            raise FieldError(f"Ensure this field has no more than {self.max_length} characters.")
        return text


@dataclass
class EmailField(CharField):
    kind: str = "email"

    def parse(self, raw: Any) -> Any:
        text = super().parse(raw)
        if text == "":
            return text
        try:
            normalized_email(text)
        except EmailNotValidError as exc:
            raise FieldError("Enter a valid email address.") from exc
        return text


@dataclass
class UrlField(CharField):
    kind: str = "url"

    def parse(self, raw: Any) -> Any:
        text = super().parse(raw)
        if text and (
            not _url_pattern().match(text) or text.split(":", 1)[0].lower() not in _SCHEMES
        ):
            raise FieldError("Enter a valid URL.")
        return text


_SCHEMES = {"http", "https", "ftp", "ftps"}


@dataclass
class SlugField(CharField):
    kind: str = "slug"

    def parse(self, raw: Any) -> Any:
        text = super().parse(raw)
        if text and not _SLUG.match(text):
            raise FieldError(
                'Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.'
            )
        return text


@dataclass
class IpAddressField(CharField):
    kind: str = "string"

    def parse(self, raw: Any) -> Any:
        text = super().parse(raw)
        if text:
            try:
                return str(ipaddress.ip_address(text))
            except ValueError as exc:
                raise FieldError("Enter a valid IPv4 or IPv6 address.") from exc
        return text


@dataclass
class IntegerField(Field):
    kind: str = "integer"

    def parse(self, raw: Any) -> Any:
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            raise FieldError("A valid integer is required.")
        if isinstance(raw, float):
            if not raw.is_integer():
                raise FieldError("A valid integer is required.")
            return int(raw)
        if isinstance(raw, int):
            return raw
        if len(raw) > 1000:
            raise FieldError("String value too large.")
        if not _INTEGER.fullmatch(raw):
            raise FieldError("A valid integer is required.")
        return int(raw.strip().split(".")[0])


@dataclass
class DecimalField(Field):
    max_digits: int | None = None
    decimal_places: int | None = None
    kind: str = "decimal"

    def parse(self, raw: Any) -> Any:
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            raise FieldError("A valid number is required.")
        text = str(raw).strip()
        if len(text) > 1000:
            raise FieldError("String value too large.")
        try:
            value = Decimal(text)
        except InvalidOperation as exc:
            raise FieldError("A valid number is required.") from exc
        if not value.is_finite():
            raise FieldError("A valid number is required.")
        _sign, digit_tuple, exponent = value.as_tuple()
        assert isinstance(exponent, int)
        if exponent >= 0:
            total, places = len(digit_tuple) + exponent, 0
        elif len(digit_tuple) > abs(exponent):
            total, places = len(digit_tuple), abs(exponent)
        else:
            total = places = abs(exponent)
        whole = total - places
        if self.max_digits is not None and total > self.max_digits:
            raise FieldError(
                f"Ensure that there are no more than {self.max_digits} digits in total."
            )
        if self.decimal_places is not None and places > self.decimal_places:
            raise FieldError(
                f"Ensure that there are no more than {self.decimal_places} decimal places."
            )
        if (
            self.max_digits is not None
            and self.decimal_places is not None
            and whole > self.max_digits - self.decimal_places
        ):
            raise FieldError(
                "Ensure that there are no more than "
                f"{self.max_digits - self.decimal_places} digits before the decimal point."
            )
        if self.decimal_places is not None:
            value = value.quantize(Decimal(1).scaleb(-self.decimal_places))
        return value


@dataclass
class BooleanField(Field):
    kind: str = "boolean"

    def html_empty(self) -> Any:
        return False

    def parse(self, raw: Any) -> Any:
        if raw is True or raw is False:
            return raw
        if isinstance(raw, int) and raw in (0, 1):
            return raw == 1
        if isinstance(raw, str):
            if raw in _TRUE:
                return True
            if raw in _FALSE:
                return False
            if self.allow_null and raw in _NULLS:
                return None
        raise FieldError("Must be a valid boolean.")


@dataclass
class ChoiceField(Field):
    choices: Sequence[tuple[Any, str]] = ()
    kind: str = "choice"

    def parse(self, raw: Any) -> Any:
        if raw == "" and self.allow_blank:
            return ""
        by_text = {str(value): value for value, _label in self.choices}
        key = str(raw) if not isinstance(raw, bool) else repr(raw)
        if key not in by_text or isinstance(raw, list | dict | float):
            raise FieldError(f'"{_display(raw)}" is not a valid choice.')
        return by_text[key]


@dataclass
class MultipleChoiceField(ChoiceField):
    """DRF's ``MultipleChoiceField``: a JSON list, or the repeated values of a form field (an
    omitted form field on a full write is the empty list). Repeated choices collapse; the
    order given is kept."""

    kind: str = "multiple choice"

    def html_empty(self) -> Any:
        return []

    def read(self, body: Body, *, partial: bool) -> Any:
        if body.is_form and body.has(self.name):
            items = [item for item in body.getlist(self.name) if item != ""]
            return self.parse(items)
        return super().read(body, partial=partial)

    def parse(self, raw: Any) -> Any:
        if isinstance(raw, str) or not isinstance(raw, list | tuple):
            raise FieldError(f'Expected a list of items but got type "{_type_name(raw)}".')
        if not raw and not self.allow_blank and self.required:
            raise FieldError("This selection may not be empty.")
        chosen: list[Any] = []
        for item in raw:
            value = ChoiceField.parse(self, item)
            if value not in chosen:
                chosen.append(value)
        return chosen


def _display(raw: Any) -> str:
    if raw is True:
        return "True"
    if raw is False:
        return "False"
    return str(raw)


@dataclass
class DateTimeField(Field):
    kind: str = "datetime"

    def parse(self, raw: Any) -> Any:
        error = FieldError(
            f"Datetime has wrong format. Use one of these formats instead: {DATETIME_FORMAT_HINT}."
        )
        if not isinstance(raw, str):
            raise error
        value = parse_datetime(raw.strip())
        if value is None:
            raise error
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass
class DateField(Field):
    kind: str = "date"

    def parse(self, raw: Any) -> Any:
        error = FieldError("Date has wrong format. Use one of these formats instead: YYYY-MM-DD.")
        if not isinstance(raw, str) or not re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", raw.strip()):
            raise error
        try:
            year, month, day = (int(p) for p in raw.strip().split("-"))
            return date(year, month, day)
        except ValueError as exc:
            raise error from exc


@dataclass
class TimeField(Field):
    kind: str = "time"

    def parse(self, raw: Any) -> Any:
        error = FieldError(
            "Time has wrong format. Use one of these formats instead: hh:mm[:ss[.uuuuuu]]."
        )
        if not isinstance(raw, str):
            raise error
        match = re.fullmatch(
            r"(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,](\d{1,6})\d*)?)?", raw.strip()
        )
        if match is None:
            raise error
        hour, minute, second, micro = match.groups()
        try:
            return time(int(hour), int(minute), int(second or 0), int((micro or "0").ljust(6, "0")))
        except ValueError as exc:
            raise error from exc


_DATETIME = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})[T ](?P<hour>\d{1,2}):(?P<minute>\d{1,2})"
    r"(?::(?P<second>\d{1,2})(?:[.,](?P<micro>\d{1,6})\d{0,6})?)?\s*"
    r"(?P<tz>Z|[+-]\d{2}(?::?\d{2})?)?$"
)


def parse_datetime(text: str) -> datetime | None:
    """Django's ``parse_datetime``: ISO 8601 (a date alone is midnight), or its own looser
    pattern (one-digit months and days, a space before the time)."""
    if re.match(r"^\d{4}-\d{2}-\d{2}", text):
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            pass
    match = _DATETIME.match(text)
    if match is None:
        return None
    parts = match.groupdict()
    tz = parts.pop("tz")
    micro = (parts.pop("micro") or "0").ljust(6, "0")
    try:
        value = datetime(
            int(parts["year"]),
            int(parts["month"]),
            int(parts["day"]),
            int(parts["hour"]),
            int(parts["minute"]),
            int(parts["second"] or 0),
            int(micro),
        )
    except ValueError:
        return None
    if tz is None:
        return value
    if tz == "Z":
        return value.replace(tzinfo=UTC)
    digits = tz[1:].replace(":", "")
    offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
    return value.replace(tzinfo=timezone(-offset if tz[0] == "-" else offset))


def parse_duration(text: str) -> timedelta | None:
    """Django's ``parse_duration``: ``[DD] [[HH:]MM:]ss[.uuuuuu]`` or ISO 8601 ``P…``."""
    match = _DURATION.match(text) or _ISO_DURATION.match(text)
    if match is None:
        return None
    parts = match.groupdict()
    sign = -1 if parts.pop("sign", "+") == "-" else 1
    micro = parts.pop("microseconds", None)
    if micro:
        parts["microseconds"] = micro.ljust(6, "0")
    days = timedelta(float((parts.pop("days", None) or "0").replace(",", ".")))
    values = {k: float(v.replace(",", ".")) for k, v in parts.items() if v is not None}
    if match.re is _ISO_DURATION:
        days *= sign
    return days + sign * timedelta(**values)


@dataclass
class DurationField(Field):
    kind: str = "duration"

    def parse(self, raw: Any) -> Any:
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            raw = str(raw)
        value = parse_duration(str(raw).strip())
        if value is None:
            raise FieldError(
                "Duration has wrong format. Use one of these formats instead: "
                "[DD] [HH:[MM:]]ss[.uuuuuu]."
            )
        return value


@dataclass
class PrimaryKeyField(Field):
    """A related object's id; whether it exists is checked by the caller (one query for all)."""

    kind: str = "field"

    def parse(self, raw: Any) -> Any:
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            raise FieldError(f"Incorrect type. Expected pk value, received {_type_name(raw)}.")
        if isinstance(raw, float):
            if raw.is_integer():
                return int(raw)
            raise FieldError(f'Invalid pk "{raw}" - object does not exist.')
        if isinstance(raw, str):
            if not re.fullmatch(r"\s*[+-]?\d+\s*", raw):
                raise FieldError("Incorrect type. Expected pk value, received str.")
            return int(raw)
        return raw


def missing_pk(raw: object) -> str:
    return f'Invalid pk "{raw}" - object does not exist.'


@dataclass
class FileField(Field):
    kind: str = "file upload"

    def read(self, body: Body, *, partial: bool) -> Any:
        if not body.has(self.name):
            if self.required and not partial:
                raise FieldError("No file was submitted.")
            return SKIP
        raw = body.get(self.name)
        if body.is_form and raw == "" and not self.required:
            return SKIP
        if raw is None and self.allow_null:
            return None
        if not is_file(raw):
            raise FieldError(NOT_A_FILE)
        return raw


@dataclass
class FileListField(Field):
    """``ListField(child=FileField())``: errors are keyed by the position of the bad item."""

    kind: str = "list"

    def read(self, body: Body, *, partial: bool) -> Any:
        if not body.has(self.name):
            if self.required and not partial:
                raise FieldError(REQUIRED)
            return SKIP
        items = body.getlist(self.name)
        if not body.is_form:
            items = items[0] if items else []
            if not isinstance(items, list):
                raise FieldError(f'Expected a list of items but got type "{_type_name(items)}".')
        bad = {str(i): [NOT_A_FILE] for i, item in enumerate(items) if not is_file(item)}
        if bad:
            raise IndexedFieldError(bad)
        return items


class IndexedFieldError(FieldError):
    def __init__(self, by_index: dict[str, list[str]]) -> None:
        super().__init__()
        self.by_index = by_index


@dataclass
class Validated:
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, Any] = field(default_factory=dict)

    def add_error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)


def validate(
    fields: Sequence[Field],
    body: Body,
    *,
    partial: bool,
    checks: dict[str, Callable[[Any], str | None]] | None = None,
) -> Validated:
    """Every writable field read from ``body``, errors collected in field order."""
    result = Validated()
    for item in fields:
        if item.read_only:
            continue
        try:
            value = item.read(body, partial=partial)
        except IndexedFieldError as exc:
            result.errors[item.name] = exc.by_index
            continue
        except FieldError as exc:
            result.errors[item.name] = exc.messages
            continue
        if value is SKIP:
            continue
        check = (checks or {}).get(item.name)
        message = check(value) if check is not None and value is not None else None
        if message is not None:
            result.errors[item.name] = [message]
            continue
        result.values[item.name] = value
    return result


def ordered_errors(fields: Sequence[Field], errors: dict[str, Any]) -> dict[str, Any]:
    """Errors in the serializer's field order (unknown keys last)."""
    names = [f.name for f in fields]
    ordered = {name: errors[name] for name in names if name in errors}
    ordered |= {k: v for k, v in errors.items() if k not in ordered}
    return ordered
