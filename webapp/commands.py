"""Command-line interface: `flask users …`, `flask discord …`, `flask serve`, `flask setup-url`."""

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
from webapp.services import webhooks as webhook_service
from webapp.services.argus_settings import import_argus
from webapp.services.bundles import export_bundle, import_bundle
from webapp.services.change_context import changes_via
from webapp.services.connection_tests import test_many
from webapp.services.connectors import connectors_query
from webapp.services.delivery_worker import COMMAND, run_worker, start_embedded_worker
from webapp.services.discord import api as discord_api
from webapp.services.discord import settings as discord_settings
from webapp.services.errors import ServiceError, ValidationFailed
from webapp.services.notification_channels import rotate_urls
from webapp.services.secrets import rotate_all
from webapp.services.ticket_sync import PASS_SECONDS, SyncOutcome, run_sync, sync_ticket
from webapp.services.triage import triage_sweep
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

    Also delivers due tickets and polls sent tickets' issues from a background thread
    (EMBEDDED_WORKER=0 turns it off).
    """
    app = current_app._get_current_object()
    require_database()
    print_setup_hint(f"http://{host}:{port}")
    worker = start_embedded_worker(app)
    if worker is not None:
        click.echo(f"Delivering due tickets every {worker.interval:g} s (EMBEDDED_WORKER=0: off)")
        if app.config.get("SYNC_INTERVAL_SECONDS"):
            click.echo("and polling sent tickets' issues (SYNC_INTERVAL_SECONDS=0: off)")
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
    channels, unreadable_channels = rotate_urls()
    audit.record(
        "secrets.rotate",
        None,
        rotated=rotated,
        unreadable=len(unreadable),
        channels=channels,
        unreadable_channels=len(unreadable_channels),
    )
    db.session.commit()
    click.echo(f"Re-encrypted the secrets of {rotated} connector(s).")
    if channels or unreadable_channels:
        click.echo(f"Re-encrypted the URLs of {channels} notification channel(s).")
    for connector in unreadable:
        click.echo(
            f"Cannot decrypt the secrets of connector {connector.id} ({connector.name}): "
            "re-enter them on its edit page.",
            err=True,
        )
    for channel in unreadable_channels:
        click.echo(
            f"Cannot decrypt the URL of notification channel {channel.id} ({channel.name}): "
            "enter it again on its edit page.",
            err=True,
        )
    if unreadable or unreadable_channels:
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


def _failure(error: ServiceError) -> click.ClickException:
    """One line per field for validation errors, else the message."""
    errors = getattr(error, "errors", None)
    if not errors:
        return click.ClickException(error.message)
    lines = [f"{field}: {message}" for field, messages in errors.items() for message in messages]
    return click.ClickException("\n".join([error.message, *lines]))


def _passphrase(from_stdin: bool) -> str | None:
    return sys.stdin.readline().rstrip("\r\n") if from_stdin else None


@connectors_cli.command("import-argus")
@click.argument("file", type=click.File("r"))
@click.option("--name", required=True, help="Name of the connector to create.")
@click.option("--dry-run", is_flag=True, help="Show the connector; create nothing.")
@click.option("--test", "run_test", is_flag=True, help="Run the connection test once created.")
def import_argus_command(file, name: str, dry_run: bool, run_test: bool) -> None:
    """Create a connector from Argus ticket settings (a Python snippet or JSON in FILE)."""
    try:
        plan = import_argus(None, name, file.read(), dry_run=dry_run)
    except ServiceError as error:
        raise _failure(error) from None
    shown = plan.to_dict()
    connector = shown["connector"]
    verb = "Would create" if dry_run else f"Created (id {connector['id']})"
    click.echo(f"{verb} {plan.system.name} connector “{connector['name']}”.")
    for key, value in connector["params"].items():
        click.echo(f"  {key} = {value}")
    for key in connector["secrets"]:
        click.echo(f"  {key} = (secret)")
    for category in connector["categories"]:
        click.echo(f"  category {category['name']} → label {category['label']}")
    for item in shown["unmapped"]:
        click.echo(f"Not mapped: {item['key']}: {item['reason']}")
    for field, messages in plan.errors.items():
        for message in messages:
            click.echo(f"Error: {field}: {message}", err=True)
    if plan.errors:
        raise SystemExit(1)
    if run_test and plan.connector is not None:
        ((_, result),) = test_many(None, [plan.connector], max_workers=1)
        click.echo(f"Connection test: {'ok' if result.ok else 'FAILED'}: {result.summary}")
        if result.failed_stage:
            raise SystemExit(1)


@connectors_cli.command("export")
@click.option("--include-secrets", is_flag=True, help="Encrypt secrets into the bundle.")
@click.option("--passphrase-stdin", is_flag=True, help="Read the passphrase from standard input.")
def export_bundle_command(include_secrets: bool, passphrase_stdin: bool) -> None:
    """Print every connector, with its categories, as a JSON bundle."""
    if include_secrets != passphrase_stdin:
        raise click.UsageError("--include-secrets and --passphrase-stdin go together.")
    try:
        bundle = export_bundle(None, _passphrase(passphrase_stdin))
    except ServiceError as error:
        raise _failure(error) from None
    click.echo(json.dumps(bundle, indent=2, ensure_ascii=False))


@connectors_cli.command("import")
@click.argument("file", type=click.File("rb"))
@click.option("--dry-run", is_flag=True, help="Show what would change; change nothing.")
@click.option("--passphrase-stdin", is_flag=True, help="Read the passphrase from standard input.")
def import_bundle_command(file, dry_run: bool, passphrase_stdin: bool) -> None:
    """Create or update connectors from a JSON bundle, matched by name."""
    try:
        result = import_bundle(
            None, file.read(), passphrase=_passphrase(passphrase_stdin), dry_run=dry_run
        )
    except ServiceError as error:
        raise _failure(error) from None
    for item in result.items:
        changed = f" ({', '.join(item.changed)})" if item.changed else ""
        click.echo(f"{item.action:<10} {item.system_id:<8} {item.name}{changed}")
        for field, messages in item.errors.items():
            for message in messages:
                click.echo(f"  error: {field}: {message}", err=True)
    counts = ", ".join(f"{n} {action}" for action, n in result.counts().items())
    click.echo(("Would apply: " if dry_run else "Applied: ") + counts)
    if not result.valid:
        raise SystemExit(1)


@connectors_cli.command("webhook")
@click.argument("connector_id", type=int)
@click.option("--rotate", is_flag=True, help="Generate a new secret and print it (once).")
@click.option(
    "--base-url",
    default=None,
    help="How trackers reach this dashboard [default: PUBLIC_BASE_URL, else the running "
    f"`flask serve`'s, else {DEFAULT_BASE_URL}]",
)
def webhook_command(connector_id: int, rotate: bool, base_url: str | None) -> None:
    """Show a connector's webhook URL and state; --rotate generates or replaces its secret."""
    connector = db.session.get(Connector, connector_id)
    if connector is None:
        raise click.UsageError(f"No connector with id {connector_id}.")
    base_url = (
        base_url
        or current_app.config.get("PUBLIC_BASE_URL")
        or running_server_url()
        or DEFAULT_BASE_URL
    )
    secret = None
    if rotate:
        try:
            _, secret = webhook_service.rotate_secret(None, connector)
        except ServiceError as error:
            raise click.ClickException(error.message) from None
    status = webhook_service.webhook_status(connector, base_url)
    if not status.supported:
        raise click.ClickException(f"{status.tracker} sends no webhooks: it is polled instead.")
    click.echo(f"URL:             {status.url or '(generate a secret with --rotate)'}")
    click.echo(f"Configured:      {'yes' if status.configured else 'no'}")
    last = status.last_received_at.isoformat() if status.last_received_at else "never"
    click.echo(f"Last received:   {last}")
    click.echo(f"Events received: {status.events_received}")
    click.echo(f"Rejected:        {status.rejected}")
    if secret is not None:
        click.echo(f"Secret:          {secret}")
        click.echo("The secret is shown this once: paste it into the tracker now.", err=True)


