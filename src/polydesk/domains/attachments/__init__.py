"""Uploaded files: content-addressed bytes on disk, metadata rows in the database."""
