"""One typed settings object, read from ``POLYDESK_*`` variables and validated at start-up.

Nothing else in the code base reads ``os.environ``: the CLI and the server build their
settings here, so both always see the same data directory and database.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = frozenset({"", "changeme", "change-me", "secret", "dev", "polydesk"})


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="POLYDESK_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("./var")
    database_url: str | None = None
    secret_key: str | None = None
    access_token_ttl: int = Field(default=7200, ge=60)
    refresh_token_ttl: int = Field(default=30 * 24 * 3600, ge=60)
    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    max_upload_bytes: int = Field(default=25 * 1024 * 1024, ge=1024)
    rate_limit_per_hour: int = Field(default=3600, ge=1)
    admin_email: str | None = None
    admin_password: str | None = None
    db_pool_size: int = Field(default=20, ge=1)
    """Connections a worker keeps open to PostgreSQL: as many as the requests it serves at
    once. Up to as many more are opened under a burst, each closed again after one use."""
    basic_auth_cache_seconds: int = Field(default=60, ge=0)
    reference_cache_seconds: float = Field(default=1.0, ge=0)
    allowed_attachment_extensions: list[str] = Field(
        default=[".txt", ".asc", ".pdf", ".doc", ".docx", ".odt", ".jpg", ".png", ".eml"]
    )
    """django-helpdesk's ``HELPDESK_VALID_EXTENSIONS`` default; files without an extension
    pass. Set as a JSON list, e.g. ``POLYDESK_ALLOWED_ATTACHMENT_EXTENSIONS='[".txt"]'``."""

    gotoassist_auth_failure_status: int = 200
    """HTTP status of GoToAssist's ``[E906]`` (bad or missing token): 200, as the guide's
    clients see failures, or 401 (with ``WWW-Authenticate: Basic``)."""
    gotoassist_rate_limit_status: int = 200
    """HTTP status of GoToAssist's ``[E902]`` (hourly rate limit): 200 or 429."""

    @field_validator("gotoassist_auth_failure_status")
    @classmethod
    def _auth_failure_status(cls, value: int) -> int:
        if value not in (200, 401):
            raise ValueError("must be 200 or 401")
        return value

    @field_validator("gotoassist_rate_limit_status")
    @classmethod
    def _rate_limit_status(cls, value: int) -> int:
        if value not in (200, 429):
            raise ValueError("must be 200 or 429")
        return value

    @model_validator(mode="after")
    def _refuse_placeholders(self) -> Settings:
        if self.env == "production":
            if self.secret_key is None or self.secret_key.strip().lower() in PLACEHOLDER_SECRETS:
                raise ValueError("POLYDESK_SECRET_KEY must be set to a real secret in production")
            if len(self.secret_key) < 32:
                raise ValueError("POLYDESK_SECRET_KEY must be at least 32 characters in production")
            if self.admin_password is not None and self.admin_password in PLACEHOLDER_SECRETS:
                raise ValueError("POLYDESK_ADMIN_PASSWORD is a placeholder")
        return self

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'polydesk.sqlite3').resolve()}"

    @property
    def attachments_dir(self) -> Path:
        return self.data_dir / "attachments"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    def signing_key(self) -> str:
        """The configured secret, or one generated once and kept in the data dir (mode 0600)."""
        if self.secret_key:
            return self.secret_key
        return _stored_secret(self.data_dir)


@lru_cache(maxsize=8)
def _stored_secret(data_dir: Path) -> str:
    # Cached per data dir: the key is asked for on every signed request.
    path = data_dir.resolve() / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, key.encode())
    finally:
        os.close(fd)
    return key


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
