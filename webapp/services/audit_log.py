"""Reading the audit log: filters, readable details and CSV export (entries are never edited)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, or_, select

from webapp.extensions import db
from webapp.ids import parse_id
from webapp.models import AuditEntry
from webapp.services.search import contains

#: Actions the app records; the filter also offers any other action found in the log.
KNOWN_ACTIONS = (
    "auth.login",
    "auth.login_failed",
    "auth.logout",
    "user.create",
    "user.deactivate",
    "user.reactivate",
    "user.password_change",
    "connector.create",
    "connector.update",
    "connector.clone",
    "connector.delete",
    "connector.disable",
    "connector.enable",
    "connector.rename",
    "connector.test",
    "secrets.rotate",
    "token.create",
    "token.revoke",
    "ticket.create",
    "ticket.retry",
)
FILTER_MAX_LENGTH = 254
CSV_COLUMNS = ("time", "user", "action", "target type", "target id", "target", "details")
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


def action_choices() -> list[str]:
    """Every action the filter can offer: the known ones and any found in the log."""
    found = db.session.scalars(select(AuditEntry.action).distinct())
    return sorted(set(KNOWN_ACTIONS) | set(found))


def actor_label(entry: AuditEntry) -> str:
    if entry.actor_email:
        return entry.actor_email
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
    parts = []
    if changed:
        parts.append("changed: " + ", ".join(changed))
    if secrets_changed:
        parts.append("secret changed: " + ", ".join(secrets_changed))
    if entry.action == "connector.update" and not (changed or secrets_changed):
        parts.append("no changes")
    parts.extend(f"{key.replace('_', ' ')}: {_format(value)}" for key, value in details.items())
    return "; ".join(parts)


def target_label(entry: AuditEntry) -> str:
    if entry.target_type is None:
        return ""
    name = entry.target_name or ""
    number = f" #{entry.target_id}" if entry.target_id is not None else ""
    return f"{entry.target_type}{number} {name}".strip()


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
                entry.target_type,
                entry.target_id,
                entry.target_name,
                describe(entry),
            )
        )
