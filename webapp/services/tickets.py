"""Raising tickets by hand: validate, store first, then deliver.

Everything the admin typed is committed as a ``pending`` ticket before any request
leaves, so a tracker outage, a timeout or a crash never loses a ticket; a one-time
submission token makes a double-submitted form create one ticket.
"""

from __future__ import annotations

import functools
import secrets as token_source
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import false, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from webapp.extensions import commit_keeping_loaded, db
from webapp.models import Connector, ConnectorCategory, Ticket, User
from webapp.models.base import utcnow
from webapp.models.ticket import DISCARDED, FAILED, PENDING, STATUSES, TITLE_MAX_LENGTH
from webapp.schema.titles import names_ticket_id, render_title
from webapp.schema.validation import validate_params
from webapp.services import audit, notifications
from webapp.services.change_context import current_via
from webapp.services.connector_sessions import ConnectorSession
from webapp.services.connectors import MAX_ID, Choices, connector_choices
from webapp.services.errors import NotFound, ServiceError, ValidationFailed
from webapp.services.permissions import require_ticket_change
from webapp.services.required_fields import TRACKER_FIELDS, check_tracker_fields, required_fields
from webapp.trackers.system import System
from webapp.trackers.tickets import LabelOutcome

DESCRIPTION_MAX = 20_000
MARKER_PREFIX = "connector-desk-ticket-"


def new_submission_token() -> str:
    return token_source.token_urlsafe(24)


@dataclass(frozen=True)
class Reporter:
    """Someone outside the dashboard who reported the ticket: a Discord member, say."""

    source: str
    id: str
    name: str


@dataclass
class TicketRequest:
    """What the ticket form (or the API) asks for."""

    connector_id: int | None
    title: str
    description: str = ""
    category: str = ""
    fields: Mapping[str, Any] | None = None
    submission_token: str = ""
    reporter: Reporter | None = None


@functools.cache
def ticket_schema(system: System, needs_target: bool) -> System:
    """The system's ticket fields as a System of their own, so the connector machinery
    (validation, form generation) serves tickets too. ``needs_target`` adds a required
    ``target`` field for connectors that leave the repository/project/queue empty."""
    fields = list(system.ticket_fields)
    if needs_target and system.target_field:
        base = system.field(system.target_field)
        fields.insert(
            0,
            replace(base, name="target", required=True, default=None, group=None, shown_when=None),
        )
    return System(
        id=system.id,
        short_name=system.short_name,
        name=system.name,
        description="",
        docs_url="",
        fields=tuple(fields),
    )


def needs_target(connector: Connector, system: System) -> bool:
    return bool(system.target_field) and not connector.params.get(system.target_field)


def ticket_field_defaults(connector: Connector, system: System) -> dict[str, Any]:
    """Per-system ticket field defaults taken from the connector (e.g. Jira issue type)."""
    return {
        name: connector.params[param]
        for name, param in system.ticket_defaults_from.items()
        if connector.params.get(param) not in (None, "", {})
    }


#: The connectors a ticket can go through (the usable ones: see ConnectorSession).
USABLE = (Connector.disabled.is_(False), Connector.inaccessible.is_(False))


def usable_connector_choices(
    search: str = "", page: int = 1, selected: int | None = None
) -> Choices:
    """One page of the usable connectors whose name contains ``search``: the ticket form's
    picker, which never lists them all."""
    return connector_choices(search, page, selected, USABLE)


def usable_connector(wanted: int | None) -> Connector | None:
    """The usable connector ``wanted``, else the first usable one by name, else None."""
    query = select(Connector).where(*USABLE).options(selectinload(Connector.categories))
    known = wanted and 0 < wanted <= MAX_ID  # SQLite refuses ids past its integer range
    connector = db.session.scalar(query.where(Connector.id == wanted)) if known else None
    return connector or db.session.scalar(query.order_by(Connector.name_key).limit(1))


def _category(connector: Connector, name: str) -> ConnectorCategory | None:
    return next((c for c in connector.categories if c.name == name), None)


