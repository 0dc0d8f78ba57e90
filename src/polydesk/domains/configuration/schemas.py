"""Inputs and outputs of the configuration services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field

from polydesk.core.enums import CustomFieldType
from polydesk.domains.configuration.enums import Direction, RelationshipStrength
from polydesk.models import ConfigItem, ConfigRelationship, ConfigRelationshipType, ConfigType


class AttributeDefinition(BaseModel):
    """One attribute a config type defines for its items."""

    name: str
    field_type: CustomFieldType = CustomFieldType.TEXT
    required: bool = False
    choices: list[str] | None = None
    """Allowed values of a ``list`` attribute; any text when omitted."""


class ConfigTypeCreate(BaseModel):
    name: str
    description: str | None = None
    parent_id: int | None = None
    attributes: list[AttributeDefinition] = Field(default_factory=list)


class ConfigTypeUpdate(BaseModel):
    name: str | None = None
    description: str | None = None
    parent_id: int | None = None
    """``None`` (given) makes the type top-level."""
    attributes: list[AttributeDefinition] | None = None
    """Replaces the whole list. Existing items are checked against it when next written."""


class ConfigItemCreate(BaseModel):
    name: str
    config_type_id: int
    description: str | None = None
    asset_model: str | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)
    """Values by attribute name (matched ignoring case); ``None`` means not set."""


class ConfigItemUpdate(BaseModel):
    name: str | None = None
    config_type_id: int | None = None
    description: str | None = None
    asset_model: str | None = None
    attributes: dict[str, Any] | None = None
    """Merged into the stored values: a given name is set, ``None`` removes it, others stay."""


class RelationshipTypeCreate(BaseModel):
    name: str
    reverse_name: str | None = None
    strength: RelationshipStrength = RelationshipStrength.SOFT


class RelationshipTypeUpdate(BaseModel):
    name: str | None = None
    reverse_name: str | None = None
    strength: RelationshipStrength | None = None


class RelationshipCreate(BaseModel):
    relationship_type_id: int
    source_id: int
    target_id: int


@dataclass(frozen=True, slots=True)
class ConfigTypeDetails:
    config_type: ConfigType
    parent: ConfigType | None
    children: list[ConfigType]


@dataclass(frozen=True, slots=True)
class RelatedItem:
    """One relationship of an item, seen from that item."""

    relationship: ConfigRelationship
    relationship_type: ConfigRelationshipType
    item: ConfigItem
    """The item at the other end."""
    direction: Direction

    @property
    def label(self) -> str:
        """``depends on`` from the source; ``is depended on by`` (the reverse name, or the
        name when there is none) from the target."""
        if self.direction is Direction.INCOMING and self.relationship_type.reverse_name:
            return self.relationship_type.reverse_name
        return self.relationship_type.name
