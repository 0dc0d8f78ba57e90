"""Typed custom field definitions per record kind, and the validated values records carry."""
