"""Serving the application: ``polydesk serve`` hands over to :func:`serve`.

The process that ran the command builds the application once and becomes gunicorn's arbiter;
its workers are forked from it (copy-on-write) and run it with uvicorn's worker class
(``uvicorn-worker``). A spawned worker would import the whole application again, which costs
more than a second of CPU per worker on a small machine. Each worker still runs the
application's lifespan: it opens its own database connections and disposes of them when it
stops.

Each worker listens on a socket of its own, bound to the same address with ``SO_REUSEPORT``
(gunicorn's ``reuse_port``), and the kernel spreads new connections over the workers. With the
one socket the arbiter opens otherwise, the workers race to accept: the first awake takes
every connection waiting, and a client that keeps its connections open (a proxy, a load
driver, an integration's pool) stays on that worker. 32 keep-alive connections were seen held
24 to 8 and 32 to none, one worker saturated while the other idled. ``check_address`` still
refuses a port another server listens on: a socket without ``SO_REUSEPORT`` cannot join them.

The arbiter itself never touches the database: nothing it inherits may hold a connection, a
thread or an event loop at the fork. The commands before it (migrations, the first start) run
their own event loops and dispose of their engines before :func:`serve` is called.

Only the settings below apply: no ``gunicorn.conf.py`` and no ``GUNICORN_CMD_ARGS`` is read.
SIGTERM or SIGINT stops the workers gracefully (their requests finish, their lifespan shuts
down) and the command exits with status 0.
"""

from __future__ import annotations

import gc
import logging
import socket
import sys
import threading
from typing import Any, ClassVar

from fastapi import FastAPI
from gunicorn.app.base import BaseApplication
from uvicorn_worker import UvicornWorker

from polydesk.app import create_app
from polydesk.core.settings import Settings

GRACEFUL_TIMEOUT = 30
"""Seconds a stopping worker has to finish its requests before the arbiter kills it."""

KEEP_ALIVE = 5
"""Seconds an idle keep-alive connection stays open (uvicorn's default)."""

log = logging.getLogger(__name__)


class Worker(UvicornWorker):  # type: ignore[misc]  # uvicorn-worker is untyped
    """uvicorn in a forked worker: uvloop and httptools when installed, no proxy headers (a
    proxy's ``X-Forwarded-For`` is not trusted), no access log."""

    CONFIG_KWARGS: ClassVar[dict[str, Any]] = {
        "loop": "auto",
        "http": "auto",
        "proxy_headers": False,
        "access_log": False,
        # Stop waiting for slow requests before the arbiter's deadline, so that the lifespan
        # still shuts down (the engine is disposed of) in a worker that had to cancel them.
        "timeout_graceful_shutdown": GRACEFUL_TIMEOUT - 5,
    }


def bind_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class Server(BaseApplication):  # type: ignore[misc]  # gunicorn is untyped
    def __init__(self, settings: Settings, host: str, port: int, workers: int) -> None:
        self.settings = settings
        self.options: dict[str, Any] = {
            "bind": [bind_address(host, port)],
            "workers": workers,
            "worker_class": Worker,
            "preload_app": True,
            # A listening socket per worker, balanced by the kernel (see the module's text).
            "reuse_port": True,
            "graceful_timeout": GRACEFUL_TIMEOUT,
            "keepalive": KEEP_ALIVE,
            "accesslog": None,
            "loglevel": "info",
            # Its control socket (a thread, and one path shared by every gunicorn of the user)
            # is for gunicorn's own command-line tool, which Polydesk does not use.
            "control_socket_disable": True,
        }
        super().__init__()

    def load_config(self) -> None:
        # Only these settings: BaseApplication reads no configuration file or environment.
        for name, value in self.options.items():
            self.cfg.set(name, value)

    def load(self) -> FastAPI:
        _before_fork()
        app = create_app(self.settings)
        _freeze_what_is_built()
        return app


def _before_fork(timeout: float = 2.0) -> None:
    """What the command printed is written out now, not again by each worker as it exits; a
    forked worker keeps only the thread that forked, so the threads the work before left
    behind (a closed SQLite connection's) finish first."""
    sys.stdout.flush()
    sys.stderr.flush()
    for thread in threading.enumerate():
        if thread is not threading.main_thread():
            thread.join(timeout)
            if thread.is_alive():
                log.warning("thread %s still runs while the workers are forked", thread.name)


def _freeze_what_is_built() -> None:
    """Move every object built so far (modules, classes, the application: about 270,000 of
    them) out of the garbage collector's sight. They live as long as the process, yet a full
    collection in a worker walked them all: a pause of about 0.1 s every few thousand
    requests, which every request queued behind it waited out (``gc.freeze`` is meant for
    this, just before the fork).

    The workers also collect less often (:data:`GC_THRESHOLDS`): a request leaves no cyclic
    garbage behind, yet with the default thresholds the objects that outlive a request (the
    reference cache reloaded each second, compiled statements) made the collector walk the
    whole heap every second or so, 5–12 ms each time under load.

    No collection runs first: the imports leave about 1,200 objects of cyclic garbage (half a
    megabyte, shared by the workers and never written to), and finding them would walk all
    270,000 objects, 0.17 s of every start."""
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


GC_THRESHOLDS = (50_000, 20, 10)
"""A young generation of 50,000 objects instead of 700 (a page of tickets allocates
thousands), and a full collection considered after every 200 of its collections, not 10."""


def check_address(host: str, port: int) -> None:
    """Raise ``OSError`` at once when the address cannot be listened on (in use, not this
    machine's), where gunicorn would retry for five seconds before giving up."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise OSError(exc.errno, f"cannot listen on {host}:{port}: {exc.strerror}") from None


def serve(settings: Settings, host: str, port: int, workers: int) -> None:
    """Serve until SIGTERM or SIGINT; exits the process (status 0 after a graceful stop)."""
    check_address(host, port)
    Server(settings, host, port, workers).run()
