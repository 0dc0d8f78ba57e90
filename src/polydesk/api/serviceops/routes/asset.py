"""G2 assets over configuration items: ``POST /api/v1/asset`` (documented),
``GET``/``PATCH``/``DELETE /api/v1/asset/{id}`` (the path's id is the numeric ``id``;
``assetId`` is the display name ``AST-<id>``).

- ``name``, ``assetTypeName`` and ``type`` are compulsory on create. ``assetTypeName`` names a
  config type by its path from the top, joined with ``$`` (``Hardware$Laptop``; a top-level
  type by its name alone). ``type`` (``HardwareAsset``, ``SoftwareAsset``, ``NonITAsset``) is
  kept as the item's asset model (``asset_hardware``, …), the ``assetModel`` of a request's
  ``linkAssetIds``.
- ``customField`` values are the item's attributes and must be defined by its type. The other
  G2 asset fields (``ipAddress``, ``hostName``, ``version``, ``vendorName``, …) are kept as the
  attribute of the same name when the type defines one (``ipAddress`` ↔ ``IP Address``,
  ignoring case and spacing) and are otherwise accepted and not kept.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from polydesk.api.serviceops import mapping
from polydesk.api.serviceops.deps import DbSession, RequireTechnician
from polydesk.api.serviceops.errors import FieldNames
from polydesk.api.serviceops.routing import ServiceOpsRoute, new_router
from polydesk.api.serviceops.schemas import Asset, AssetCreate, AssetUpdate, Deleted
from polydesk.api.serviceops.tickets import ERRORS, NOT_FOUND, RecordId
from polydesk.core.actor import Actor
from polydesk.core.db import Session
from polydesk.core.errors import DomainError, Invalid
from polydesk.domains.configuration import service as configuration
from polydesk.domains.configuration.schemas import ConfigItemCreate, ConfigItemUpdate
from polydesk.models import ConfigItem, ConfigType

DATE_FORMAT = "%d-%m-%Y %H:%M"
_CORE_FIELDS = frozenset({"name", "assetTypeName", "type", "description", "customField"})
_FOLD = re.compile(r"[\s_-]+")


class AssetRoute(ServiceOpsRoute):
    field_names: ClassVar[FieldNames] = FieldNames(
        {
            "name": "name",
            "config_type_id": "assetTypeName",
            "asset_model": "type",
            "description": "description",
            "config_item_id": "id",
        }
    )


router = new_router(AssetRoute, tags=["Asset"])


def _fold(name: str) -> str:
    return _FOLD.sub("", name).casefold()


async def _config_type(session: Session, value: str) -> ConfigType:
    path = mapping.asset_type_path(value)
    found = await configuration.get_config_type_by_path(session, path)
    if found is None:
        raise Invalid(
            f"Asset Type Must Exist with same name: {value!r} (a config type path such as "
            "'Hardware$Laptop').",
            field="assetTypeName",
            value=value,
        )
    return found


def _attributes(body: AssetCreate | AssetUpdate, config_type: ConfigType) -> dict[str, Any]:
    """``customField`` plus the G2 fields the type defines an attribute for."""
    defined = {_fold(str(d["name"])): str(d["name"]) for d in config_type.attributes or []}
    values: dict[str, Any] = dict(body.customField or {})
    for key in body.model_fields_set - _CORE_FIELDS:
        name = defined.get(_fold(key))
        if name is not None and name not in values:
            values[name] = getattr(body, key)
    return values


def _wire_error(exc: DomainError, body: AssetCreate | AssetUpdate) -> DomainError:
    """``attributes.X`` → ``customField.X`` (or the G2 field that carried the value)."""
    if exc.field and exc.field.startswith("attributes."):
        name = exc.field.removeprefix("attributes.")
        given = [k for k in body.model_fields_set - _CORE_FIELDS if _fold(k) == _fold(name)]
        exc.field = (
            given[0] if given and name not in (body.customField or {}) else (f"customField.{name}")
        )
    return exc


async def _read(session: Session, item: ConfigItem) -> Asset:
    config_type = await configuration.get_config_type(session, item.config_type_id)
    return Asset(
        id=item.id,
        assetId=mapping.asset_name(item.id),
        name=item.name,
        type=mapping.asset_type(item.asset_model),
        assetTypeName=config_type.name,
        description=item.description,
        createdDate=item.created_at.strftime(DATE_FORMAT),
        updatedDate=item.updated_at.strftime(DATE_FORMAT),
        customField=dict(item.attributes or {}),
    )


@router.post(
    "/api/v1/asset",
    response_model=Asset,
    response_model_exclude_none=True,
    responses=ERRORS,
    summary="Create an asset",
    operation_id="createAsset",
)
async def create_asset(body: AssetCreate, session: DbSession, actor: RequireTechnician) -> Asset:
    config_type = await _config_type(session, body.assetTypeName)
    try:
        item = await configuration.create_config_item(
            session,
            actor,
            ConfigItemCreate(
                name=body.name,
                config_type_id=config_type.id,
                description=body.description,
                asset_model=mapping.asset_model_of(body.type),
                attributes=_attributes(body, config_type),
            ),
        )
    except DomainError as exc:
        raise _wire_error(exc, body) from None
    return await _read(session, item)


@router.get(
    "/api/v1/asset/{asset_id}",
    response_model=Asset,
    response_model_exclude_none=True,
    responses={**ERRORS, **NOT_FOUND},
    summary="Get an asset",
    operation_id="getAsset",
)
async def get_asset(asset_id: RecordId, session: DbSession, _actor: RequireTechnician) -> Asset:
    return await _read(session, await configuration.get_config_item(session, asset_id))


async def _update(session: Session, actor: Actor, asset_id: int, body: AssetUpdate) -> ConfigItem:
    item = await configuration.get_config_item(session, asset_id)
    given = body.model_fields_set
    changes: dict[str, Any] = {}
    if "name" in given:
        changes["name"] = body.name
    if "description" in given:
        changes["description"] = body.description
    if "type" in given:
        changes["asset_model"] = mapping.asset_model_of(body.type) if body.type else None
    config_type = await configuration.get_config_type(session, item.config_type_id)
    if "assetTypeName" in given:
        if body.assetTypeName is None:
            raise Invalid("assetTypeName cannot be cleared.", field="assetTypeName", value=None)
        config_type = await _config_type(session, body.assetTypeName)
        changes["config_type_id"] = config_type.id
    attributes = _attributes(body, config_type)
    if attributes:
        changes["attributes"] = attributes
    try:
        return await configuration.update_config_item(
            session, actor, item.id, ConfigItemUpdate(**changes)
        )
    except DomainError as exc:
        raise _wire_error(exc, body) from None


@router.patch(
    "/api/v1/asset/{asset_id}",
    response_model=Asset,
    response_model_exclude_none=True,
    responses={**ERRORS, **NOT_FOUND},
    summary="Update an asset",
    operation_id="updateAsset",
)
async def update_asset(
    asset_id: RecordId, body: AssetUpdate, session: DbSession, actor: RequireTechnician
) -> Asset:
    """Only the keys sent change; ``customField`` values merge into the stored ones (``null``
    removes one)."""
    return await _read(session, await _update(session, actor, asset_id, body))


@router.delete(
    "/api/v1/asset/{asset_id}",
    response_model=Deleted,
    responses={**ERRORS, **NOT_FOUND},
    summary="Delete an asset",
    operation_id="deleteAsset",
)
async def delete_asset(asset_id: RecordId, session: DbSession, actor: RequireTechnician) -> Deleted:
    await configuration.delete_config_item(session, actor, asset_id)
    return Deleted(id=asset_id)
