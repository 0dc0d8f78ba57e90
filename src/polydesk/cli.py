"""The ``polydesk`` command.

Every command reads the same settings as the server, so it works on the same data dir and
database. Bad input exits with status 1 and one line on standard error; commands that can be
repeated safely (``db upgrade``, ``demo``) are idempotent.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
import uvicorn
from pydantic import ValidationError

from polydesk.core import migrate
from polydesk.core.db import Database
from polydesk.core.errors import DomainError
from polydesk.core.settings import Settings, get_settings

P = ParamSpec("P")
T = TypeVar("T")

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Polydesk service desk server.")
db_app = typer.Typer(no_args_is_help=True, help="Database schema.")
app.add_typer(db_app, name="db")


def fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(1)


def one_line_errors(func: Callable[P, T]) -> Callable[P, T]:
    """Turn the errors a user can cause into one line on stderr and exit status 1."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return func(*args, **kwargs)
        except DomainError as exc:
            raise fail(exc.message) from None
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "settings"
            raise fail(f"{where}: {first['msg']}") from None
        except OSError as exc:
            raise fail(str(exc)) from None

    return wrapper


def load_settings() -> Settings:
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return settings


def run_in_unit_of_work(settings: Settings, work: Callable[[Any], Coroutine[Any, Any, T]]) -> T:
    """Run ``work(session)`` in one transaction: committed on success, rolled back on error."""

    async def main() -> T:
        db = Database(settings)
        try:
            async with db.unit_of_work() as session:
                return await work(session)
        finally:
            await db.dispose()

    return asyncio.run(main())


@db_app.command("upgrade")
@one_line_errors
def db_upgrade() -> None:
    """Apply every pending migration."""
    settings = load_settings()
    migrate.upgrade(settings.resolved_database_url)
    typer.echo("database is up to date")


@app.command()
@one_line_errors
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
) -> None:
    """Apply migrations, create what a first start needs, then serve."""
    settings = load_settings()
    migrate.upgrade(settings.resolved_database_url)
    settings.signing_key()  # generate the stored key now, not racing in N workers
    typer.echo(f"serving on http://{host}:{port} with {workers} worker(s)")
    uvicorn.run(
        "polydesk.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=False,
        proxy_headers=False,
    )


def main() -> None:
    app()
