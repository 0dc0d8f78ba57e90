"""The ``polydesk`` command. Every command reads the same settings as the server, so it works
on the same data dir and database; bad input exits non-zero with a one-line error."""

from __future__ import annotations

import typer

from polydesk.core import migrate
from polydesk.core.settings import get_settings

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Polydesk service desk server.")
db_app = typer.Typer(no_args_is_help=True, help="Database schema.")
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration."""
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.resolved_database_url)
    typer.echo("database is up to date")


def main() -> None:
    app()
