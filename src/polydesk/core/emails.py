"""E-mail address syntax, checked once per distinct address.

``email_validator`` parses an address through its full grammar (IDNA, Unicode normalisation),
a fifth of a millisecond each time; the same few requester addresses come with request after
request, so the normalized form is remembered for the most recent ones. Only valid addresses
are remembered: an invalid one raises each time.
"""

from __future__ import annotations

import functools

from email_validator import EmailNotValidError, validate_email

__all__ = ["EmailNotValidError", "normalized_email"]


@functools.lru_cache(maxsize=4096)
def normalized_email(text: str) -> str:
    """``text`` as an address with its domain lower-cased (no DNS look-up); raises
    :class:`EmailNotValidError` when it is not one."""
    return validate_email(text, check_deliverability=False).normalized
