"""Locations: a tree of places people and records are filed under."""
