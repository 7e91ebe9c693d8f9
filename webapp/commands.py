"""Command-line interface: `flask users …`, `flask serve`, `flask setup-url`."""

from __future__ import annotations

import json
import socket
import sys
from pathlib import Path
from urllib.parse import urlsplit

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import inspect, text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.serving import run_simple

from webapp.extensions import db
from webapp.log_redaction import redact
from webapp.models import Connector, TicketComment, User
from webapp.services import audit
from webapp.services import setup as setup_service
from webapp.services import tokens as token_service
from webapp.services.connection_tests import test_many
from webapp.services.connectors import connectors_query
from webapp.services.delivery_worker import COMMAND, run_worker, start_embedded_worker
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


DEFAULT_BASE_URL = "http://127.0.0.1:5000"
SERVER_URL_FILE = "server-url"  # where `flask serve` notes its address, for `setup-url`


def _server_url_path() -> Path:
    return Path(current_app.instance_path) / SERVER_URL_FILE


def record_server_url(base_url: str) -> None:
    """Note where this server listens, so `flask setup-url` prints links that work."""
    path = _server_url_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(base_url + "\n")


def running_server_url() -> str | None:
    """The address `flask serve` recorded, if a server still listens there."""
    try:
        url = _server_url_path().read_text().strip()
        parts = urlsplit(url)
        with socket.create_connection((parts.hostname, parts.port), timeout=1):
            return url
    except (OSError, ValueError):  # never recorded, unreadable, or that server is gone
        return None


@click.command("setup-url")
@click.option(
    "--base-url",
    default=None,
    help=f"The server's address [default: the running `flask serve`'s, else {DEFAULT_BASE_URL}]",
)
def setup_url_command(base_url: str | None) -> None:
    """Print a one-time link that creates the first administrator (if none exists)."""
    if base_url is None:
        base_url = running_server_url()
        if base_url is None and setup_service.setup_needed():
            base_url = DEFAULT_BASE_URL
            click.echo(
                f"No running `flask serve` found, so the link assumes {DEFAULT_BASE_URL}; "
                "pass --base-url if the server runs elsewhere.",
                err=True,
            )
    print_setup_hint((base_url or DEFAULT_BASE_URL).rstrip("/"))


def require_database() -> None:
    """Exit with one line naming the database (password masked) unless it answers and
    has its tables; better than a traceback from the first query."""
    url = db.engine.url.render_as_string(hide_password=True)
    try:
        db.session.execute(text("SELECT 1"))
        migrated = inspect(db.engine).has_table(User.__tablename__)
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        raise click.ClickException(f"Cannot reach the database {url}: {redact(reason)}") from None
    if not migrated:
        raise click.ClickException(
            f"The database {url} has no tables yet: run `flask --app webapp db upgrade` first."
        )


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve_command(host: str, port: int) -> None:
    """Serve the dashboard (development server), explaining first-run set-up.

    Also delivers due tickets from a background thread (EMBEDDED_WORKER=0 turns it off).
    """
    app = current_app._get_current_object()
    require_database()
    print_setup_hint(f"http://{host}:{port}")
    worker = start_embedded_worker(app)
    if worker is not None:
        click.echo(f"Delivering due tickets every {worker.interval:g} s (EMBEDDED_WORKER=0: off)")
    record_server_url(f"http://{host}:{port}")
    click.echo(f"Connector Desk is serving on http://{host}:{port}/ (Ctrl+C to stop)")
    try:
        # Flask's app.run() refuses to run inside a CLI command, so serve with werkzeug.
        run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=app.debug)
    finally:
        if worker is not None:
            worker.stop()


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


connectors_cli = AppGroup("connectors", help="Work with connectors.")


