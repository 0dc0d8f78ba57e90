from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from polydesk.core.db import Database
from tests.factories import make_user


async def test_the_database_refuses_usernames_differing_only_in_case(db: Database) -> None:
    """The rule holds even for writes that skip the service's own check."""
    async with db.unit_of_work() as session:
        await make_user(session, username="Dana")
    with pytest.raises(IntegrityError):
        async with db.unit_of_work() as session:
            await make_user(session, username="dANA")
