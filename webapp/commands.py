"""Command-line interface: `flask users …`, `flask serve`, `flask setup-url`."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from werkzeug.serving import run_simple

from webapp.extensions import db
from webapp.services import audit
from webapp.services import setup as setup_service
from webapp.services.errors import ServiceError
from webapp.services.secrets import rotate_all
from webapp.services.users import create_user

users_cli = AppGroup("users", help="Manage dashboard users.")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(["admin", "viewer"]), default="admin", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user_command(email: str, role: str, password_stdin: bool) -> None:
    """Create a user who can log in with EMAIL."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(email, password, role=role)
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Created {user.role} {user.email}.")


def print_setup_hint(base_url: str) -> None:
    token = setup_service.issue_setup_token()
    if token is None:
        return
    click.secho("\nNo user exists yet. Create the first administrator either:", bold=True)
    click.echo(f"  * in the browser, once:  {base_url}/setup?token={token}")
    click.echo("  * or on the command line:  .venv/bin/flask --app webapp users create EMAIL\n")


@click.command("setup-url")
@click.option("--base-url", default="http://127.0.0.1:5000", show_default=True)
def setup_url_command(base_url: str) -> None:
    """Print a one-time link that creates the first administrator (if none exists)."""
    print_setup_hint(base_url.rstrip("/"))


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve_command(host: str, port: int) -> None:
    """Serve the dashboard (development server), explaining first-run set-up."""
    app = current_app._get_current_object()
    print_setup_hint(f"http://{host}:{port}")
    click.echo(f"Connector Desk is serving on http://{host}:{port}/ (Ctrl+C to stop)")
    # Flask's app.run() refuses to run inside a CLI command, so serve with werkzeug.
    run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=app.debug)


secrets_cli = AppGroup("secrets", help="Manage the encryption of connector secrets.")


@secrets_cli.command("rotate")
def rotate_secrets_command() -> None:
    """Re-encrypt every stored secret with the first key of CONNECTOR_SECRETS_KEY."""
    rotated, unreadable = rotate_all()
    audit.record("secrets.rotate", None, rotated=rotated, unreadable=len(unreadable))
    db.session.commit()
    click.echo(f"Re-encrypted the secrets of {rotated} connector(s).")
    for connector in unreadable:
        click.echo(
            f"Cannot decrypt the secrets of connector {connector.id} ({connector.name}): "
            "re-enter them on its edit page.",
            err=True,
        )
    if unreadable:
        raise SystemExit(1)


def init_app(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(secrets_cli)
    app.cli.add_command(setup_url_command)
    app.cli.add_command(serve_command)
