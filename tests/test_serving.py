"""What ``polydesk serve`` builds before gunicorn forks its workers (the processes themselves
are tested in tests/test_cli.py)."""

from __future__ import annotations

import gc

from fastapi import FastAPI

from polydesk import serving
from polydesk.core.settings import Settings
from tests.cli_support import free_port


def test_the_built_application_is_frozen_out_of_the_collectors_sight(
    settings: Settings,
) -> None:
    """Modules, classes and the application live as long as a worker; a full collection
    that walked them all paused the worker about 0.1 s every few thousand requests."""
    gc.unfreeze()
    thresholds = gc.get_threshold()
    try:
        app = serving.Server(settings, "127.0.0.1", free_port(), 1).load()
        assert isinstance(app, FastAPI)
        frozen = gc.get_freeze_count()
        assert frozen > 50_000
        assert len(gc.get_objects()) < frozen
        # The workers, forked from here, collect less often.
        assert gc.get_threshold() == serving.GC_THRESHOLDS != thresholds
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


def test_bind_address_brackets_ipv6() -> None:
    assert serving.bind_address("127.0.0.1", 8000) == "127.0.0.1:8000"
    assert serving.bind_address("::1", 8000) == "[::1]:8000"
