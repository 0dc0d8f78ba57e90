"""Background work on stored attachment files."""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core.settings import Settings
from polydesk.domains.attachments import repository
from polydesk.domains.attachments.service import SHA256_PATTERN, temp_dir

DEFAULT_GRACE_SECONDS = 3600
"""Long enough for any upload to reach its commit: a younger file may belong to a row that
is not committed yet."""


def _stored_files(root: Path, tmp: Path, cutoff: float) -> tuple[dict[str, Path], list[Path]]:
    """Content files and temporary files last modified before ``cutoff``."""
    content: dict[str, Path] = {}
    temporary: list[Path] = []
    if not root.is_dir():
        return content, temporary
    for first in root.iterdir():
        if first == tmp:
            temporary.extend(
                p for p in first.iterdir() if p.is_file() and p.stat().st_mtime < cutoff
            )
            continue
        if len(first.name) != 2 or not first.is_dir():
            continue
        for second in first.iterdir():
            if len(second.name) != 2 or not second.is_dir():
                continue
            for path in second.iterdir():
                if (
                    SHA256_PATTERN.fullmatch(path.name)
                    and path.name.startswith(first.name + second.name)
                    and path.is_file()
                    and path.stat().st_mtime < cutoff
                ):
                    content[path.name] = path
    return content, temporary


async def cleanup_orphans(
    session: AsyncSession, settings: Settings, *, grace_seconds: float = DEFAULT_GRACE_SECONDS
) -> int:
    """Remove stored files that no attachment row names, and abandoned temporary files, once
    they are older than ``grace_seconds``. Returns how many files were removed."""
    cutoff = time.time() - grace_seconds
    root = settings.attachments_dir
    content, temporary = await asyncio.to_thread(_stored_files, root, temp_dir(settings), cutoff)
    referenced = await repository.referenced_hashes(session, content)
    doomed = [path for sha, path in content.items() if sha not in referenced] + temporary
    return await asyncio.to_thread(_remove_older, doomed, cutoff)


def _remove_older(paths: list[Path], cutoff: float) -> int:
    """Remove each file still older than ``cutoff``: an upload of the same content since the
    listing refreshed its mtime and now relies on it."""
    removed = 0
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
    return removed
