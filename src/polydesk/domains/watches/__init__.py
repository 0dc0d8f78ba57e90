"""Watches: users, or outside e-mail addresses, following a record or a configuration item."""
