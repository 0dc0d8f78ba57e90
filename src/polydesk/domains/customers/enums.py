"""Enumerations of customers."""

from __future__ import annotations

from enum import StrEnum


class PortalAccess(StrEnum):
    """What a customer may see in the requester portal (GoToAssist's portal access levels)."""

    NO_ACCESS = "no_access"
    STANDARD = "standard"
    """Their own records."""
    COMPANY = "company"
    """Every record of their company."""
    COMPANY_ADMIN = "company_admin"
    """Every record of their company, and the company's customers."""


COMPANY_LEVELS = frozenset({PortalAccess.COMPANY, PortalAccess.COMPANY_ADMIN})
"""Levels that mean nothing without a company."""
