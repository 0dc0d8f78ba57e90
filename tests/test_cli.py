"""The ``polydesk`` command, run as a real process."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

from polydesk.core.db import Database, Session
from polydesk.core.settings import Settings
from polydesk.domains.catalog import service as catalog
from polydesk.domains.integration import service as integration
from polydesk.domains.records import service as records
from polydesk.domains.records.schemas import RecordQuery
from polydesk.domains.users import service as users
from polydesk.models import User
from tests.cli_support import POLYDESK, cli_env, free_port, run_cli, serving

T = TypeVar("T")


def test_db_upgrade_is_safe_to_repeat(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    for _ in range(2):
        result = run_cli(env, "db", "upgrade")
        assert result.returncode == 0, result.stderr
        assert "up to date" in result.stdout


def test_serve_migrates_and_answers_healthz(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    with serving(env) as (base, _proc):
        response = httpx.get(f"{base}/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_generated_secret_key_is_private(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    with serving(env):
        pass
    key_file = Path(env["POLYDESK_DATA_DIR"]) / "secret_key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert len(key_file.read_text().strip()) >= 32


def test_production_refuses_a_placeholder_secret(tmp_path: Path) -> None:
    env = cli_env(tmp_path, POLYDESK_ENV="production", POLYDESK_SECRET_KEY="changeme")
    result = run_cli(env, "db", "upgrade")
    assert result.returncode == 1
    assert result.stderr.startswith("error:")
    assert "POLYDESK_SECRET_KEY" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def _children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state == "Z"  # a zombie has stopped; whoever inherited it reaps it


@pytest.mark.parametrize(
    ("sig", "whole_group"),
    [(signal.SIGTERM, True), (signal.SIGTERM, False), (signal.SIGINT, True)],
    ids=["sigterm-group", "sigterm-parent", "sigint-group"],
)
def test_serve_with_two_workers_stops_cleanly(
    tmp_path: Path, sig: signal.Signals, whole_group: bool
) -> None:
    """Two forked workers answer; a signal to the command (a service manager's SIGTERM to the
    process or its group, Ctrl-C's SIGINT to the group) stops both, each shutting its
    application down, and the command exits with status 0."""
    port = free_port()
    log = tmp_path / "serve.log"
    proc = _two_workers(cli_env(tmp_path), port, log)
    try:
        response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10)
        assert response.json() == {"status": "ok", "database": "ok"}
        workers = _children(proc.pid)
        assert len(workers) == 2
        if whole_group:
            os.killpg(proc.pid, sig)
        else:
            proc.send_signal(sig)
        proc.wait(timeout=40)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    output = log.read_text()
    assert proc.returncode == 0, output
    assert all(_gone(pid) for pid in workers), output
    assert output.count("serving on http://127.0.0.1:") == 1
    assert output.count("with 2 worker(s)") == 1
    assert output.count("created administrator") == 1  # printed once, not again by a worker
    assert output.count("Application shutdown complete") == 2, output


def test_serve_gives_each_worker_a_listening_socket_of_its_own(tmp_path: Path) -> None:
    """The kernel spreads connections over the workers' own sockets (``SO_REUSEPORT``); one
    socket shared by all let the first worker awake take every waiting connection. Another
    server on the same port is still refused."""
    env = cli_env(tmp_path)
    port = free_port()
    log = tmp_path / "serve.log"
    proc = _two_workers(env, port, log)
    clients: list[httpx.Client] = []
    try:
        workers = _children(proc.pid)
        listening = _sockets(port, _LISTEN)
        assert len(listening) == 2
        assert _holders(listening, [proc.pid, *workers]) == {pid: 1 for pid in workers}
        # 24 keep-alive connections, opened one by one: each worker holds some of them.
        for _ in range(24):
            client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10)
            clients.append(client)
            assert client.get("/healthz").status_code == 200
        held = _holders(_sockets(port, _ESTABLISHED), workers)
        assert sum(held.values()) == 24 and len(held) == 2 and min(held.values()) >= 1, held
        second = run_cli(env, "serve", "--port", str(port), timeout=30)
        assert f"cannot listen on 127.0.0.1:{port}" in _assert_one_line_error(second)
    finally:
        for client in clients:
            client.close()
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=40)
    assert proc.returncode == 0, log.read_text()


def _two_workers(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    """``polydesk serve --workers 2``, once both workers have started their application."""
    with log.open("w") as out:
        proc = subprocess.Popen(
            [*POLYDESK, "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while log.read_text().count("Application startup complete") < 2:
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
    except BaseException:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise
    return proc


_LISTEN, _ESTABLISHED = "0A", "01"


def _sockets(port: int, state: str) -> set[str]:
    """The inodes of this machine's IPv4 TCP sockets on local ``port`` in ``state``."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port and fields[3] == state:
            found.add(fields[9])
    return found


def _holders(inodes: set[str], pids: list[int]) -> dict[int, int]:
    """How many of the sockets ``inodes`` each of ``pids`` holds (those holding none left out)."""
    held: dict[int, int] = {}
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:[") and target[8:-1] in inodes:
                held[pid] = held.get(pid, 0) + 1
    return held


# Helpers -----------------------------------------------------------------------------------


def _settings(env: dict[str, str]) -> Settings:
    return Settings(
        env="test",
        data_dir=Path(env["POLYDESK_DATA_DIR"]),
        database_url=env["POLYDESK_DATABASE_URL"],
    )


def _in_cli_database(env: dict[str, str], work: Callable[[Session], Awaitable[T]]) -> T:
    """Run ``work`` against the database the command used, in-process."""

    async def main() -> T:
        db = Database(_settings(env))
        try:
            async with db.unit_of_work() as session:
                return await work(session)
        finally:
            await db.dispose()

    return asyncio.run(main())


def _assert_one_line_error(result: subprocess.CompletedProcess[str], code: int = 1) -> str:
    assert result.returncode == code, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def test_serve_refuses_an_address_in_use_in_one_line(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli(env, "serve", "--port", str(port), timeout=30)
    assert f"cannot listen on 127.0.0.1:{port}" in _assert_one_line_error(result)


# serve: the first administrator -------------------------------------------------------------


def test_first_start_creates_an_admin_with_a_password_printed_once(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    first: list[str] = []
    with serving(env, transcript=first):
        pass
    match = re.search(r"created administrator admin@localhost with password (\S+)", first[0])
    assert match, first[0]
    password = match.group(1)

    async def check(session: Session) -> tuple[User | None, int]:
        admin = await users.authenticate(session, "admin@localhost", password)
        return admin, await users.count_admins(session)

    admin, admins = _in_cli_database(env, check)
    assert admin is not None and admin.role == "admin"
    assert admins == 1
    again: list[str] = []
    with serving(env, transcript=again):
        pass
    assert "created administrator" not in again[0]
    assert _in_cli_database(env, users.count_admins) == 1


def test_first_start_takes_the_admin_from_the_settings(tmp_path: Path) -> None:
    env = cli_env(
        tmp_path,
        POLYDESK_ADMIN_EMAIL="boss@example.com",
        POLYDESK_ADMIN_PASSWORD="a-long-admin-password",
    )
    output: list[str] = []
    with serving(env, transcript=output):
        pass
    assert "created administrator boss@example.com" in output[0]
    assert "a-long-admin-password" not in output[0]

    async def check(session: Session) -> User | None:
        return await users.authenticate(session, "boss@example.com", "a-long-admin-password")

    admin = _in_cli_database(env, check)
    assert admin is not None and admin.role == "admin"


# users create ---------------------------------------------------------------------------------


def test_users_create_makes_a_user_who_can_sign_in(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    result = run_cli(
        env, "users", "create", "Ann@Example.com", "--password", "pw", "--role", "technician",
        "--name", "Ann Lee", "--username", "annl",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("created technician Ann@Example.com (id ")

    async def check(session: Session) -> User | None:
        return await users.authenticate(session, "ANNL", "pw")

    user = _in_cli_database(env, check)
    assert user is not None
    assert (user.email, user.first_name, user.last_name, user.role) == (
        "Ann@Example.com", "Ann", "Lee", "technician",
    )  # fmt: skip


def test_users_create_refuses_bad_input_in_one_line(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    ok = run_cli(env, "users", "create", "a@example.com", "--password", "pw", "--role", "admin")
    assert ok.returncode == 0, ok.stderr
    again = run_cli(env, "users", "create", "A@example.com", "--password", "x", "--role", "admin")
    assert "already exists" in _assert_one_line_error(again)
    bad_email = run_cli(env, "users", "create", "nobody", "--password", "x", "--role", "admin")
    assert "not a valid e-mail" in _assert_one_line_error(bad_email)
    bad_role = run_cli(env, "users", "create", "b@example.com", "--password", "x", "--role", "boss")
    assert "--role" in _assert_one_line_error(bad_role, code=2)
    no_password = run_cli(env, "users", "create", "b@example.com", "--role", "admin")
    assert "--password" in _assert_one_line_error(no_password, code=2)
    assert _in_cli_database(env, lambda s: users.count_admins(s)) == 1


# clients create -------------------------------------------------------------------------------


def test_clients_create_prints_the_secret_alone_on_the_last_line(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    result = run_cli(env, "clients", "create", "Trip App", "--access-level", "any-user")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert "client id: Trip-App-client" in lines
    secret = lines[-1]
    assert len(secret) >= 32 and " " not in secret

    async def check(session: Session) -> str:
        client = await integration.authenticate_client(session, "Trip-App-client", secret)
        return client.access_level

    assert _in_cli_database(env, check) == "any-user"


def test_clients_create_with_given_id_and_secret_for_a_specific_user(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    run_cli(env, "users", "create", "tim@acme.com", "--password", "123", "--role", "technician")
    result = run_cli(
        env, "clients", "create", "main-web-app", "--access-level", "specific-user",
        "--user", "tim@acme.com", "--client-id", "main-web-app-client",
        "--client-secret", "main-web-app-secret",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "main-web-app-secret"

    async def check(session: Session) -> tuple[str, int | None, str]:
        client = await integration.authenticate_client(
            session, "main-web-app-client", "main-web-app-secret"
        )
        tim = await users.get_user_by_email(session, "tim@acme.com")
        assert tim is not None
        return client.access_level, client.user_id and client.user_id - tim.id, client.scope

    assert _in_cli_database(env, check) == ("specific-user", 0, "main-web-app-scope")
    repeat = run_cli(
        env, "clients", "create", "again", "--access-level", "any-user",
        "--client-id", "main-web-app-client",
    )  # fmt: skip
    assert "already exists" in _assert_one_line_error(repeat)


def test_clients_create_refuses_bad_input_in_one_line(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    no_user = run_cli(env, "clients", "create", "x", "--access-level", "specific-user")
    assert "user" in _assert_one_line_error(no_user)
    unknown = run_cli(
        env, "clients", "create", "x", "--access-level", "specific-user", "--user", "no@one.com"
    )
    assert "no user" in _assert_one_line_error(unknown)
    short = run_cli(
        env, "clients", "create", "x", "--access-level", "any-user", "--client-secret", "short"
    )
    assert "secret" in _assert_one_line_error(short)
    level = run_cli(env, "clients", "create", "x", "--access-level", "everyone")
    assert "--access-level" in _assert_one_line_error(level, code=2)


# tokens create --------------------------------------------------------------------------------


def test_tokens_create_prints_a_working_token_on_the_last_line(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    run_cli(env, "users", "create", "tim@acme.com", "--password", "123", "--role", "technician")
    personal = run_cli(env, "tokens", "create", "--user", "tim@acme.com")
    assert personal.returncode == 0, personal.stderr
    account = run_cli(env, "tokens", "create", "--account")
    assert account.returncode == 0, account.stderr
    personal_token = personal.stdout.strip().splitlines()[-1]
    account_token = account.stdout.strip().splitlines()[-1]
    assert personal_token.startswith("pdk_") and account_token.startswith("pdk_")

    async def check(session: Session) -> tuple[bool, bool, str]:
        tim = await users.get_user_by_email(session, "tim@acme.com")
        assert tim is not None
        mine = await integration.authenticate_api_token(session, personal_token)
        everyone = await integration.authenticate_api_token(session, account_token)
        return mine.user_id == tim.id, everyone.is_account, everyone.role

    assert _in_cli_database(env, check) == (True, True, "admin")


def test_tokens_create_refuses_bad_input_in_one_line(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    neither = run_cli(env, "tokens", "create")
    assert "exactly one" in _assert_one_line_error(neither)
    both = run_cli(env, "tokens", "create", "--account", "--user", "a@b.com")
    assert "exactly one" in _assert_one_line_error(both)
    unknown = run_cli(env, "tokens", "create", "--user", "nobody@example.com")
    assert "no user" in _assert_one_line_error(unknown)


def test_unknown_command_is_one_line(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    assert "nosuch" in _assert_one_line_error(run_cli(env, "nosuch"), code=2)


# demo ---------------------------------------------------------------------------------------


def test_demo_then_serve_keeps_the_data_across_restarts(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    loaded = run_cli(env, "demo", "--records-per-kind", "6")
    assert loaded.returncode == 0, loaded.stderr
    assert "for trying Polydesk out" in loaded.stderr
    assert "demo data loaded: 6 incidents, 6 requests, 3 problems, 3 changes, 3 releases" in (
        loaded.stdout
    )
    assert "tim@acme.com (username tim) / 123" in loaded.stdout
    assert "main-web-app-client / main-web-app-secret" in loaded.stdout

    async def counts(session: Session) -> tuple[int, int, bool]:
        page = await records.list_records(session, RecordQuery(limit=100))
        tim = await users.authenticate(session, "tim@acme.com", "123")
        return page.total, len(page.items), tim is not None

    for _ in range(2):
        output: list[str] = []
        with serving(env, transcript=output) as (base, _proc):
            assert httpx.get(f"{base}/healthz").status_code == 200
            assert _in_cli_database(env, counts) == (21, 21, True)
        # The demo's administrator is there: serve creates no other.
        assert "created administrator" not in output[0]

    async def first_service(session: Session) -> str:
        return (await catalog.get_service(session, 1)).name

    # On an empty database the demo's first service is django-helpdesk's queue 1.
    assert _in_cli_database(env, first_service) == "Service Desk"
    again = run_cli(env, "demo", "--records-per-kind", "6")
    assert again.returncode == 0, again.stderr
    assert "already loaded" in again.stdout
    assert _in_cli_database(env, counts) == (21, 21, True)


def test_demo_is_refused_in_production(tmp_path: Path) -> None:
    env = cli_env(
        tmp_path,
        POLYDESK_ENV="production",
        POLYDESK_SECRET_KEY="a-real-production-secret-of-enough-length-1234567890",
    )
    assert "production" in _assert_one_line_error(run_cli(env, "demo"))