@connectors_cli.command("prune-events")
def prune_events_command() -> None:
    """Delete webhook events older than WEBHOOK_RETENTION_DAYS (the worker does it too)."""
    removed = webhook_service.prune_events()
    click.echo(f"Deleted {removed} webhook event(s).")


@connectors_cli.command("triage")
@click.argument("connector_id", type=int)
@click.option("--dry-run", is_flag=True, help="Only say which labels each issue would get.")
def triage_connector_command(connector_id: int, dry_run: bool) -> None:
    """Label the connector's open issues by the [Category] in their titles."""
    connector = db.session.get(Connector, connector_id)
    if connector is None:
        raise click.UsageError(f"No connector with id {connector_id}.")
    try:
        report = triage_sweep(None, connector, dry_run=dry_run)
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    for outcome in report.outcomes:
        status = "would label" if outcome.dry_run else outcome.status
        said = ", ".join(outcome.labels)
        detail = f"{said}{': ' if said and outcome.message else ''}{outcome.message}"
        line = f"{outcome.key}\t{status}\t{outcome.title}"
        click.echo(f"{line}\t({detail})" if detail else line)
    summary = ", ".join(f"{count} {status}" for status, count in report.counts.items())
    click.echo(f"{len(report.outcomes)} open issue(s): {summary or 'none'}.")
    if report.message:
        click.echo(report.message, err=True)
    if report.message or report.counts.get("failed"):
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


