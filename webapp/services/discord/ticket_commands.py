"""What the commands do with tickets: the /ticket modal and its filing, /status and
/reply. Each returns a message ({"content": …}) for Discord; interactions sends it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Connector, Ticket, TicketComment
from webapp.models.ticket import DISCARDED, PENDING, SENT, TITLE_MAX_LENGTH
from webapp.services import comments, delivery
from webapp.services.discord.commands import (
    CATEGORY_INPUT,
    DESCRIPTION_INPUT,
    TICKET_MODAL,
    TITLE_INPUT,
)
from webapp.services.errors import ServiceError, ValidationFailed
from webapp.services.tickets import Reporter, TicketRequest, create_ticket

#: Discord's limits: 45 characters for labels and titles, 100 for placeholders, 4000 for
#: what a text input holds.
DESCRIPTION_MAX = 4000
TEXT_SHORT, TEXT_PARAGRAPH, TEXT_INPUT, ACTION_ROW = 1, 2, 4, 1
MODAL = 9
LAST_COMMENT_MAX = 500


def _text_input(custom_id: str, label: str, style: int, **extra: Any) -> dict[str, Any]:
    return {
        "type": ACTION_ROW,
        "components": [
            {"type": TEXT_INPUT, "custom_id": custom_id, "label": label, "style": style, **extra}
        ],
    }


def ticket_modal(connector: Connector) -> dict[str, Any]:
    """The /ticket form: title, description and, when the connector has categories, a
    category typed by name (the names are the placeholder)."""
    rows = [
        _text_input(TITLE_INPUT, "Title", TEXT_SHORT, required=True, max_length=TITLE_MAX_LENGTH),
        _text_input(
            DESCRIPTION_INPUT,
            "Description",
            TEXT_PARAGRAPH,
            required=False,
            max_length=DESCRIPTION_MAX,
        ),
    ]
    names = [category.name for category in connector.categories]
    if names:
        hint = "One of: " + ", ".join(names)
        hint = hint if len(hint) <= 100 else hint[:99] + "…"
        rows.append(
            _text_input(CATEGORY_INPUT, "Category", TEXT_SHORT, required=False, placeholder=hint)
        )
    return {
        "type": MODAL,
        "data": {"custom_id": TICKET_MODAL, "title": "Report a ticket", "components": rows},
    }


def category_name(connector: Connector, typed: str) -> str | None:
    """The connector's category the member meant (any case), "" for none, None if unknown."""
    typed = typed.strip()
    if not typed:
        return ""
    wanted = typed.casefold()
    return next((c.name for c in connector.categories if c.name.casefold() == wanted), None)


def ticket_request(
    connector: Connector, values: dict[str, str], reporter: Reporter, interaction_id: str
) -> TicketRequest | str:
    """The ticket the modal asks for, or why it cannot be filed."""
    category = category_name(connector, values.get(CATEGORY_INPUT, ""))
    if category is None:
        names = ", ".join(c.name for c in connector.categories)
        return f"There is no category “{values[CATEGORY_INPUT].strip()}”. Use one of: {names}."
    return TicketRequest(
        connector_id=connector.id,
        title=values.get(TITLE_INPUT, ""),
        description=values.get(DESCRIPTION_INPUT, ""),
        category=category,
        # Discord may send an interaction again: it files one ticket.
        submission_token=f"discord-{interaction_id}"[:64],
        reporter=reporter,
    )


def file_ticket(request: TicketRequest) -> tuple[Ticket, bool]:
    """Store the ticket (pending) and say whether it is new; delivery comes next."""
    return create_ticket(None, request)


def deliver(ticket_id: int) -> dict[str, Any]:
    """Deliver a stored ticket now; the message telling the member how it went."""
    ticket = delivery.deliver(ticket_id)
    return {"content": delivery_text(ticket)}


def delivery_text(ticket: Ticket) -> str:
    if ticket.status == SENT:
        where = f" <{ticket.link}>" if ticket.link else ""
        return f"Ticket {ticket.id} is filed as {ticket.external_key}.{where}"
    if ticket.status == DISCARDED:
        return f"Ticket {ticket.id} was discarded on the desk."
    return f"Ticket {ticket.id} is stored, but the tracker did not take it yet; it will be retried."


def find_ticket(reference: str, connectors: list[Connector]) -> Ticket | None:
    """A ticket of these connectors by tracker key (#12, PROJ-3), else by its number here."""
    reference = reference.strip()
    ids = [connector.id for connector in connectors]
    if not reference or not ids:
        return None
    query = select(Ticket).where(Ticket.connector_id.in_(ids))
    ticket = db.session.scalar(query.where(Ticket.external_key == reference).limit(1))
    number = reference.removeprefix("#")
    if ticket is None and number.isdigit() and len(number) < 10:
        ticket = db.session.scalar(query.where(Ticket.id == int(number)))
    return ticket


def not_found_text(reference: str) -> str:
    return (
        f"No ticket “{reference.strip()[:100]}” was filed from here. Use its number on the "
        "desk or its key on the tracker."
    )


def discord_author(reporter: Reporter) -> str:
    """How comments and the audit log name a Discord member."""
    return f"Discord user {reporter.name or '?'} ({reporter.id})"


def store_reply(ticket: Ticket, text: str, reporter: Reporter) -> TicketComment | str:
    """Store the member's comment for the ticket's issue (pending), or say why not.

    The tracker shows the connector's account as the comment's author, so the text
    names the member."""
    if not text.strip():
        return "Your comment is empty: nothing was sent."
    body = f"{text.strip()}\n\n— {reporter.name or 'someone'}, on Discord"
    try:
        return comments.add_comment(None, ticket, body, author=discord_author(reporter))
    except ValidationFailed as error:
        return "Your comment was not sent. " + " ".join(
            message for messages in error.errors.values() for message in messages
        )
    except ServiceError as error:
        return f"Your comment was not sent. {error.message}"


def deliver_reply(comment_id: int) -> dict[str, Any]:
    """Post a stored comment now; the message telling the member how it went."""
    comment = comments.deliver_comment(comment_id)
    ticket = comment.ticket
    if comment.status == SENT:
        link = f" <{ticket.link}>" if ticket.link else ""
        return {"content": f"Your comment is on {ticket.external_key}.{link}"}
    return {
        "content": f"Your comment on {ticket.external_key} is stored, but the tracker did "
        "not take it yet; it will be retried."
    }


def status_text(ticket: Ticket) -> str:
    """State, labels and the last comment, as the tracker last told them."""
    lines = [f"**Ticket {ticket.id}: {ticket.title}**"]
    if ticket.status == SENT:
        link = f" <{ticket.link}>" if ticket.link else ""
        lines.append(f"Issue {ticket.external_key}{link}")
        lines.append(f"State: {ticket.tracker_state or 'open'}")
        labels = ticket.tracker_labels or ([ticket.label] if ticket.label else [])
        lines.append(f"Labels: {', '.join(labels) if labels else 'none'}")
    elif ticket.status == DISCARDED:
        lines.append("Discarded on the desk: it never reached the tracker.")
    else:
        waiting = "waiting to be sent" if ticket.status == PENDING else "not on the tracker yet"
        lines.append(f"Stored, {waiting}: it will be retried.")
    if ticket.comments:
        last = ticket.comments[-1]
        body = last.body if len(last.body) <= LAST_COMMENT_MAX else last.body[:499] + "…"
        lines.append(f"Last comment, by {last.author or 'someone'}: {body}")
    else:
        lines.append("No comments yet.")
    return "\n".join(lines)
