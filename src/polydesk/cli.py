"""The ``polydesk`` command.

Every command reads the same settings as the server, so it works on the same data dir and
database, and applies pending migrations first. Bad input exits with status 1 (2 for a
malformed command line) and one ``error:`` line on standard error. Commands that can be
repeated safely (``db upgrade``, ``demo``, ``serve``) are idempotent. Secrets a command creates
are printed once, alone on the last line where scripts capture them (``clients create``,
``tokens create``).
"""

from __future__ import annotations

import asyncio
import functools
import gc
import sys
from collections.abc import Callable, Coroutine
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from polydesk.core.actor import Actor
from polydesk.core.db import Database, Session
from polydesk.core.enums import AccessLevel, Channel, Role
from polydesk.core.errors import DomainError, Invalid
from polydesk.core.settings import Settings, get_settings
from polydesk.domains.demo import data as demo_data
from polydesk.domains.demo.schemas import DemoResult
from polydesk.domains.integration import service as integration
from polydesk.domains.integration.schemas import ApiClientCreate
from polydesk.domains.setup import service as setup
from polydesk.domains.setup.schemas import AdminCreated
from polydesk.domains.users import service as users
from polydesk.domains.users.schemas import UserCreate
from polydesk.models import ApiClient, User


def _upgrade(settings: Settings) -> None:
    # Imported here, not at the top: `--help` and a malformed command line need none of it.
    from polydesk.core import migrate

    migrate.upgrade_unless_current(settings.resolved_database_url)


P = ParamSpec("P")
T = TypeVar("T")

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Polydesk service desk server.")
db_app = typer.Typer(no_args_is_help=True, help="Database schema.")
users_app = typer.Typer(no_args_is_help=True, help="User accounts.")
clients_app = typer.Typer(no_args_is_help=True, help="API clients (OAuth2, ServiceOps).")
tokens_app = typer.Typer(no_args_is_help=True, help="API tokens (GoToAssist and API keys).")
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(clients_app, name="clients")
app.add_typer(tokens_app, name="tokens")

CLI_ACTOR = Actor.system(Channel.CLI)
"""Who acts for the person at the server's console: admin rights, recorded as the CLI."""


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


def migrated_settings() -> Settings:
    """The settings, with the database migrated to the current schema."""
    settings = load_settings()
    _upgrade(settings)
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
    _upgrade(settings)
    typer.echo("database is up to date")


async def _user_by_login(session: Session, login: str, option: str) -> User:
    user = await users.get_user_by_login(session, login)
    if user is None:
        raise Invalid(f"{option}: no user with the e-mail address or username {login!r}.")
    return user


@users_app.command("create")
@one_line_errors
def users_create(
    email: Annotated[str, typer.Argument(help="E-mail address (the sign-in name).")],
    password: Annotated[str, typer.Option(help="Password (argon2id-hashed when stored).")],
    role: Annotated[Role, typer.Option(help="What the user may do.")],
    name: Annotated[str | None, typer.Option(help="Full name: first word, then the rest.")] = None,
    username: Annotated[str | None, typer.Option(help="Sign-in name besides the e-mail.")] = None,
) -> None:
    """Create a user account."""
    settings = migrated_settings()
    first_name, last_name = users.split_full_name(name)

    async def work(session: Session) -> User:
        return await users.create_user(
            session,
            CLI_ACTOR,
            UserCreate(
                email=email,
                username=username,
                role=role,
                password=password,
                first_name=first_name,
                last_name=last_name,
            ),
        )

    user = run_in_unit_of_work(settings, work)
    typer.echo(f"created {user.role} {user.email} (id {user.id})")


@clients_app.command("create")
@one_line_errors
def clients_create(
    name: Annotated[str, typer.Argument(help="What the client is, e.g. the integration's name.")],
    access_level: Annotated[
        AccessLevel,
        typer.Option(help="any-user: any technician may use it; specific-user: only --user."),
    ],
    user: Annotated[
        str | None, typer.Option(help="The one user a specific-user client acts as.")
    ] = None,
    client_id: Annotated[
        str | None, typer.Option(help="Client id; derived from NAME when omitted.")
    ] = None,
    client_secret: Annotated[
        str | None, typer.Option(help="Client secret; generated when omitted.")
    ] = None,
) -> None:
    """Register an API client for OAuth2 tokens. The secret is printed once, on the last line."""
    settings = migrated_settings()

    async def work(session: Session) -> tuple[ApiClient, str]:
        user_id = (await _user_by_login(session, user, "--user")).id if user else None
        return await integration.create_client(
            session,
            CLI_ACTOR,
            ApiClientCreate(
                name=name,
                client_id=client_id,
                secret=client_secret,
                access_level=access_level,
                user_id=user_id,
            ),
        )

    client, secret = run_in_unit_of_work(settings, work)
    typer.echo(f"created API client {client.name} ({client.access_level}, scope {client.scope})")
    typer.echo(f"client id: {client.client_id}")
    typer.echo("client secret (shown once; only its digest is stored):")
    typer.echo(secret)