tickets_cli = AppGroup("tickets", help="Deliver stored tickets and sync their issues.")


def worker_options(what: str, doing: str):
    """The options of a worker command: --loop, --interval, --limit (``what`` claimed at
    once) and the hidden --max-passes the tests stop it with."""

    def decorate(command):
        for option in reversed(
            (
                click.option("--loop", is_flag=True, help=f"Keep running, {doing} as they come."),
                click.option(
                    "--interval",
                    type=float,
                    default=None,
                    help="Seconds between passes (default: setting).",
                ),
                click.option(
                    "--limit",
                    type=click.IntRange(min=1),
                    default=None,
                    help=f"{what} claimed at once (default: setting).",
                ),
                click.option("--max-passes", type=int, default=None, hidden=True),
            )
        ):
            command = option(command)
        return command

    return decorate


@tickets_cli.command("deliver")
@worker_options("Tickets", "delivering due tickets")
def deliver_tickets_command(
    loop: bool, interval: float | None, limit: int | None, max_passes: int | None
):
    """Deliver pending and failed tickets that are due, and send due notifications
    (several workers may run at once)."""

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


discord_cli = AppGroup("discord", help="Set up the Discord integration.")


@discord_cli.command("configure")
@click.option("--application-id", required=True, help="The application's id (developer portal).")
@click.option("--public-key", required=True, help="The application's public key (64 hex digits).")
@click.option("--connector", "connector_id", type=int, default=None, help="The default connector.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    help="A Discord role id whose members may use the commands (repeat; replaces the list).",
)
@click.option("--bot-token-stdin", is_flag=True, help="Read the bot token from standard input.")
def configure_discord_command(
    application_id: str,
    public_key: str,
    connector_id: int | None,
    roles: tuple[str, ...],
    bot_token_stdin: bool,
) -> None:
    """Save the Discord settings (a token not given is kept, roles not given are kept)."""
    current = discord_settings.integration()
    kept_roles = list(current.allowed_role_ids) if current else []
    changes = discord_settings.DiscordChanges(
        application_id=application_id,
        public_key=public_key,
        default_connector_id=connector_id,
        allowed_role_ids=list(roles) if roles else kept_roles,
        bot_token=sys.stdin.readline().strip() if bot_token_stdin else "",
    )
    try:
        with changes_via("cli"):
            row = discord_settings.configure(None, changes)
    except ValidationFailed as error:
        lines = [f"{field}: {' '.join(messages)}" for field, messages in error.errors.items()]
        raise click.ClickException("\n".join(lines)) from None
    click.echo(f"Discord application {row.application_id} configured.")
    if not row.allowed_role_ids:
        click.echo("No allowed roles yet: nobody can use the commands (add --role ID).")


