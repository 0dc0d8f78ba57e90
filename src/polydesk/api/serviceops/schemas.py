"""Wire models of the ServiceOps G2 API (``/api/v1/request``, ``/change``, ``/problem``,
``/release``, ``/service_catalog/servicerequest``, conversations, ``/requester``, ``/asset``).

Field names are the vendor's, camelCase, exactly as clients send and read them. Inputs ignore
keys they do not know (the vendor's own sample create body carries ``"name": "INC-1"``);
outputs leave out keys without a value, as the vendor's serializer does, so every output field
is optional here. On PATCH bodies a key that is present with ``null`` clears the value; a key
that is absent leaves it alone.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from polydesk.api.serviceops.files import FileAttachment


class _In(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


# Shared parts ------------------------------------------------------------------------------


class FileAttachmentIn(_In):
    refFileName: str = Field(examples=["k9YqG9KTAB"])
    """The reference returned by the upload API (``POST /api/oprfile``)."""
    realName: str | None = Field(default=None, examples=["xyz.pdf"])
    """Ignored: the name given at upload time is kept."""


__all__ = ["FileAttachment"]


class LinkAssetIn(_In):
    assetModel: str | None = Field(default=None, examples=["asset_hardware"])
    assetId: int = Field(ge=1, le=2**63 - 1, examples=[1])
    """The asset's numeric ``id`` (``AST-1`` has id 1)."""


class LinkAsset(_Out):
    assetModel: str | None = None
    assetId: int


class SearchBody(_In):
    """``{"qualDetails": …}``; an empty body, ``{}`` or no ``qualDetails`` finds everything."""

    qualDetails: dict[str, Any] | None = Field(
        default=None,
        examples=[
            {
                "type": "FlatQualificationRest",
                "quals": [
                    {
                        "type": "RelationalQualificationRest",
                        "leftOperand": {"type": "DbOperandRest", "key": "id"},
                        "operator": "not_in",
                        "rightOperand": {
                            "type": "ValueOperandRest",
                            "value": {"type": "ListLongValueRest", "value": [90]},
                        },
                    }
                ],
            }
        ],
    )


T = TypeVar("T")


class SearchResult(_Out, Generic[T]):
    objectList: list[T]
    totalCount: int
    """Every match of the qualification, whatever ``offset`` and ``size``."""


# Tickets (requests, service requests, changes, problems, releases) -------------------------


class _TicketIn(_In):
    subject: str | None = Field(default=None, examples=["Need a new keyboard"])
    description: str | None = Field(default=None, examples=["<p>Need a wireless keyboard</p>"])
    requesterEmail: str | None = Field(default=None, examples=["tim@acme.com"])
    requesterName: str | None = Field(default=None, examples=["Tim"])
    """Names a requester created for an unknown ``requesterEmail``; otherwise ignored."""
    categoryName: str | None = Field(default=None, examples=["Request"])
    ccEmailSet: list[str] | None = Field(default=None, examples=[["a@b.com"]])
    tags: list[str] | None = Field(default=None, examples=[["mouse"]])
    impactName: str | None = Field(default=None, examples=["Low"])
    priorityName: str | None = Field(default=None, examples=["Low"])
    urgencyName: str | None = Field(default=None, examples=["Low"])
    departmentName: str | None = Field(default=None, examples=["IT"])
    locationName: str | None = Field(default=None, examples=["Ahmedabad"])
    companyName: str | None = None
    assigneeEmail: str | None = Field(default=None, examples=["tim@acme.com"])
    technicianGroupName: str | None = None
    statusName: str | None = Field(default=None, examples=["Open"])
    spam: bool | None = None
    fileAttachments: list[FileAttachmentIn] | None = None
    linkAssetIds: list[LinkAssetIn] | None = None
    customField: dict[str, Any] | None = Field(
        default=None,
        examples=[
            {
                "New Dropdown": "1",
                "New Number": 110.1,
                "New Multi-Select Dropdown": ["A", "C"],
                "New Datetime": 1756304676767,
            }
        ],
    )
    """Keyed by display name: text, numbers, a choice name, an array of choice names for
    multi-choice fields (``[]`` clears), epoch milliseconds for dates and date-times."""


