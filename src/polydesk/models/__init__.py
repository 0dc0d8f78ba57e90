"""ORM tables only. Importing this package registers every table on ``Base.metadata`` (and
the flush hook that keeps the record tally, see ``tally``)."""

from polydesk.models.attachment import Attachment
from polydesk.models.base import Base
from polydesk.models.catalog import Category, Service, ServiceActivityType, ServicePriority, Status
from polydesk.models.configuration import (
    ConfigItem,
    ConfigRelationship,
    ConfigRelationshipType,
    ConfigType,
)
from polydesk.models.custom_field import CustomField, CustomFieldValue
from polydesk.models.event import Event
from polydesk.models.integration import ApiClient, ApiToken, IssuedToken, RateCounter, WebSession
from polydesk.models.people import (
    Company,
    Customer,
    Department,
    Location,
    TechnicianGroup,
    TechnicianGroupMember,
    User,
)
from polydesk.models.record import (
    ChangeDetails,
    ChangeTester,
    Link,
    Note,
    ProblemDetails,
    Record,
    RecordCounter,
    RecordIssue,
    ReleaseDetails,
    ReleaseRecord,
    ReleaseReviewUser,
    TimeEntry,
    Watch,
)
from polydesk.models.tally import RecordTally

__all__ = [
    "ApiClient",
    "ApiToken",
    "Attachment",
    "Base",
    "Category",
    "ChangeDetails",
    "ChangeTester",
    "Company",
    "ConfigItem",
    "ConfigRelationship",
    "ConfigRelationshipType",
    "ConfigType",
    "CustomField",
    "CustomFieldValue",
    "Customer",
    "Department",
    "Event",
    "IssuedToken",
    "Link",
    "Location",
    "Note",
    "ProblemDetails",
    "RateCounter",
    "Record",
    "RecordCounter",
    "RecordIssue",
    "RecordTally",
    "ReleaseDetails",
    "ReleaseRecord",
    "ReleaseReviewUser",
    "Service",
    "ServiceActivityType",
    "ServicePriority",
    "Status",
    "TechnicianGroup",
    "TechnicianGroupMember",
    "TimeEntry",
    "User",
    "Watch",
    "WebSession",
]
