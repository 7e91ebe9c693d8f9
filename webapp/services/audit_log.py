"""Reading the audit log: filters, readable details and CSV export (entries are never edited)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, or_, select

from webapp.extensions import db
from webapp.ids import parse_id
from webapp.models import AuditEntry, Connector, Ticket, User
from webapp.outbound.results import Stage
from webapp.services.search import contains
from webapp.services.systems import registry
from webapp.trackers.registry import UnknownSystem

#: What each recorded action means, in words: the page and the CSV's "action text" column
#: show these, while filters and the CSV's "action" column keep the stable codes.
ACTION_TEXT: dict[str, str] = {
    "auth.login": "Logged in",
    "auth.login_failed": "Failed to log in",
    "auth.logout": "Logged out",
    "auth.logout_everywhere": "Logged out everywhere",
    "user.create": "Added a user",
    "user.deactivate": "Deactivated a user",
    "user.reactivate": "Reactivated a user",
    "user.password_change": "Changed their password",
    "connector.create": "Created a connector",
    "connector.update": "Changed a connector",
    "connector.clone": "Cloned a connector",
    "connector.restore": "Restored a connector version",
    "connector.delete": "Deleted a connector",
    "connector.disable": "Disabled a connector",
    "connector.enable": "Enabled a connector",
    "connector.rename": "Renamed a connector (duplicate name)",
    "connector.test": "Tested a connection",
    "connector.sync_labels": "Synced tracker labels",
    "connector.export_secrets": "Exported a connector with its secrets",
    "connectors.export_secrets": "Exported all connectors with their secrets (encrypted)",
    "connectors.import": "Imported a connector bundle",
    "connector.webhook_secret": "Generated or rotated a webhook secret",
    "connector.triage": "Triaged open issues by category",
    "secrets.rotate": "Re-encrypted connector secrets",
    "token.create": "Created an API token",
    "token.revoke": "Revoked an API token",
    "ticket.create": "Created a ticket",
    "ticket.deliver": "Ticket delivery attempt",
    "ticket.retry": "Retried a ticket",
    "ticket.edit": "Edited a ticket",
    "ticket.discard": "Discarded a ticket",
    "discord.configure": "Changed the Discord settings",
    "discord.route_add": "Mapped a Discord server or channel",
    "discord.route_delete": "Removed a Discord mapping",
    "discord.register_commands": "Registered the Discord commands",
    "ticket.comment": "Commented on a ticket's issue",
    "ticket.comment_retry": "Retried a comment",
    "ticket.close": "Closed a ticket's issue",
    "ticket.reopen": "Reopened a ticket's issue",
    "notification_channel.create": "Created a notification channel",
    "notification_channel.update": "Changed a notification channel",
    "notification_channel.delete": "Deleted a notification channel",
    "notification_channel.test": "Sent a test notification",
    "notification_channel.resend": "Sent a notification again",
}
#: Actions the app records; the filter also offers any other action found in the log.
KNOWN_ACTIONS = tuple(ACTION_TEXT)
#: How a target type (the model's class name) reads in a sentence.
TARGET_NOUNS = {"apitoken": "API token", "notificationchannel": "notification channel"}
#: Target types that have a page of their own to link to.
LINKABLE_MODELS = {"connector": Connector, "ticket": Ticket, "user": User}
FILTER_MAX_LENGTH = 254
CSV_COLUMNS = (
    "time",
    "user",
    "action",
    "action text",
    "target type",
    "target id",
    "target",
    "details",
)
#: Spreadsheets run cells starting with these as formulas.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class AuditFilters:
    user: str = ""
    connector: str = ""
    action: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> AuditFilters:
        def value(name: str) -> str:
            return (args.get(name) or "").strip()[:FILTER_MAX_LENGTH]

        return cls(user=value("user"), connector=value("connector"), action=value("action"))

    def as_args(self) -> dict[str, str]:
        """The filters that are set, for links that keep them (pages, CSV)."""
        return {name: value for name, value in vars(self).items() if value}


def entries_query(filters: AuditFilters) -> Select:
    """Entries matching ``filters``, newest first.

    The user filter finds what a user did and what was done to their account (including
    failed logins with that e-mail); the connector filter takes an id or part of a name.
    """
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if filters.user:
        about_user = and_(
            AuditEntry.target_type == "user", contains(AuditEntry.target_name, filters.user)
        )
        query = query.where(or_(contains(AuditEntry.actor_email, filters.user), about_user))
    if filters.connector:
        query = query.where(AuditEntry.target_type == "connector")
        connector_id = parse_id(filters.connector)
        if connector_id is not None:
            query = query.where(AuditEntry.target_id == connector_id)
        else:
            query = query.where(contains(AuditEntry.target_name, filters.connector))
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    return query


def action_choices() -> list[tuple[str, str]]:
    """Every action the filter can offer, as (code, text): the known ones and any found
    in the log, in the order of their text."""
    found = db.session.scalars(select(AuditEntry.action).distinct())
    return sorted(
        ((code, action_text(code)) for code in set(KNOWN_ACTIONS) | set(found)),
        key=lambda choice: (choice[1].lower(), choice[0]),
    )


def action_text(action: str) -> str:
    """The action in words; an action this version does not know shows as its code."""
    return ACTION_TEXT.get(action, action)


def actor_label(entry: AuditEntry) -> str:
    if entry.actor_email:
        return entry.actor_email
    details = entry.details or {}
    if details.get("reporter"):  # someone outside: a Discord member, say
        return details["reporter"]
    if details.get("via") == "discord" and details.get("author"):
        return details["author"]
    if (entry.details or {}).get("via"):
        return entry.details["via"]
    return "not logged in" if entry.action.startswith("auth.") else "command line"


def _format(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "—"
    if isinstance(value, list | tuple):
        return ", ".join(_format(item) for item in value) or "none"
    if isinstance(value, dict):
        return ", ".join(f"{key}={_format(item)}" for key, item in value.items()) or "none"
    return str(value)


def describe(entry: AuditEntry) -> str:
    """The entry's details as one readable line; changed secrets are named, never shown."""
    details = dict(entry.details or {})
    changed, secrets_changed = details.pop("changed", None), details.pop("secrets_changed", None)
    parts = _test_outcome(entry, details) if entry.action == "connector.test" else []
    if changed:
        parts.append("changed: " + ", ".join(changed))
    if secrets_changed:
        parts.append("secret changed: " + ", ".join(secrets_changed))
    if entry.action == "connector.update" and not (changed or secrets_changed):
        parts.append("no changes")
    parts.extend(f"{key.replace('_', ' ')}: {_format(value)}" for key, value in details.items())
    return "; ".join(parts)