@tokens_app.command("create")
@one_line_errors
def tokens_create(
    user: Annotated[
        str | None, typer.Option(help="A personal token acting as this user (e-mail).")
    ] = None,
    account: Annotated[
        bool, typer.Option("--account", help="An account-wide token, with admin rights.")
    ] = False,
    name: Annotated[str | None, typer.Option(help="What the token is for.")] = None,
) -> None:
    """Create an API token. The token is printed once, alone on the last line."""
    if (user is None) == (not account):
        raise Invalid("give exactly one of --user EMAIL and --account.")
    settings = migrated_settings()

    async def work(session: Session) -> tuple[str, str]:
        if account:
            _, token = await integration.create_api_token(
                session, CLI_ACTOR, account=True, name=name or "Account-wide token"
            )
            return "account-wide", token
        assert user is not None
        owner = await _user_by_login(session, user, "--user")
        _, token = await integration.create_api_token(
            session, CLI_ACTOR, user_id=owner.id, name=name or f"Token for {owner.email}"
        )
        return f"personal ({owner.email})", token

    what, token = run_in_unit_of_work(settings, work)
    typer.echo(f"created {what} API token (shown once; only its digest is stored):")
    typer.echo(token)


@app.command("demo")
@one_line_errors
def demo_load(
    records_per_kind: Annotated[
        int,
        typer.Option(
            min=1,
            max=10_000,
            help="Incidents and requests to generate; problems, changes, releases get half.",
        ),
    ] = demo_data.RECORDS_PER_KIND,
) -> None:
    """Load the demo data set (safe to repeat). It is for trying Polydesk out: public passwords."""
    settings = load_settings()
    if settings.env == "production":
        raise Invalid("the demo data has public passwords; it is never loaded when ENV=production.")
    _upgrade(settings)
    console = Console(stderr=True)
    console.print(
        "Loading the demo data set. It is for trying Polydesk out: its passwords are public "
        "(tim@acme.com / 123), so never load it into a desk people rely on."
    )
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(step, total=total)
            bar.update(tasks[step], completed=done, total=total)

        async def work(session: Session) -> DemoResult:
            from polydesk.domains.demo import service as demo  # only this command needs it

            return await demo.load_demo(
                session, records_per_kind=records_per_kind, progress=progress
            )

        result = run_in_unit_of_work(settings, work)
    if result.records_created:
        made = ", ".join(f"{n} {kind}s" for kind, n in result.records_created.items())
        typer.echo(f"demo data loaded: {made}")
    else:
        typer.echo("demo data already loaded; missing reference data, if any, was added")
    typer.echo("credentials (demo only):")
    for credential in result.credentials:
        typer.echo(f"  {credential.what}: {credential.login} / {credential.secret}")


def _report_admin(created: AdminCreated | None) -> None:
    if created is None:
        return
    if created.generated_password is None:
        typer.echo(f"created administrator {created.user.email}")
    else:
        typer.echo(
            f"created administrator {created.user.email} with password "
            f"{created.generated_password} (shown once; change it after signing in)"
        )


@app.command()
@one_line_errors
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
) -> None:
    """Apply migrations, create what a first start needs, then serve."""
    settings = migrated_settings()
    settings.signing_key()  # generate the stored key now, not racing in N workers

    async def first_start(session: Session) -> AdminCreated | None:
        return await setup.first_start(
            session, email=settings.admin_email, password=settings.admin_password
        )

    _report_admin(run_in_unit_of_work(settings, first_start))
    typer.echo(f"serving on http://{host}:{port} with {workers} worker(s)")
    gc.disable()  # while the application is imported: see polydesk.__main__
    try:
        from polydesk import serving  # the application: only this command needs it
    finally:
        gc.enable()
    serving.serve(settings, host=host, port=port, workers=workers)


# typer vendors click; its command-line errors derive from the base class of BadParameter.
UsageError: type[Exception] = typer.BadParameter.__mro__[1]


def main() -> None:
    """Run the command; a malformed command line is one ``error:`` line and status 2."""
    try:
        code = app(standalone_mode=False)
    except UsageError as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":
            exc.show()  # type: ignore[attr-defined]
            sys.exit(0)
        message = " ".join(exc.format_message().split())  # type: ignore[attr-defined]
        typer.echo(f"error: {message}", err=True)
        sys.exit(exc.exit_code)  # type: ignore[attr-defined]
    except typer.Abort:
        typer.echo("error: aborted", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
