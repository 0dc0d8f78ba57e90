"""Inputs and outputs of the customer services."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from polydesk.domains.customers.enums import PortalAccess
from polydesk.models import Company, Customer, User


class CustomerCreate(BaseModel):
    email: str
    first_name: str = ""
    last_name: str = ""
    phone: str | None = None
    username: str | None = None
    time_zone: str = "UTC"
    company_id: int | None = None
    portal_access: PortalAccess = PortalAccess.STANDARD


class CustomerUpdate(BaseModel):
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    time_zone: str | None = None
    company_id: int | None = None
    """``None`` (given) detaches the customer from their company."""
    portal_access: PortalAccess | None = None


@dataclass(frozen=True, slots=True)
class CustomerDetails:
    """A customer with the user account and the company it belongs to, loaded together."""

    customer: Customer
    user: User
    company: Company | None

    @property
    def id(self) -> int:
        return self.customer.id