class RequestCreate(_TicketIn):
    """``POST /api/v1/request``: ``subject`` and ``requesterEmail`` are compulsory."""

    subject: str = Field(examples=["Need a new keyboard"])
    requesterEmail: str = Field(examples=["tim@acme.com"])
    supportLevel: str | None = Field(default=None, examples=["tier2"])
    source: str | None = Field(default=None, examples=["External"])


class RequestUpdate(_TicketIn):
    """``PATCH /api/v1/request/{id}``: every key optional."""

    supportLevel: str | None = None
    source: str | None = None


class ServiceRequestCreate(_TicketIn):
    """``POST /api/v1/service_catalog/servicerequest``."""

    requester: str = Field(examples=["tim@acme.com"])
    """The requester's e-mail address or login name."""
    serviceName: str = Field(examples=["Email"])
    serviceCategoryName: str = Field(examples=["Hardware"])
    supportLevel: str | None = None
    vendorName: str | None = None
    """Accepted and ignored (the core keeps no vendors)."""


class ChangeCreate(_TicketIn):
    """``POST /api/v1/change``."""

    subject: str
    requesterEmail: str
    startDate: int = Field(examples=[1756304676767])
    """Planned start, epoch milliseconds."""
    endDate: int = Field(examples=[1756391076767])
    riskType: str | None = Field(default=None, examples=["Low"])
    changeType: str | None = Field(default=None, examples=["Minor"])
    targetEnvironment: str | None = Field(default=None, examples=["Production"])


class ChangeUpdate(_TicketIn):
    startDate: int | None = None
    endDate: int | None = None
    riskType: str | None = None
    changeType: str | None = None
    targetEnvironment: str | None = None


class ProblemCreate(_TicketIn):
    """``POST /api/v1/problem`` (inferred from the change API)."""

    subject: str
    requesterEmail: str | None = None
    rootCause: str | None = None
    workaround: str | None = None
    knownError: bool | None = None


class ProblemUpdate(_TicketIn):
    rootCause: str | None = None
    workaround: str | None = None
    knownError: bool | None = None


class ReleaseCreate(_TicketIn):
    """``POST /api/v1/release`` (inferred from the change API)."""

    subject: str
    requesterEmail: str | None = None
    startDate: int | None = None
    endDate: int | None = None
    releaseType: str | None = None


class ReleaseUpdate(_TicketIn):
    startDate: int | None = None
    endDate: int | None = None
    releaseType: str | None = None


class Ticket(_Out):
    """A request, service request, change, problem or release as the G2 API answers it.
    Keys without a value (and ``tags`` and ``ccEmailSet`` when empty) are left out, as in the
    observed responses; ``fileAttachments`` and ``customField`` are always present, the latter
    with every field of the form."""

    id: int = Field(examples=[65])
    name: str = Field(examples=["INC-46"])
    createdTime: int = Field(examples=[1756304677751])
    updatedTime: int = Field(examples=[1756304677751])
    subject: str
    description: str | None = None
    requesterEmail: str | None = None
    requesterName: str | None = None
    ccEmailSet: list[str] | None = None
    tags: list[str] | None = None
    statusName: str | None = None
    priorityName: str | None = None
    impactName: str | None = None
    urgencyName: str | None = None
    categoryName: str | None = None
    departmentName: str | None = None
    locationName: str | None = None
    companyName: str | None = None
    assigneeEmail: str | None = None
    technicianGroupName: str | None = None
    serviceName: str | None = None
    supportLevel: str | None = None
    source: str | None = None
    spam: bool | None = None
    createdByName: str | None = None
    updatedByName: str | None = None
    resolvedTime: int | None = None
    lastClosedTime: int | None = None
    dueBy: int | None = None
    fileAttachments: list[FileAttachment]
    linkAssetIds: list[LinkAsset] | None = None
    customField: dict[str, Any]
    # changes and releases
    startDate: int | None = None
    endDate: int | None = None
    riskType: str | None = None
    changeType: str | None = None
    targetEnvironment: str | None = None
    releaseType: str | None = None
    # problems
    rootCause: str | None = None
    workaround: str | None = None
    knownError: bool | None = None


class Deleted(_Out):
    """The answer to a DELETE (the vendor's G1 success envelope)."""

    returnCode: str = "SUCCESS"
    status: int = 0
    userMessage: str | None = None
    id: int


