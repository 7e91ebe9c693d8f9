"""Who may change what, checked in the services so views, API and CLI share one rule."""

from __future__ import annotations

from webapp.models import Ticket, User
from webapp.services.errors import Forbidden, ValidationFailed

ADMIN_ONLY_MESSAGE = "Only administrators can do this."
WRONG_PASSWORD_MESSAGE = "That is not your password."  # noqa: S105 - a message
NOT_YOUR_TICKET_MESSAGE = "Only administrators and the user who created a ticket can change it."


def require_admin(actor: User | None, message: str = ADMIN_ONLY_MESSAGE) -> None:
    """Raise Forbidden unless ``actor`` is an administrator.

    ``actor`` None is the command line: whoever runs it already controls the server.
    """
    if actor is not None and not actor.is_admin:
        raise Forbidden(message)


def require_password(actor: User | None, password: str | None) -> None:
    """Raise ValidationFailed on ``password`` unless it is ``actor``'s: revealing secrets
    asks for it again. The command line (``actor`` None) needs none."""
    if actor is not None and not actor.check_password(password or ""):
        raise ValidationFailed({"password": [WRONG_PASSWORD_MESSAGE]})


def can_change_ticket(actor: User | None, ticket: Ticket) -> bool:
    """Admins may edit, retry and discard any ticket; viewers only the ones they created.

    A ticket from the command line or the API of a since-deleted user has no creator,
    so only admins may change it.
    """
    if actor is None or actor.is_admin:
        return True
    return ticket.created_by_id is not None and ticket.created_by_id == actor.id


def require_ticket_change(actor: User | None, ticket: Ticket) -> None:
    """Raise Forbidden unless ``actor`` may change ``ticket`` (see can_change_ticket)."""
    if not can_change_ticket(actor, ticket):
        raise Forbidden(NOT_YOUR_TICKET_MESSAGE)


NOT_YOUR_CONVERSATION_MESSAGE = (
    "Only administrators and the user who created a ticket can comment on it, close it "
    "or reopen it."
)


def can_converse(actor: User | None, ticket: Ticket) -> bool:
    """Admins may comment on, close and reopen any ticket's issue; viewers their own.

    A rule of its own (today it admits the same people as ``can_change_ticket``), so
    either can change without loosening the other. ``actor`` None is the command line
    or an integration that checked its own users (Discord roles).
    """
    if actor is None or actor.is_admin:
        return True
    return ticket.created_by_id is not None and ticket.created_by_id == actor.id


def require_conversation(actor: User | None, ticket: Ticket) -> None:
    """Raise Forbidden unless ``actor`` may comment on / close ``ticket`` (can_converse)."""
    if not can_converse(actor, ticket):
        raise Forbidden(NOT_YOUR_CONVERSATION_MESSAGE)
