"""XML in the layout of Rails' ``Hash#to_xml``, and safe parsing of XML request bodies.

Output: ``<?xml version="1.0" encoding="UTF-8"?><hash><result>…</result><version>1.0</version>
<status>Success</status></hash>``. Element names are the JSON keys, underscored as in JSON.
Integers carry ``type="integer"``, booleans ``type="boolean"``, null values ``nil="true"``, and
lists ``type="array"`` with one child per item named by the singular of the list's name. An
item that is already wrapped in that singular name (``"watches": [{"watch": {…}}]``) is not
wrapped twice. Keys that are not XML names (custom field names with spaces) have every
character that may not appear in a name replaced by ``_``.

Input: parsed with defusedxml, which refuses DTDs, entity declarations and external
references, so entity bombs and external entities are errors, never expansions.
"""

from __future__ import annotations

import re
from typing import Any
from xml.etree.ElementTree import Element, ParseError, SubElement, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

_NAME_START = re.compile(r"[A-Za-z_]")
_NAME_CHAR = re.compile(r"[^A-Za-z0-9_.\-]")
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
MAX_DEPTH = 32


class XmlBodyError(ValueError):
    """The body is not XML this surface accepts."""


def element_name(key: str) -> str:
    name = _NAME_CHAR.sub("_", key) or "_"
    if not _NAME_START.match(name) or name.lower().startswith("xml"):
        name = "_" + name
    return name


def singular(name: str) -> str:
    """``incidents`` → ``incident``, ``time_entries`` → ``time_entry``, ``watches`` →
    ``watch``; names that are not plural get ``item``-less treatment (returned as given)."""
    for suffix, replacement in (
        ("ies", "y"),
        ("sses", "ss"),
        ("uses", "us"),
        ("ches", "ch"),
        ("shes", "sh"),
        ("xes", "x"),
    ):
        if name.endswith(suffix):
            return name[: -len(suffix)] + replacement
    if name.endswith("s") and len(name) > 1:
        return name[:-1]
    return name


def _text(value: str) -> str:
    return _ILLEGAL.sub("\ufffd", value)


def _fill(element: Element, value: Any) -> None:
    if value is None:
        element.set("nil", "true")
    elif isinstance(value, bool):
        element.set("type", "boolean")
        element.text = "true" if value else "false"
    elif isinstance(value, int):
        element.set("type", "integer")
        element.text = str(value)
    elif isinstance(value, float):
        element.set("type", "float")
        element.text = repr(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            _fill(SubElement(element, element_name(str(key))), item)
    elif isinstance(value, list | tuple):
        element.set("type", "array")
        item_name = element_name(singular(element.tag))
        for item in value:
            if (
                isinstance(item, dict)
                and len(item) == 1
                and element_name(next(iter(item))) == (item_name)
            ):
                item = next(iter(item.values()))
            _fill(SubElement(element, item_name), item)
    else:
        element.text = _text(str(value))


def dumps(payload: dict[str, Any], *, root: str = "hash") -> bytes:
    element = Element(root)
    _fill(element, payload)
    body: bytes = tostring(element, encoding="unicode").encode("utf-8")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body


def _convert(element: Element, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise XmlBodyError("the XML body is nested too deeply")
    if element.get("nil") == "true":
        return None
    children = list(element)
    if element.get("type") == "array":
        return [_convert(child, depth + 1) for child in children]
    if not children:
        return (element.text or "").strip()
    grouped: dict[str, list[Any]] = {}
    for child in children:
        grouped.setdefault(child.tag, []).append(_convert(child, depth + 1))
    return {tag: values[0] if len(values) == 1 else values for tag, values in grouped.items()}


def loads(body: bytes) -> dict[str, Any]:
    """``<incident><title>x</title></incident>`` → ``{"incident": {"title": "x"}}``. A
    ``<hash>`` root is unwrapped. Values are strings (or ``None``, lists, dicts): the fields
    accept numbers and booleans given as strings."""
    try:
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise XmlBodyError("the request body is not well-formed XML") from exc
    value = _convert(root, 0)
    if root.tag == "hash" and isinstance(value, dict):
        return value
    return {root.tag: value}
