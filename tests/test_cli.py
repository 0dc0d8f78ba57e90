"""The ``polydesk`` command, run as a real process."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.cli_support import cli_env, run_cli, serving


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
