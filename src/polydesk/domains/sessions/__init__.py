"""Signed-in browser sessions: the cookie behind session authentication, with its CSRF token."""
