"""Inputs of the company services."""

from __future__ import annotations

from pydantic import BaseModel


class CompanyCreate(BaseModel):
    name: str
    phone: str | None = None
    address: str | None = None
    website: str | None = None


class CompanyUpdate(BaseModel):
    name: str | None = None
    phone: str | None = None
    address: str | None = None
    website: str | None = None
