"""Technician groups: named teams of staff that records are assigned to."""