def _validate(request: TicketRequest) -> tuple[Connector, System, dict[str, Any]]:
    """Check a request; errors are keyed title, description, category, connector_id or
    fields.<name>."""
    errors: dict[str, list[str]] = {}
    connector_id = request.connector_id or 0
    connector = db.session.get(Connector, connector_id) if 0 < connector_id <= MAX_ID else None
    if connector is None:
        raise ValidationFailed({"connector_id": ["Choose a connector."]})
    session = ConnectorSession.of(connector)
    if session.problem is not None:
        raise ValidationFailed({"connector_id": [session.problem]})
    system = session.system
    title = (request.title or "").strip()
    if not title:
        errors["title"] = ["This field is required."]
    elif len(title) > TITLE_MAX_LENGTH:
        errors["title"] = [f"Use at most {TITLE_MAX_LENGTH} characters ({len(title)} given)."]
    if len(request.description or "") > DESCRIPTION_MAX:
        errors["description"] = [f"Use at most {DESCRIPTION_MAX} characters."]
    if request.category and _category(connector, request.category) is None:
        errors["category"] = ["This category no longer exists on the connector; pick another."]
    schema = ticket_schema(system, needs_target(connector, system))
    raw = {**ticket_field_defaults(connector, system), **(request.fields or {})}
    raw = {name: value for name, value in raw.items() if schema.has_field(name)}
    result = validate_params(schema, raw)
    errors.update({f"fields.{name}": messages for name, messages in result.errors.items()})
    values = result.values
    if system.required_fields_from and not result.errors:
        # The tracker's own required fields (e.g. a Jira project's custom fields).
        asked = required_fields(connector, values)
        typed = (request.fields or {}).get(TRACKER_FIELDS)
        checked, field_errors = check_tracker_fields(system, asked, typed)
        errors.update({f"fields.{name}": messages for name, messages in field_errors.items()})
        if checked:
            values[TRACKER_FIELDS] = checked
    if errors:
        raise ValidationFailed(errors)
    return connector, system, values


def create_ticket(
    actor: User | None,
    request: TicketRequest,
    before_commit: Callable[[Ticket], None] | None = None,
) -> tuple[Ticket, bool]:
    """Store the ticket (pending); return it and whether it is new.

    A submission token that was used before returns the ticket it created.
    ``before_commit`` runs in the storing transaction, once the ticket has its id.
    """
    if request.submission_token:
        existing = db.session.scalar(
            select(Ticket).where(Ticket.submission_token == request.submission_token)
        )
        if existing is not None:
            return existing, False
    connector, system, fields = _validate(request)
    ticket = Ticket(
        connector_id=connector.id,
        connector_name=connector.name,
        system_id=system.id,
        submission_token=request.submission_token or new_submission_token(),
        marker=MARKER_PREFIX + token_source.token_hex(12),
        status=PENDING,
        final_title="",
        next_attempt_at=utcnow(),
        created_by_id=actor.id if actor else None,
    )
    if request.reporter is not None:
        ticket.reporter_source = request.reporter.source
        ticket.reporter_id = request.reporter.id[:64]
        ticket.reporter_name = request.reporter.name[:200]
    _set_content(ticket, connector, request, fields)
    # Titles without the ticket id are final now: no second write after the insert.
    title_needs_id = names_ticket_id(_title_format(connector, system, ticket))
    if not title_needs_id:
        ticket.final_title = final_title(connector, system, ticket)
    db.session.add(ticket)
    try:
        db.session.flush()
    except IntegrityError:  # the same form, submitted twice at once
        db.session.rollback()
        existing = db.session.scalar(
            select(Ticket).where(Ticket.submission_token == request.submission_token)
        )
        if existing is None:
            raise
        return existing, False
    if title_needs_id:
        ticket.final_title = final_title(connector, system, ticket)
    if actor is not None:
        remember_choices(actor, connector, ticket)
    reported = {"reporter": ticket.reporter, "via": current_via()} if ticket.reporter else {}
    audit.record("ticket.create", actor, ticket, connector_id=connector.id, **reported)
    _announce_created(ticket, connector, actor)
    if before_commit is not None:
        before_commit(ticket)
    # A new ticket has no comments yet, and what was just written is what the caller
    # shows: keeping it loaded saves reading the ticket and its author straight back.
    set_committed_value(ticket, "comments", [])
    commit_keeping_loaded()
    return ticket, True


def _announce_created(ticket: Ticket, connector: Connector, actor: User | None) -> None:
    """Notify the channels that follow this connector, in the ticket's transaction."""
    who = actor.email if actor is not None else "the command line"
    notifications.notify(
        notifications.TICKET_CREATED,
        connector=connector,
        ticket=ticket,
        title=f"New ticket #{ticket.id}: {ticket.final_title}",
        body=f"{who} raised it through {connector.name}; it is being delivered.",
        dedupe_key=f"ticket:{ticket.id}",
    )


def _set_content(
    ticket: Ticket, connector: Connector, request: TicketRequest, fields: dict[str, Any]
) -> None:
    """What the ticket says, from a validated request (new or revised)."""
    category = _category(connector, request.category) if request.category else None
    ticket.target = fields.pop("target", None)
    ticket.title, ticket.description, ticket.fields = (
        request.title.strip(),
        request.description or "",
        fields,
    )
    ticket.category = category.name if category else None
    ticket.label = category.label if category else None
    ticket.label_colour = category.colour if category else None


