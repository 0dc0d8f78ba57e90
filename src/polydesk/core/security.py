"""Password hashing, secret generation and digests.

Passwords use argon2id. Hashing or verifying a password costs a large fraction of a second of
CPU on purpose; the ``*_async`` variants run it in a worker thread (argon2 releases the GIL), so
a server's event loop keeps serving other requests meanwhile. Services use those.

API tokens and client secrets are random, shown once, and stored only as SHA-256 digests: they
carry enough entropy that a fast digest is safe, and a lookup by digest is one indexed query.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string
from functools import lru_cache

import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def password_needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def burn_password_verify(password: str) -> None:
    """Spend what a real verification costs, so an unknown login answers as slowly as a
    wrong password and logins cannot be enumerated by timing."""
    verify_password(_dummy_hash(), password)


async def hash_password_async(password: str) -> str:
    return await anyio.to_thread.run_sync(hash_password, password)


async def verify_password_async(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    return await anyio.to_thread.run_sync(verify_password, password_hash, password)


async def burn_password_verify_async(password: str) -> None:
    await anyio.to_thread.run_sync(burn_password_verify, password)


def new_secret(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


_ALPHANUMERIC = string.ascii_letters + string.digits


def new_reference(length: int = 16) -> str:
    """A random alphanumeric reference (safe in URLs, file names and JSON without escaping)."""
    return "".join(secrets.choice(_ALPHANUMERIC) for _ in range(length))


def new_api_token(prefix: str = "pdk_", nbytes: int = 32) -> str:
    """A random API token; the fixed prefix makes leaked tokens easy to recognise and scan for."""
    return prefix + secrets.token_urlsafe(nbytes)


def digest(secret: str) -> str:
    """The stored form of a high-entropy secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def keyed_digest(key: str, *parts: str) -> str:
    """A digest only the server can compute (e.g. cache keys for verified credentials)."""
    message = "\x00".join(parts).encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def constant_time_equals(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
