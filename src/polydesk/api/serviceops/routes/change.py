"""G2 change API: ``POST /api/v1/change``, ``GET``/``PATCH``/``DELETE /api/v1/change/{id}`` and
``POST /api/v1/change/search/byqual``.

Create is documented (``subject``, ``requesterEmail``, ``startDate`` and ``endDate`` compulsory);
get, update and delete follow the request API's pattern. ``startDate``/``endDate`` are the
planned window in epoch milliseconds; ``riskType``, ``changeType`` and ``targetEnvironment``
take the documented display names.
"""

from polydesk.api.serviceops.routes.ticket_kind import ticket_kind_router
from polydesk.api.serviceops.schemas import ChangeCreate, ChangeUpdate
from polydesk.core.enums import RecordKind

router = ticket_kind_router(
    RecordKind.CHANGE,
    path="change",
    label="Change",
    create_model=ChangeCreate,
    update_model=ChangeUpdate,
)
