"""Customers: requesters with a profile at a company and a level of portal access."""