# Conversations -----------------------------------------------------------------------------


class ConversationIn(_In):
    conversationType: str | None = Field(default=None, examples=["note"])
    """``note`` (default), ``collaborate`` or ``requestor_to_technician``."""
    details: str | None = Field(
        default=None, examples=["<p>This is an internal note about the request progress.</p>"]
    )
    subject: str | None = Field(default=None, examples=["Progress Update"])
    conversationState: str | None = Field(default=None, examples=["published"])
    fileAttachments: list[FileAttachmentIn] | None = None


class Conversation(_Out):
    id: int = Field(examples=[2])
    conversationType: str = Field(examples=["note"])
    details: str
    subject: str | None = None
    createdByName: str | None = None
    createdByEmail: str | None = None
    createdTime: str = Field(examples=["Wed, Jul 16, 2025 04:33 pm"])
    updatedTime: str = Field(examples=["Wed, Jul 16, 2025 06:30 pm"])
    conversationState: str = "published"
    emailIds: list[str] = Field(default_factory=list)
    ccEmailIds: list[str] = Field(default_factory=list)
    updatable: bool = True
    deletable: bool = True
    fileAttachments: list[FileAttachment] = Field(default_factory=list)


# Requesters --------------------------------------------------------------------------------


class RequesterIn(_In):
    name: str | None = Field(default=None, examples=["Jane Doe"])
    email: str = Field(examples=["jane@acme.com"])
    userLogOnName: str | None = Field(default=None, examples=["jane"])
    contactNo: str | None = Field(default=None, examples=["+91 99999 00000"])
    altContactNo1: str | None = None
    altContactNo2: str | None = None
    locationName: str | None = Field(default=None, examples=["Ahmedabad"])
    departmentName: str | None = Field(default=None, examples=["IT"])
    companyName: str | None = None
    manager: str | None = None
    allowToLogin: bool | None = None
    verified: bool | None = None
    vipRequester: bool | None = None
    customField: dict[str, Any] | None = None


class Requester(_Out):
    id: int
    email: str
    name: str
    userLogOnName: str | None = None
    contactNo: str | None = None
    locationName: str | None = None
    departmentName: str | None = None
    allowToLogin: bool
    verified: bool = True
    vipRequester: bool = False
    block: bool = False
    createdDate: str | None = None
    """``dd-MM-yyyy HH:mm`` (UTC)."""
    customField: dict[str, Any] = Field(default_factory=dict)


# Assets ------------------------------------------------------------------------------------


class _AssetFields(_In):
    name: str | None = Field(default=None, examples=["Tim's laptop"])
    assetTypeName: str | None = Field(default=None, examples=["Hardware$Computer"])
    type: str | None = Field(default=None, examples=["HardwareAsset"])
    description: str | None = None
    impactName: str | None = None
    statusName: str | None = None
    vendorName: str | None = None
    productName: str | None = None
    departmentName: str | None = None
    locationName: str | None = None
    usedByEmail: str | None = None
    managedByEmail: str | None = None
    managedByGroupName: str | None = None
    assetGroupName: str | None = None
    categoryName: str | None = None
    businessServiceName: str | None = None
    barCode: str | None = None
    acquitionDate: str | None = None
    assignmentDate: str | None = None
    tags: list[str] | None = None
    ipAddress: str | None = None
    hostName: str | None = None
    macAddress: str | None = None
    version: str | None = None
    customField: dict[str, Any] | None = None


class AssetCreate(_AssetFields):
    name: str
    assetTypeName: str
    type: str


class AssetUpdate(_AssetFields):
    pass


class Asset(_Out):
    id: int = Field(examples=[1])
    assetId: str = Field(examples=["AST-1"])
    name: str
    type: str | None = Field(default=None, examples=["HardwareAsset"])
    assetTypeName: str = Field(examples=["Computer"])
    description: str | None = None
    origin: str = "manual"
    createdDate: str = Field(examples=["19-10-2020 11:23"])
    updatedDate: str = Field(examples=["19-10-2020 11:23"])
    customField: dict[str, Any] = Field(default_factory=dict)
    """The config item's attributes (including the G2 asset fields it keeps, such as
    ``ipAddress`` or ``hostName``, when its type defines them)."""
