"""G2 problem API (inferred, spec §9): ``POST /api/v1/problem``, ``GET``/``PATCH``/``DELETE
/api/v1/problem/{id}`` and ``POST /api/v1/problem/search/byqual``, on the change API's pattern.

Problems are named ``PRB-…``; only ``subject`` is compulsory. Beside the common ticket fields a
problem takes ``rootCause``, ``workaround`` and ``knownError``.
"""

from polydesk.api.serviceops.routes.ticket_kind import ticket_kind_router
from polydesk.api.serviceops.schemas import ProblemCreate, ProblemUpdate
from polydesk.core.enums import RecordKind

router = ticket_kind_router(
    RecordKind.PROBLEM,
    path="problem",
    label="Problem",
    create_model=ProblemCreate,
    update_model=ProblemUpdate,
)
