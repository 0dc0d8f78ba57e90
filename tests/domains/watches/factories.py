"""Configuration items to watch and link to, inserted directly."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.models import ConfigItem, ConfigType

_counter = 0


async def make_config_item(session: AsyncSession, *, name: str | None = None) -> ConfigItem:
    global _counter
    _counter += 1
    config_type = ConfigType(name=f"Type {_counter}", name_key=f"type {_counter}")
    session.add(config_type)
    await session.flush()
    item = ConfigItem(name=name or f"Item {_counter}", config_type_id=config_type.id)
    session.add(item)
    await session.flush()
    return item
