"""DRF's ``PageNumberPagination`` as django-helpdesk configures it (``ConservativePagination``).

``page_size`` 25 by default, ``?page_size=`` honoured (an invalid or non-positive value falls
back to 25; Polydesk caps it at :data:`MAX_PAGE_SIZE` to bound the cost of one request);
``?page=`` counts from 1 and also takes ``last``; a page past the end is 404 "Invalid page.".
``next``/``previous`` are absolute URLs of the request with ``page`` replaced (and dropped for
page 1), query parameters sorted, as DRF builds them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request

from polydesk.api.helpdesk.errors import INVALID_PAGE, detail

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 1000


@dataclass(frozen=True, slots=True)
class PageRequest:
    number: int | None
    """``None`` for ``last``: known only once the total is."""
    size: int

    def offset(self, total: int) -> int:
        return (self.resolve(total) - 1) * self.size

    def pages(self, total: int) -> int:
        return max(1, -(-total // self.size))

    def resolve(self, total: int) -> int:
        number = self.pages(total) if self.number is None else self.number
        if number > self.pages(total):
            raise detail(404, INVALID_PAGE)
        return number


def _positive(raw: str | None) -> int | None:
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        return None
    return value if value > 0 else None


def page_request(request: Request) -> PageRequest:
    size = min(_positive(request.query_params.get("page_size")) or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    raw = request.query_params.get("page", "1")
    if raw == "last":
        return PageRequest(None, size)
    try:
        number = int(raw)
    except ValueError:
        raise detail(404, INVALID_PAGE) from None
    if number < 1:
        raise detail(404, INVALID_PAGE)
    return PageRequest(number, size)


def _url(request: Request, page: int | None) -> str:
    params = [
        (k, v) for k, v in parse_qsl(request.url.query, keep_blank_values=True) if k != "page"
    ]
    if page is not None:
        params.append(("page", str(page)))
    query = urlencode(sorted(params))
    base = str(request.url.replace(query=""))
    base = base.rstrip("?")
    return f"{base}?{query}" if query else base


def envelope(request: Request, page: PageRequest, total: int, results: list[Any]) -> dict[str, Any]:
    number = page.resolve(total)
    pages = page.pages(total)
    previous: str | None = None
    if number > 1:
        previous = _url(request, None if number - 1 == 1 else number - 1)
    return {
        "count": total,
        "next": _url(request, number + 1) if number < pages else None,
        "previous": previous,
        "results": results,
    }
