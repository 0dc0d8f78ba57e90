from __future__ import annotations

import asyncio
import re

import pytest

from polydesk.core import security


def test_passwords_are_hashed_with_argon2id_and_verified() -> None:
    hashed = security.hash_password("correct horse")
    assert hashed.startswith("$argon2id$")
    assert "correct horse" not in hashed
    assert security.verify_password(hashed, "correct horse")
    assert not security.verify_password(hashed, "wrong horse")
    assert not security.password_needs_rehash(hashed)


@pytest.mark.parametrize("stored", [None, "", "not-a-hash", "$argon2id$garbage"])
def test_missing_or_broken_hashes_never_verify(stored: str | None) -> None:
    assert not security.verify_password(stored, "anything")


def test_burn_password_verify_costs_a_real_verification(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = security.verify_password

    def counting(password_hash: str | None, password: str) -> bool:
        calls.append(password)
        return real(password_hash, password)

    monkeypatch.setattr(security, "verify_password", counting)
    security.burn_password_verify("guess")
    assert calls == ["guess"]


def test_digest_is_a_stable_sha256_hex() -> None:
    assert security.digest("abc") == security.digest("abc")
    assert security.digest("abc") != security.digest("abd")
    assert re.fullmatch(r"[0-9a-f]{64}", security.digest("abc"))
    assert security.digest("abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


def test_keyed_digest_depends_on_the_key_and_on_part_boundaries() -> None:
    assert security.keyed_digest("k1", "a", "b") == security.keyed_digest("k1", "a", "b")
    assert security.keyed_digest("k1", "a", "b") != security.keyed_digest("k2", "a", "b")
    assert security.keyed_digest("k", "ab", "c") != security.keyed_digest("k", "a", "bc")
    assert security.keyed_digest("k", "a", "b") != security.digest("a\x00b")


def test_constant_time_equals() -> None:
    assert security.constant_time_equals("abc", "abc")
    assert not security.constant_time_equals("abc", "abd")
    assert not security.constant_time_equals("abc", "ab")


def test_secrets_and_tokens_are_random_and_long_enough() -> None:
    assert len(security.new_secret()) >= 43
    assert security.new_secret() != security.new_secret()
    token = security.new_api_token()
    assert token.startswith("pdk_")
    assert len(token) - len("pdk_") >= 43  # 32 random bytes, base64url
    assert security.new_api_token() != token


def test_references_are_alphanumeric() -> None:
    refs = {security.new_reference() for _ in range(100)}
    assert len(refs) == 100
    assert all(re.fullmatch(r"[A-Za-z0-9]{16}", ref) for ref in refs)
    assert len(security.new_reference(10)) == 10


async def test_password_work_runs_off_the_event_loop() -> None:
    """While a password is hashed or verified, other coroutines keep running."""
    hashed = security.hash_password("correct horse")
    ticks = 0
    done = False

    async def ticker() -> None:
        nonlocal ticks
        while not done:
            ticks += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    before = ticks
    assert await security.verify_password_async(hashed, "correct horse")
    assert not await security.verify_password_async(hashed, "wrong horse")
    assert not await security.verify_password_async(None, "anything")
    await security.burn_password_verify_async("anything")
    assert security.verify_password(await security.hash_password_async("x"), "x")
    done = True
    await task
    assert ticks - before > 10