def _test_outcome(entry: AuditEntry, details: dict[str, Any]) -> list[str]:
    """A connection test's result in words; takes the keys it explains out of ``details``."""
    ok, stage = details.pop("ok", None), details.pop("failed_stage", None)
    unsaved = details.pop("unsaved", False)
    if unsaved:
        details.pop("system", None)  # the target names it: the connector, or "unsaved X settings"
    if ok:
        outcome = "passed"
    elif stage:
        outcome = f"failed at the {_stage_label(stage)} step"
    else:
        outcome = "not run"
    return [f"{outcome} (unsaved changes)" if unsaved and entry.target_type else outcome]


def _stage_label(stage: Any) -> str:
    try:
        return Stage(stage).label
    except ValueError:
        return str(stage)


def target_label(entry: AuditEntry) -> str:
    """What the action was done to, e.g. "connector #3 Ops Jira" or, for a connection test
    of settings that were never saved, "unsaved GitLab settings"."""
    if entry.target_type is None:
        return _untargeted_label(entry)
    noun = TARGET_NOUNS.get(entry.target_type, entry.target_type)
    name = entry.target_name or ""
    number = f" #{entry.target_id}" if entry.target_id is not None else ""
    return f"{noun}{number} {name}".strip()


def _untargeted_label(entry: AuditEntry) -> str:
    details = entry.details or {}
    if entry.action == "connector.test" and details.get("unsaved"):
        return f"unsaved {_system_name(details.get('system')) or 'connector'} settings"
    if entry.action == "secrets.rotate":
        return "all connectors"
    return ""


def _system_name(system_id: Any) -> str:
    try:
        return registry().get(str(system_id)).name
    except UnknownSystem:
        # A plugin that is no longer installed: its id still says which tracker it was.
        return str(system_id or "")


def existing_targets(entries: Iterable[AuditEntry]) -> set[tuple[str, int]]:
    """The (type, id) targets of ``entries`` that still exist, so the page links only
    to those (one query per type, whatever the page size)."""
    wanted: dict[str, set[int]] = {}
    for entry in entries:
        if entry.target_type in LINKABLE_MODELS and entry.target_id is not None:
            wanted.setdefault(entry.target_type, set()).add(entry.target_id)
    found = set()
    for target_type, ids in wanted.items():
        model = LINKABLE_MODELS[target_type]
        rows = db.session.scalars(select(model.id).where(model.id.in_(ids)))
        found.update((target_type, row) for row in rows)
    return found


def csv_safe(value: Any) -> str:
    """``value`` as a cell that a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_lines(filters: AuditFilters) -> Iterator[str]:
    """The filtered log as CSV, one line at a time (large logs are streamed)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(cells) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([csv_safe(cell) for cell in cells])
        return buffer.getvalue()

    yield line(CSV_COLUMNS)
    query = entries_query(filters).execution_options(yield_per=500)
    for entry in db.session.scalars(query):
        yield line(
            (
                entry.at.isoformat(),
                actor_label(entry),
                entry.action,
                action_text(entry.action),
                entry.target_type,
                entry.target_id,
                entry.target_name,
                describe(entry),
            )
        )
