"""URL shapes: two prefixes and four suffixes for every operation, resolved before routing.

Every operation answers under ``/v1/`` and ``/external_api/v1/``, with ``.json``, ``.js``,
``.xml`` or no suffix. Rather than registering each route eight times, :class:`GaPaths` (an
ASGI middleware over this surface's paths only) takes the prefix and the suffix off the path,
routes ``/v1/<apiname>``, and leaves what it took in a :class:`GaContext` in the ASGI scope.
The ``*_link`` fields of an answer use the prefix the request came in on, so every link is
reachable the way the caller already reaches the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from starlette.requests import HTTPConnection

if TYPE_CHECKING:
    from polydesk.domains.integration.schemas import Principal
    from polydesk.domains.ratelimit.schemas import RateState

CANONICAL_PREFIX = "/v1"
PREFIXES = ("/v1", "/external_api/v1")
SCOPE_KEY = "polydesk.gotoassist"


class Format(StrEnum):
    JSON = "json"
    JS = "js"
    XML = "xml"
    NONE = ""

    @property
    def is_xml(self) -> bool:
        return self is Format.XML

    @property
    def suffix(self) -> str:
        return f".{self.value}" if self.value else ""


SUFFIXES = {".json": Format.JSON, ".js": Format.JS, ".xml": Format.XML}


@dataclass(slots=True)
class GaContext:
    prefix: str
    """``/v1`` or ``/external_api/v1``: what the caller used, and what links use."""
    format: Format
    principal: Principal | None = None
    rate: RateState | None = None


def split_path(path: str) -> tuple[str, str, Format] | None:
    """``/external_api/v1/incidents/7.xml`` → ``("/external_api/v1", "/v1/incidents/7",
    Format.XML)``; ``None`` for a path outside this surface."""
    prefix = next(
        (
            p
            for p in sorted(PREFIXES, key=len, reverse=True)
            if path == p or path.startswith(p + "/")
        ),
        None,
    )
    if prefix is None:
        return None
    rest = path[len(prefix) :]
    fmt = Format.NONE
    last = rest.rsplit("/", 1)[-1]
    for suffix, candidate in SUFFIXES.items():
        if last.lower().endswith(suffix) and len(last) > len(suffix):
            rest = rest[: -len(suffix)]
            fmt = candidate
            break
    return prefix, CANONICAL_PREFIX + rest, fmt


def context(conn: HTTPConnection) -> GaContext:
    """The request's context; a default (``/v1``, JSON) for a path the middleware did not see."""
    found = conn.scope.get(SCOPE_KEY)
    if isinstance(found, GaContext):
        return found
    split = split_path(conn.scope.get("path", ""))
    if split is None:
        return GaContext(prefix=CANONICAL_PREFIX, format=Format.NONE)
    return GaContext(prefix=split[0], format=split[2])
