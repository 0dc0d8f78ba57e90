"""G2 release API (inferred, spec §9): ``POST /api/v1/release``, ``GET``/``PATCH``/``DELETE
/api/v1/release/{id}`` and ``POST /api/v1/release/search/byqual``, on the change API's pattern.

Releases are named ``REL-…``; only ``subject`` is compulsory. Beside the common ticket fields a
release takes ``startDate``/``endDate`` (planned window, epoch milliseconds) and
``releaseType`` (free text).
"""

from polydesk.api.serviceops.routes.ticket_kind import ticket_kind_router
from polydesk.api.serviceops.schemas import ReleaseCreate, ReleaseUpdate
from polydesk.core.enums import RecordKind

router = ticket_kind_router(
    RecordKind.RELEASE,
    path="release",
    label="Release",
    create_model=ReleaseCreate,
    update_model=ReleaseUpdate,
)
