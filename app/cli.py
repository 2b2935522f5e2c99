"""Operator commands: `flask db upgrade`, `flask db copy`, `flask users create-admin`,
`flask sessions purge`, `flask audit prune`."""

import sys

import click
from flask import current_app
from flask.cli import AppGroup
from marshmallow import ValidationError

from app import cli_progress, migrations
from app.database import DATABASE_ERRORS, DatabaseUnavailable, display_url, get_db
from app.schemas.users import UserCreateSchema
from app.services import audit_trail, database_copy
from app.services import login_sessions as sessions_service
from app.services import users as users_service
from app.services.domain_errors import DomainError

db_cli = AppGroup("db", help="Database schema commands.")
users_cli = AppGroup("users", help="User administration commands.")
sessions_cli = AppGroup("sessions", help="Login session commands.")
audit_cli = AppGroup("audit", help="Audit trail commands.")


@db_cli.command("upgrade")
def upgrade_command():
    """Apply the pending migrations in migrations/, each once, in order."""
    try:
        applied = migrations.upgrade(get_db())
    except migrations.MigrationRefused as error:
        raise click.ClickException(f"upgrade refused: {error}") from None
    for migration in applied:
        click.echo(f"applied {migration.name}")
    click.echo(f"database is up to date ({display_url(current_app.config['DATABASE_URL'])})")


@db_cli.command("copy")
@click.option(
    "--from",
    "source_url",
    required=True,
    metavar="URL",
    help="The database to copy from, e.g. sqlite:///instance/users.db.",
)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=database_copy.BATCH_SIZE,
    show_default=True,
    help="Rows read and written at a time.",
)
def copy_command(source_url, batch_size):
    """Copy every row of another database into this app's empty one (DATABASE_URL).

    Shows its progress on stderr: a bar on a terminal, a line every few seconds otherwise.
    """
    try:
        with cli_progress.reporter("copying rows") as report:
            counts = database_copy.copy_from(source_url, batch_size=batch_size, on_progress=report)
    except DomainError as error:
        raise click.ClickException(error.detail) from None
    except (ValueError, DatabaseUnavailable, *DATABASE_ERRORS) as error:
        raise click.ClickException(f"nothing was copied: {error}") from None
    click.echo(f"copied {_counted(counts)}")


@users_cli.command("create-admin")
@click.option("--email", required=True, help="The admin's email address.")
@click.option("--name", default="Administrator", show_default=True, help="Display name.")
@click.option("--password-stdin", is_flag=True, help="Read the password from one line of stdin.")
def create_admin_command(email, name, password_stdin):
    """Create an admin, or promote (and reactivate) an existing user."""
    if password_stdin:
        password = sys.stdin.readline().removesuffix("\n").removesuffix("\r")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        data = UserCreateSchema().load({"email": email, "name": name, "password": password})
        user, created = users_service.create_or_promote_admin(data)
    except ValidationError as error:
        raise click.ClickException(_describe(error.messages)) from None
    except DomainError as error:
        raise click.ClickException(_describe(error.errors) or error.detail) from None
    click.echo(f"{'created' if created else 'promoted'} admin {user.email} (id {user.id})")


@sessions_cli.command("purge")
def purge_command():
    """Delete expired refresh tokens, dead sessions and stale failed-login counters."""
    counts = sessions_service.purge_expired()
    click.echo(f"{_counted(counts)} deleted")


@audit_cli.command("prune")
@click.option(
    "--batch-size",
    type=click.IntRange(1, audit_trail.PRUNE_BATCH_SIZE),
    default=audit_trail.PRUNE_BATCH_SIZE,
    show_default=True,
    help="Events deleted per statement (each in its own short transaction).",
)
def prune_command(batch_size):
    """Delete audit events older than AUDIT_RETENTION_DAYS, in batches."""
    before = audit_trail.prune_cutoff()
    total = audit_trail.count_prunable(before)
    batches = audit_trail.prune(before, batch_size=batch_size)
    if sys.stdout.isatty():
        removed = 0
        with click.progressbar(length=total, label="pruning audit events") as bar:
            for deleted in batches:
                removed += deleted
                bar.update(deleted)
    else:
        removed = _prune_with_lines(batches, total)
    stamp = before.strftime("%Y-%m-%dT%H:%M:%SZ")
    click.echo(f"removed {removed} audit events older than {stamp}")


def _prune_with_lines(batches, total):
    """Drain the batches, printing a line after each (a log reads it, not a person)."""
    removed = 0
    for deleted in batches:
        removed += deleted
        click.echo(f"removed {removed} of {total} audit events so far")
    return removed


def _counted(counts):
    return ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in counts.items())


def _describe(errors):
    return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in (errors or {}).items())


def init_app(app):
    """Register the command groups."""
    app.cli.add_command(db_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(sessions_cli)
    app.cli.add_command(audit_cli)
