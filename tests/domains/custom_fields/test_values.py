"""Validation of each field type, and reading values back."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from polydesk.core.enums import CustomFieldType as T
from polydesk.core.errors import Invalid
from polydesk.domains.custom_fields.schemas import CleanValue
from polydesk.domains.custom_fields.service import typed_value, validate_value
from polydesk.models import CustomField


def field(
    field_type: T,
    *,
    choices: list[str] | None = None,
    max_length: int | None = None,
    decimal_places: int | None = None,
) -> CustomField:
    return CustomField(
        kind="incident",
        name="My Field",
        name_key="my field",
        slug="my_field",
        label="My Field",
        field_type=field_type.value,
        required=False,
        choices=choices or [],
        max_length=max_length,
        decimal_places=decimal_places,
    )


VALID: list[tuple[CustomField, Any, CleanValue, Any]] = [
    (field(T.TEXT), "  hello ", CleanValue("hello"), "hello"),
    (field(T.TEXT), 111, CleanValue("111"), "111"),
    (field(T.TEXT, max_length=3), "abc", CleanValue("abc"), "abc"),
    (field(T.TEXTAREA), "line 1\nline 2\n", CleanValue("line 1\nline 2\n"), "line 1\nline 2\n"),
    (field(T.NUMBER), 42, CleanValue("42", 42.0), 42),
    (field(T.NUMBER), " -7 ", CleanValue("-7", -7.0), -7),
    (field(T.NUMBER), 110.0, CleanValue("110", 110.0), 110),
    (field(T.NUMBER), "+3", CleanValue("3", 3.0), 3),
    (field(T.DECIMAL), 110.1, CleanValue("110.1", 110.1), Decimal("110.1")),
    (field(T.DECIMAL), "42.987", CleanValue("42.987", 42.987), Decimal("42.987")),
    (field(T.DECIMAL), 5, CleanValue("5", 5.0), Decimal("5")),
    (
        field(T.DECIMAL, decimal_places=2),
        "2.345",
        CleanValue("2.35", 2.35),
        Decimal("2.35"),
    ),
    (field(T.DECIMAL, decimal_places=2), 3, CleanValue("3.00", 3.0), Decimal("3.00")),
    (field(T.DECIMAL, decimal_places=0), "-2.5", CleanValue("-3", -3.0), Decimal("-3")),
    (
        field(T.DECIMAL, decimal_places=2, max_length=5),
        "999.994",
        CleanValue("999.99", 999.99),
        Decimal("999.99"),
    ),
    (field(T.DECIMAL), Decimal("1E+2"), CleanValue("100", 100.0), Decimal("100")),
    (field(T.LIST, choices=["Red", "Blue"]), "Blue", CleanValue("Blue"), "Blue"),
    (field(T.LIST, choices=["Red", "Blue"]), " red ", CleanValue("Red"), "Red"),
    (field(T.LIST, choices=["1", "2"]), 1, CleanValue("1"), "1"),
    (field(T.LIST, choices=["1", "2"]), 2.0, CleanValue("2"), "2"),
    (field(T.LIST, choices=["1.5"]), 1.5, CleanValue("1.5"), "1.5"),
    (field(T.BOOLEAN), True, CleanValue("true", value_bool=True), True),
    (field(T.BOOLEAN), False, CleanValue("false", value_bool=False), False),
    (field(T.BOOLEAN), "TRUE", CleanValue("true", value_bool=True), True),
    (field(T.BOOLEAN), "false", CleanValue("false", value_bool=False), False),
    (field(T.BOOLEAN), 1, CleanValue("true", value_bool=True), True),
    (field(T.BOOLEAN), 0, CleanValue("false", value_bool=False), False),
    (field(T.BOOLEAN), "1", CleanValue("true", value_bool=True), True),
    (field(T.BOOLEAN), "0", CleanValue("false", value_bool=False), False),
    (field(T.DATE), "2026-11-01", CleanValue("2026-11-01"), date(2026, 11, 1)),
    (field(T.DATE), date(2026, 2, 28), CleanValue("2026-02-28"), date(2026, 2, 28)),
    (field(T.TIME), "09:30", CleanValue("09:30:00"), time(9, 30)),
    (field(T.TIME), "23:59:58", CleanValue("23:59:58"), time(23, 59, 58)),
    (field(T.TIME), time(7, 5, 1), CleanValue("07:05:01"), time(7, 5, 1)),
    (
        field(T.DATETIME),
        "2026-07-15T13:04",
        CleanValue(
            "2026-07-15T13:04:00+00:00", datetime(2026, 7, 15, 13, 4, tzinfo=UTC).timestamp()
        ),
        datetime(2026, 7, 15, 13, 4, tzinfo=UTC),
    ),
    (
        field(T.DATETIME),
        "2027-01-15T09:30:00+02:00",
        CleanValue(
            "2027-01-15T07:30:00+00:00", datetime(2027, 1, 15, 7, 30, tzinfo=UTC).timestamp()
        ),
        datetime(2027, 1, 15, 7, 30, tzinfo=UTC),
    ),
    (
        field(T.DATETIME),
        "2026-12-01T10:00:00Z",
        CleanValue("2026-12-01T10:00:00+00:00", datetime(2026, 12, 1, 10, tzinfo=UTC).timestamp()),
        datetime(2026, 12, 1, 10, tzinfo=UTC),
    ),
    (
        field(T.DATETIME),
        datetime(2026, 1, 1, 5, 0, tzinfo=timezone(timedelta(hours=-5))),
        CleanValue("2026-01-01T10:00:00+00:00", datetime(2026, 1, 1, 10, tzinfo=UTC).timestamp()),
        datetime(2026, 1, 1, 10, tzinfo=UTC),
    ),
    (field(T.EMAIL), " Tim@Example.COM ", CleanValue("Tim@example.com"), "Tim@example.com"),
    (field(T.URL), "https://example.com/a?b=c", CleanValue("https://example.com/a?b=c"), None),
    (field(T.URL), "HTTP://example.com:8080", CleanValue("HTTP://example.com:8080"), None),
    (field(T.IPADDRESS), "192.168.0.107", CleanValue("192.168.0.107"), "192.168.0.107"),
    (field(T.IPADDRESS), "2001:DB8:0:0::1", CleanValue("2001:db8::1"), "2001:db8::1"),
    (field(T.SLUG), "my-slug_2", CleanValue("my-slug_2"), "my-slug_2"),
]


@pytest.mark.parametrize(("definition", "raw", "clean", "typed"), VALID)
def test_valid_values(definition: CustomField, raw: Any, clean: CleanValue, typed: Any) -> None:
    assert validate_value(definition, raw) == clean
    expected = clean.value_text if typed is None else typed
    result = typed_value(definition, clean)
    assert result == expected and type(result) is type(expected)


INVALID: list[tuple[CustomField, Any, str]] = [
    (field(T.TEXT), True, "text"),
    (field(T.TEXT), ["a"], "text"),
    (field(T.TEXT), "a\x00b", "NUL"),
    (field(T.TEXT, max_length=3), "abcd", "at most 3 characters"),
    (field(T.TEXTAREA, max_length=2), "abc", "at most 2 characters"),
    (field(T.NUMBER), "1.5", "a whole number"),
    (field(T.NUMBER), 1.5, "a whole number"),
    (field(T.NUMBER), "ten", "a whole number"),
    (field(T.NUMBER), True, "a whole number"),
    (field(T.NUMBER), "١٢", "a whole number"),
    (field(T.NUMBER), 2**64, "a whole number between"),
    (field(T.DECIMAL), "abc", "a decimal number"),
    (field(T.DECIMAL), "NaN", "a decimal number"),
    (field(T.DECIMAL), float("inf"), "a decimal number"),
    (field(T.DECIMAL), False, "a decimal number"),
    (field(T.DECIMAL, decimal_places=2, max_length=4), "123.45", "at most 4 digits"),
    (field(T.LIST, choices=["Red", "Blue"]), "Purple", "not a valid choice"),
    (field(T.LIST, choices=["1", "2"]), 3, "not a valid choice"),
    (field(T.LIST, choices=["true"]), True, "not a valid choice"),
    (field(T.BOOLEAN), "yes please", "true or false"),
    (field(T.BOOLEAN), 2, "true or false"),
    (field(T.BOOLEAN), None, "needs a value"),
    (field(T.DATE), "01/11/2026", "a date (YYYY-MM-DD)"),
    (field(T.DATE), "2026-02-30", "a date (YYYY-MM-DD)"),
    (field(T.DATE), "20261101", "a date (YYYY-MM-DD)"),
    (field(T.DATE), datetime(2026, 1, 1), "a date (YYYY-MM-DD)"),
    (field(T.TIME), "24:00", "a time"),
    (field(T.TIME), "9:30", "a time"),
    (field(T.TIME), "09:30:00+02:00", "a time"),
    (field(T.DATETIME), "yesterday", "ISO 8601"),
    (field(T.DATETIME), "2026-13-01T00:00", "ISO 8601"),
    (field(T.DATETIME), 1756304676767, "ISO 8601"),
    (field(T.EMAIL), "not-an-address", "an e-mail address"),
    (field(T.EMAIL), "a@b", "an e-mail address"),
    (field(T.URL), "ftp://example.com", "an http or https URL"),
    (field(T.URL), "https://", "an http or https URL"),
    (field(T.URL), "https://exa mple.com", "an http or https URL"),
    (field(T.URL), "example.com", "an http or https URL"),
    (field(T.URL), "http://example.com:99999", "an http or https URL"),
    (field(T.URL, max_length=10), "https://example.com", "at most 10 characters"),
    (field(T.IPADDRESS), "300.1.1.1", "an IPv4 or IPv6 address"),
    (field(T.IPADDRESS), "localhost", "an IPv4 or IPv6 address"),
    (field(T.SLUG), "not a slug", "a slug"),
    (field(T.SLUG), "ünï", "a slug"),
    (field(T.TEXT), "   ", "needs a value"),
]


@pytest.mark.parametrize(("definition", "raw", "expected"), INVALID)
def test_invalid_values(definition: CustomField, raw: Any, expected: str) -> None:
    with pytest.raises(Invalid) as info:
        validate_value(definition, raw)
    assert info.value.field == "custom:my_field"
    assert "'My Field'" in info.value.message
    assert expected in info.value.message