@connectors_cli.command("test")
@click.argument("ids", nargs=-1, type=int)
@click.option("--all", "test_all", is_flag=True, help="Test every connector.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option("--workers", type=int, default=None, help="Checks run at once (default: setting).")
def test_connectors_command(
    ids: tuple[int, ...], test_all: bool, as_json: bool, workers: int | None
):
    """Test connectors concurrently; exit 1 if any failed."""
    if not ids and not test_all:
        raise click.UsageError("Name connector ids, or use --all.")
    if test_all:
        connectors = list(db.session.scalars(connectors_query()))
    else:
        connectors = []
        for connector_id in ids:
            connector = db.session.get(Connector, connector_id)
            if connector is None:
                raise click.UsageError(f"No connector with id {connector_id}.")
            connectors.append(connector)
    workers = workers or current_app.config["CONNECTOR_TEST_WORKERS"]
    results = test_many(None, connectors, max_workers=workers)
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "connector": {"id": c.id, "name": c.name, "system": c.system_id},
                        "result": r.to_dict(),
                    }
                    for c, r in results
                ],
                indent=2,
            )
        )
    else:
        width = max([len(c.name) for c, _ in results] + [4])
        click.echo(f"{'ID':>5}  {'NAME':<{width}}  {'RESULT':<8}  DETAIL")
        for connector, result in results:
            state = "ok" if result.ok else ("FAILED" if result.failed_stage else "skipped")
            click.echo(
                f"{connector.id:>5}  {connector.name:<{width}}  {state:<8}  {result.summary}"
            )
    if any(result.failed_stage for _, result in results):
        raise SystemExit(1)


tokens_cli = AppGroup("tokens", help="Manage API tokens.")


def _user_by_email(email: str) -> User:
    user = User.by_email(email)
    if user is None:
        raise click.ClickException(f"No user has the e-mail {email}.")
    return user


@tokens_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="Where the token is used, e.g. 'CI'.")
@click.option("--expires-in", type=int, default=None, metavar="DAYS", help="Expire after DAYS.")
def create_token_command(email: str, name: str, expires_in: int | None) -> None:
    """Create an API token for EMAIL and print it (only the token, for scripts)."""
    try:
        _, key = token_service.create_token(None, _user_by_email(email), name, expires_in)
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    click.echo(key)


@tokens_cli.command("list")
@click.argument("email")
def list_tokens_command(email: str) -> None:
    """List the API tokens of EMAIL: id, name, key prefix and state."""
    for token in token_service.list_tokens(_user_by_email(email)):
        state = "revoked" if token.revoked_at else "active"
        click.echo(f"{token.id}\t{token.name}\t{token.prefix}…\t{state}")


@tokens_cli.command("revoke")
@click.argument("token_id", type=int)
def revoke_token_command(token_id: int) -> None:
    """Revoke the API token with id TOKEN_ID (see `flask tokens list`)."""
    try:
        token = token_service.get_token(token_id)
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    token_service.revoke_token(None, token)
    click.echo(f"Revoked token {token.id} ({token.name}) of {token.user.email}.")


tickets_cli = AppGroup("tickets", help="Deliver stored tickets.")


@tickets_cli.command("deliver")
@click.option("--loop", is_flag=True, help="Keep running, delivering due tickets as they come.")
@click.option(
    "--interval", type=float, default=None, help="Seconds between passes (default: setting)."
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=None,
    help="Tickets claimed at once (default: setting).",
)
@click.option("--max-passes", type=int, default=None, hidden=True)
def deliver_tickets_command(
    loop: bool, interval: float | None, limit: int | None, max_passes: int | None
):
    """Deliver pending and failed tickets that are due (several workers may run at once)."""

    def report(row) -> None:
        if isinstance(row, TicketComment):
            where = row.external_id or row.last_error
            click.echo(f"comment {row.id} on ticket {row.ticket_id}: {row.status} ({where})")
            return
        where = row.external_key or row.last_error
        click.echo(f"ticket {row.id}: {row.status} ({where})")

    run_worker(
        COMMAND,
        interval or current_app.config["DELIVERY_INTERVAL_SECONDS"],
        limit,
        loop=loop,
        max_passes=max_passes,
        report=report,
    )


def init_app(app: Flask) -> None:
    app.cli.add_command(tickets_cli)
    app.cli.add_command(connectors_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(tokens_cli)
    app.cli.add_command(secrets_cli)
    app.cli.add_command(setup_url_command)
    app.cli.add_command(serve_command)
