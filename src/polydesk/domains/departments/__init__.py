"""Departments: reference data people and records are filed under."""
