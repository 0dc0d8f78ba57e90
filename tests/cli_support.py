"""Running the real ``polydesk`` command against its own database, over real sockets."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import make_url, text

from polydesk.core.db import create_engine

POLYDESK = [sys.executable, "-m", "polydesk"]


def cli_database_url(tmp_path: Path, purpose: str = "cli") -> str:
    """A fresh, empty database for CLI runs (or another ``purpose``): SQLite in ``tmp_path``,
    or on PostgreSQL a sibling database of the test database (``<name>_<purpose>``), emptied
    first."""
    base = os.environ.get("POLYDESK_TEST_DATABASE_URL", "")
    if not base:
        return f"sqlite+aiosqlite:///{tmp_path / f'{purpose}.sqlite3'}"
    url = make_url(base)
    cli_name = f"{url.database}_{purpose}"

    async def prepare() -> None:
        admin = create_engine(base)
        try:
            async with admin.connect() as conn:
                conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
                exists = await conn.scalar(
                    text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": cli_name}
                )
                if not exists:
                    await conn.execute(text(f'CREATE DATABASE "{cli_name}"'))
        finally:
            await admin.dispose()
        engine = create_engine(url.set(database=cli_name).render_as_string(hide_password=False))
        try:
            async with engine.begin() as conn:
                await conn.execute(text("DROP SCHEMA public CASCADE"))
                await conn.execute(text("CREATE SCHEMA public"))
        finally:
            await engine.dispose()

    asyncio.run(prepare())
    return url.set(database=cli_name).render_as_string(hide_password=False)


def cli_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLYDESK_")}
    env["POLYDESK_DATA_DIR"] = str(tmp_path / "data")
    env["POLYDESK_DATABASE_URL"] = cli_database_url(tmp_path)
    env.update(extra)
    return env


def run_cli(
    env: dict[str, str], *args: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*POLYDESK, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def serving(
    env: dict[str, str], *args: str, transcript: list[str] | None = None
) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """Start ``polydesk serve`` on a free port; yield its base URL once /healthz answers.
    What the server printed is appended to ``transcript`` once it has stopped."""
    port = free_port()
    proc = subprocess.Popen(
        [*POLYDESK, "serve", "--port", str(port), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                output = proc.stdout.read() if proc.stdout else ""
                raise AssertionError(f"server exited early:\n{output}")
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("server did not answer /healthz within 60 s")
            time.sleep(0.1)
        yield base, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout:
            if transcript is not None:
                transcript.append(proc.stdout.read())
            proc.stdout.close()
