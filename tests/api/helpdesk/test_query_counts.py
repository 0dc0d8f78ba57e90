"""A page of tickets, follow-ups or attachments costs the same number of queries whatever its
size (no N+1)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from polydesk.core.db import Database
from tests.api.helpdesk.conftest import World, create_ticket


@pytest.fixture
def statements(db: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    yield seen
    event.remove(db.engine.sync_engine, "before_cursor_execute", record)


async def _cost(client: httpx.AsyncClient, world: World, seen: list[str], path: str) -> int:
    """Statements of the page once the per-process caches are warm: the fewest of two reads,
    as an entry of the reference cache may expire between them on a slow machine."""
    await client.get(path, auth=world.staff_auth)  # warm the credential and reference caches
    costs = []
    for _ in range(2):
        seen.clear()
        response = await client.get(path, auth=world.staff_auth)
        assert response.status_code == 200
        costs.append(len(seen))
    return min(costs)


@pytest.mark.parametrize("path", ["/api/tickets/", "/api/followups/"])
async def test_list_cost_does_not_grow_with_the_page(
    client: httpx.AsyncClient, world: World, statements: list[str], path: str
) -> None:
    for _ in range(2):
        await create_ticket(client, world, assigned_to=world.staff.id)
    small = await _cost(client, world, statements, path)
    for _ in range(6):
        await create_ticket(client, world, assigned_to=world.admin.id)
    large = await _cost(client, world, statements, path)
    assert large == small
