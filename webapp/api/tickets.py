"""Ticket endpoints over the ticket service: create (stored, then delivered), list, read,
retry and discard (admins any ticket, viewers their own)."""

from __future__ import annotations

from typing import Any

from flask import request
from sqlalchemy.orm import selectinload

from webapp.api import bp
from webapp.api.auth import api_user
from webapp.api.bodies import json_object
from webapp.api.connectors import ROUTE
from webapp.extensions import db
from webapp.http.paging import page_of
from webapp.http.request_input import query_id
from webapp.models import Ticket, TicketComment
from webapp.services import comments, delivery
from webapp.services import tickets as service
from webapp.services.errors import ValidationFailed
from webapp.services.intake import submit

TEXT_KEYS = ("title", "description", "category", "idempotency_key")


def ticket_to_dict(ticket: Ticket) -> dict[str, Any]:
    return {
        "id": ticket.id,
        "connector": {"id": ticket.connector_id, "name": ticket.connector_name},
        "system": ticket.system_id,
        "status": ticket.status,
        "title": ticket.title,
        "final_title": ticket.final_title,
        "description": ticket.description,
        "category": ticket.category,
        "label": ticket.label,
        "target": ticket.target,
        "fields": ticket.fields or {},
        "external_key": ticket.external_key,
        "external_url": ticket.link,
        "last_error": ticket.last_error,
        "attempts": ticket.attempts,
        "created_at": ticket.created_at.isoformat(),
        "sent_at": ticket.sent_at.isoformat() if ticket.sent_at else None,
        "created_by": ticket.created_by.email if ticket.created_by else None,
        "reporter": reporter_to_dict(ticket),
        "tracker_state": ticket.tracker_state,
        "tracker_updated_at": iso(ticket.tracker_updated_at),
        "tracker_labels": ticket.tracker_labels,
        "tracker_assignees": ticket.tracker_assignees,
        "comments": [comment_to_dict(c) for c in ticket.comments],
    }


def reporter_to_dict(ticket: Ticket) -> dict[str, str | None] | None:
    """Who reported it from outside the dashboard (a Discord member), if anyone."""
    if not ticket.reporter_source:
        return None
    return {
        "source": ticket.reporter_source,
        "id": ticket.reporter_id,
        "name": ticket.reporter_name,
    }


def comment_to_dict(comment: TicketComment) -> dict[str, Any]:
    """A comment on the ticket's issue: from the tracker (inbound) or sent from here."""
    return {
        "id": comment.id,
        "direction": comment.direction,
        "author": comment.author,
        "body": comment.body,
        "internal": comment.internal,
        "created_at": iso(comment.created_at),
        "status": comment.status,
        "last_error": comment.last_error,
        "external_id": comment.external_id,
        "via": comment.via,
        "attempts": comment.attempts,
        "next_attempt_at": iso(comment.next_attempt_at),
    }


def iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def ticket_request(body: dict[str, Any]) -> service.TicketRequest:
    """The body as the ticket service's input; type errors get the usual 400 shape."""
    errors: dict[str, list[str]] = {}
    connector = body.get("connector")
    connector_id = connector.get("id") if isinstance(connector, dict) else connector
    if not isinstance(connector_id, int) or isinstance(connector_id, bool):
        errors["connector"] = ['Give the connector as {"id": <connector id>}.']
    for key in TEXT_KEYS:
        if body.get(key) is not None and not isinstance(body[key], str):
            errors[key] = ["Enter text."]
    if not isinstance(body.get("fields", {}), dict):
        errors["fields"] = ["Give the fields as a JSON object."]
    if errors:
        raise ValidationFailed(errors)
    key = body.get("idempotency_key") or request.headers.get("Idempotency-Key", "")
    return service.TicketRequest(
        connector_id=connector_id,
        title=body.get("title") or "",
        description=body.get("description") or "",
        category=body.get("category") or "",
        fields=body.get("fields") or {},
        submission_token=key[:64],
    )


@bp.post("/tickets/", **ROUTE)
def create_ticket():
    """201 with the ticket after one delivery attempt; 202 with the stored ticket when
    the attempt outlasts the intake budget or the tracker is struggling (the worker
    delivers it); 200 with the earlier ticket when the idempotency key was used before."""
    try:
        ticket, intake = submit(api_user(), ticket_request(json_object()))
    except ValidationFailed as error:
        # The service names the connector "connector_id"; the body calls it "connector".
        errors = {("connector" if k == "connector_id" else k): v for k, v in error.errors.items()}
        raise ValidationFailed(errors) from None
    if intake is None:
        return ticket_to_dict(ticket), 200
    return ticket_to_dict(intake.ticket), 202 if intake.accepted else 201


@bp.get("/tickets/", **ROUTE)
def list_tickets():
    query = service.tickets_query(query_id("connector"), request.args.get("status", ""))
    query = query.options(selectinload(Ticket.comments))
    return page_of(query, ticket_to_dict)


@bp.get("/tickets/<id:ticket_id>/", **ROUTE)
def get_ticket(ticket_id: int):
    return ticket_to_dict(service.get_ticket(ticket_id))


@bp.post("/tickets/<id:ticket_id>/retry/", **ROUTE)
def retry_ticket(ticket_id: int):
    """Deliver a pending or failed ticket now; 200 with the ticket as it stands after."""
    ticket = service.ticket_to_change(api_user(), ticket_id)
    return ticket_to_dict(delivery.retry(api_user(), ticket))


@bp.post("/tickets/<id:ticket_id>/discard/", **ROUTE)
def discard_ticket(ticket_id: int):
    """Give up on a pending or failed ticket: it is kept, as discarded, and never sent."""
    ticket = service.ticket_to_change(api_user(), ticket_id)
    service.discard(api_user(), ticket)
    return ticket_to_dict(ticket)


@bp.get("/tickets/<id:ticket_id>/comments/", **ROUTE)
def list_comments(ticket_id: int):
    ticket = service.get_ticket(ticket_id)
    return {
        "results": [comment_to_dict(c) for c in db.session.scalars(comments.comments_query(ticket))]
    }


@bp.post("/tickets/<id:ticket_id>/comments/", **ROUTE)
def add_comment(ticket_id: int):
    """201 with the stored comment after one quick attempt: sent, or pending / failed
    (the worker retries it)."""
    ticket = service.get_ticket(ticket_id)
    comments.require_conversation(api_user(), ticket)
    body = json_object()
    errors: dict[str, list[str]] = {}
    if not isinstance(body.get("body"), str):
        errors["body"] = ["Enter the comment as text."]
    if not isinstance(body.get("internal", False), bool):
        errors["internal"] = ["Give true or false."]
    if errors:
        raise ValidationFailed(errors)
    comment = comments.post_comment(
        api_user(), ticket, body["body"], internal=body.get("internal", False)
    )
    return comment_to_dict(comment), 201


@bp.post("/tickets/<id:ticket_id>/close/", **ROUTE)
def close_ticket(ticket_id: int):
    """Close the issue on the tracker; 400 with the tracker's words if it refuses."""
    ticket = service.get_ticket(ticket_id)
    comments.change_state(api_user(), ticket, "closed")
    return ticket_to_dict(ticket)


@bp.post("/tickets/<id:ticket_id>/reopen/", **ROUTE)
def reopen_ticket(ticket_id: int):
    ticket = service.get_ticket(ticket_id)
    comments.change_state(api_user(), ticket, "open")
    return ticket_to_dict(ticket)
