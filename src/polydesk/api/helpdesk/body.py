"""Request bodies as DRF parses them: JSON, urlencoded and multipart are all accepted.

A form body is a multi-valued mapping of strings (and, for multipart, files); a JSON body is
one object. :class:`Body` hides the difference, and :attr:`Body.is_form` keeps the one that
matters for validation (an omitted form boolean is ``false``, an empty form value means
"not given", as a browser form sends them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import UploadFile
from starlette.requests import Request

from polydesk.api.helpdesk.errors import detail, invalid

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
JSON_TYPE = "application/json"


@dataclass
class Body:
    values: dict[str, list[Any]] = field(default_factory=dict)
    is_form: bool = False

    def has(self, name: str) -> bool:
        return name in self.values

    def get(self, name: str) -> Any:
        items = self.values.get(name)
        if not items:
            return None
        return items[-1] if self.is_form else items[0]

    def getlist(self, name: str) -> list[Any]:
        return list(self.values.get(name, []))

    def files(self) -> list[UploadFile]:
        return [v for items in self.values.values() for v in items if isinstance(v, UploadFile)]


def is_file(value: object) -> bool:
    return isinstance(value, UploadFile)


async def read_body(request: Request) -> Body:
    """The parsed body; 400 on malformed JSON, 415 on a type DRF would not parse."""
    raw_type = request.headers.get("content-type", "")
    media_type = raw_type.split(";", 1)[0].strip().lower()
    if not media_type:
        await request.body()
        return Body()
    if media_type == JSON_TYPE or media_type.endswith("+json"):
        raw = await request.body()
        if not raw.strip():
            return Body()
        try:
            data = json.loads(raw)
        except UnicodeDecodeError as exc:
            raise detail(400, f"JSON parse error - {exc}") from exc
        except json.JSONDecodeError as exc:
            raise detail(400, f"JSON parse error - {exc}") from exc
        if not isinstance(data, dict):
            kind = {list: "list", str: "str", int: "int", float: "float", bool: "bool"}.get(
                type(data), "NoneType" if data is None else type(data).__name__
            )
            raise invalid(
                {"non_field_errors": [f"Invalid data. Expected a dictionary, but got {kind}."]}
            )
        return Body({k: [v] for k, v in data.items()}, is_form=False)
    if media_type == FORM_TYPES[0]:
        raw = await request.body()
        values: dict[str, list[Any]] = {}
        try:
            text = raw.decode()
        except UnicodeDecodeError as exc:
            raise detail(400, "Malformed request.") from exc
        for key, value in parse_qsl(text, keep_blank_values=True):
            values.setdefault(key, []).append(value)
        return Body(values, is_form=True)
    if media_type == FORM_TYPES[1]:
        try:
            form = await request.form(max_files=100, max_fields=1000)
        except Exception as exc:  # python-multipart and Starlette raise several types
            raise detail(400, f"Multipart form parse error - {exc}") from exc
        parts: dict[str, list[Any]] = {}
        for name, part in form.multi_items():
            parts.setdefault(name, []).append(part)
        return Body(parts, is_form=True)
    raise detail(415, f'Unsupported media type "{raw_type}" in request.')