def _title_format(connector: Connector, system: System, ticket: Ticket) -> str:
    return system.title_format_for(
        connector.params.get("title_format") or "", with_category=bool(ticket.category)
    )


def final_title(connector: Connector, system: System, ticket: Ticket) -> str:
    title = render_title(
        _title_format(connector, system, ticket),
        title=ticket.title,
        category=ticket.category or "",
        ticket_id=str(ticket.id),
    )
    return title[:512]


def remember_choices(actor: User, connector: Connector, ticket: Ticket) -> None:
    defaults = dict(actor.ticket_defaults or {})
    per_system = dict(defaults.get("fields") or {})
    per_system[connector.system_id] = ticket.fields
    actor.ticket_defaults = {
        "connector_id": connector.id,
        "category": ticket.category or "",
        "fields": per_system,
    }


def _take_undelivered(ticket: Ticket, what: str, **values) -> None:
    """Change ``ticket`` in the database only while it is pending or failed.

    One conditional UPDATE, so a delivery worker claiming it at the same moment either
    claims it first (and this refuses) or waits for this transaction (PostgreSQL holds the
    row lock until commit) and then finds it no longer claimable.
    """
    changed = db.session.execute(
        update(Ticket)
        .where(Ticket.id == ticket.id, Ticket.status.in_((PENDING, FAILED)))
        .values(updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        db.session.rollback()
        raise ServiceError(f"Only pending or failed tickets can be {what}: it is being sent now.")
    db.session.refresh(ticket)


def revise_ticket(actor: User | None, ticket: Ticket, request: TicketRequest) -> Ticket:
    """Change what an undelivered ticket says (say after the tracker refused a field)."""
    require_ticket_change(actor, ticket)
    if ticket.status not in (PENDING, FAILED):
        raise ServiceError("Only pending or failed tickets can be edited.")
    _take_undelivered(ticket, "edited")
    request.connector_id = ticket.connector_id
    connector, system, fields = _validate(request)
    _set_content(ticket, connector, request, fields)
    ticket.final_title = final_title(connector, system, ticket)
    ticket.tracker_errors, ticket.updated_at = None, utcnow()
    audit.record("ticket.edit", actor, ticket)
    db.session.commit()
    return ticket


def get_ticket(ticket_id: int) -> Ticket:
    ticket = db.session.get(Ticket, ticket_id) if ticket_id <= MAX_ID else None
    if ticket is None:
        raise NotFound("There is no ticket with this id.")
    return ticket


def ticket_to_change(actor: User | None, ticket_id: int) -> Ticket:
    """The ticket, if ``actor`` may edit, retry or discard it (else Forbidden)."""
    ticket = get_ticket(ticket_id)
    require_ticket_change(actor, ticket)
    return ticket


def tickets_query(connector_id: int | None = None, status: str = ""):
    query = select(Ticket).options(selectinload(Ticket.created_by)).order_by(Ticket.id.desc())
    if connector_id:
        # An id past the column's range matches nothing (SQLite would raise on it).
        in_range = 0 < connector_id <= MAX_ID
        query = query.where(Ticket.connector_id == connector_id if in_range else false())
    if status in STATUSES:
        query = query.where(Ticket.status == status)
    return query


def discard(actor: User | None, ticket: Ticket) -> None:
    """Give up on an undelivered ticket; it stays in the list as discarded."""
    require_ticket_change(actor, ticket)
    if ticket.status not in (PENDING, FAILED):
        raise ServiceError("Only pending or failed tickets can be discarded.")
    _take_undelivered(ticket, "discarded", status=DISCARDED, next_attempt_at=None)
    audit.record("ticket.discard", actor, ticket)
    db.session.commit()


def mark_label_synced(category: ConnectorCategory, outcome: LabelOutcome) -> None:
    """A label that was created, or found there, needs no creating before its next use."""
    if outcome.status in ("created", "exists"):
        category.label_synced_at = utcnow()


def sync_labels(actor: User | None, connector: Connector):
    """Create every missing category label on the tracker; report each label's outcome."""
    session = ConnectorSession.of(connector)
    session.require_usable()
    outcomes = []
    if connector.categories:
        with session.client() as client:
            outcomes = [client.ensure_label(c.label, c.colour, None) for c in connector.categories]
    for category, outcome in zip(connector.categories, outcomes, strict=True):
        mark_label_synced(category, outcome)
    audit.record(
        "connector.sync_labels", actor, connector, outcomes={o.name: o.status for o in outcomes}
    )
    db.session.commit()
    return outcomes