@discord_cli.command("register-commands")
def register_discord_commands_command() -> None:
    """Register /ticket, /reply and /status with Discord (replaces the application's list)."""
    row = discord_settings.integration()
    if row is None:
        raise click.ClickException("Configure Discord first: flask discord configure …")
    try:
        registered = discord_api.register_commands(row)
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    audit.record("discord.register_commands", None, None, commands=len(registered))
    db.session.commit()
    names = ", ".join("/" + str(command.get("name")) for command in registered)
    click.echo(f"Registered {len(registered)} commands: {names}.")


def _report_sync(outcome: SyncOutcome) -> None:
    said = ", ".join(change.kind for change in outcome.changes) or outcome.message
    click.echo(f"ticket {outcome.ticket_id}: {outcome.status}" + (f" ({said})" if said else ""))


@tickets_cli.command("sync")
@click.option("--loop", is_flag=True, help="Keep running, polling tickets as they fall due.")
@click.option("--ticket", "ticket_id", type=int, default=None, help="Poll this ticket now.")
@click.option(
    "--interval",
    type=float,
    default=PASS_SECONDS,
    show_default=True,
    help="Seconds between passes with --loop.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=None,
    help="Tickets polled per pass (default: SYNC_BATCH_SIZE).",
)
@click.option("--max-passes", type=int, default=None, hidden=True)
def sync_tickets_command(
    loop: bool, ticket_id: int | None, interval: float, limit: int | None, max_passes: int | None
):
    """Poll the issues of sent tickets: state, labels, assignees and comments.

    Politely: the tickets longest unheard-of first, at most SYNC_PER_CONNECTOR_PER_MINUTE
    per connector; a tracker that fails is asked again later, each time later.
    """
    if ticket_id is not None:
        try:
            outcome = sync_ticket(ticket_id)
        except ServiceError as error:
            raise click.ClickException(error.message) from None
        _report_sync(outcome)
        if outcome.status == "failed":
            raise SystemExit(1)
        return
    if not current_app.config["SYNC_INTERVAL_SECONDS"]:
        raise click.ClickException("Sync is off: SYNC_INTERVAL_SECONDS is 0.")
    run_sync(loop=loop, interval=interval, limit=limit, max_passes=max_passes, report=_report_sync)


notifications_cli = AppGroup("notifications", help="Send stored notifications.")


@notifications_cli.command("deliver")
@worker_options("Notifications", "sending notifications")
def deliver_notifications_command(
    loop: bool, interval: float | None, limit: int | None, max_passes: int | None
):
    """Send due notifications only (`flask tickets deliver` sends them too)."""

    def report(notification) -> None:
        where = f"HTTP {notification.http_status}" if notification.http_status else "no answer"
        detail = notification.last_error or where
        click.echo(f"notification {notification.id}: {notification.status} ({detail})")

    run_worker(
        COMMAND,
        interval or current_app.config["DELIVERY_INTERVAL_SECONDS"],
        limit,
        loop=loop,
        max_passes=max_passes,
        tickets=False,
        report_notification=report,
    )


def init_app(app: Flask) -> None:
    app.cli.add_command(discord_cli)
    app.cli.add_command(tickets_cli)
    app.cli.add_command(notifications_cli)
    app.cli.add_command(connectors_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(tokens_cli)
    app.cli.add_command(secrets_cli)
    app.cli.add_command(setup_url_command)
    app.cli.add_command(serve_command)
