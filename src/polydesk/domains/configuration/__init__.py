"""Configuration management: config types (a tree), items, relationship types, relationships."""
