"""Answering one verified interaction: PING, a slash command or the /ticket modal.

Only members with an allowed role get anything done; everyone else gets a polite refusal
that only they see (every answer here is ephemeral). Work that talks to a tracker runs
within the response budget, else it is deferred (followups).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from webapp.models import Connector, DiscordIntegration
from webapp.services.change_context import changes_via
from webapp.services.discord import settings, signatures, ticket_commands
from webapp.services.discord.commands import (
    REPLY,
    STATUS,
    TICKET,
    TICKET_MODAL,
    modal_values,
    option_values,
)
from webapp.services.discord.followups import within_budget
from webapp.services.errors import ValidationFailed
from webapp.services.tickets import Reporter

logger = logging.getLogger(__name__)

PING, APPLICATION_COMMAND, MODAL_SUBMIT = 1, 2, 5
PONG, CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE = 1, 4, 5
EPHEMERAL = 64

REFUSAL = (
    "Sorry, you cannot use the service desk commands here: they are open to members with "
    "one of the roles an administrator chose. Ask your server's moderators if you need them."
)
NOT_SET_UP = "The service desk is not set up for Discord yet."
NO_CONNECTOR = (
    "No service desk connector is set for this server or channel; an administrator can "
    "choose one on the desk's Discord page."
)

#: How the ticket service's error keys read to a member (other keys are the tracker's fields).
FIELD_NAMES = {"title": "Title", "description": "Description", "connector_id": "Connector"}


class InvalidPayload(ValueError):
    """Signed, but not an interaction this endpoint understands (answer 400)."""


@dataclass(frozen=True)
class Interaction:
    """The parts of Discord's interaction object the commands use."""

    id: str
    type: int
    token: str
    guild_id: str
    channel_id: str
    user_id: str
    user_name: str
    roles: tuple[str, ...]
    data: Mapping[str, Any]

    @classmethod
    def parse(cls, payload: Any) -> Interaction:
        if not isinstance(payload, dict) or not isinstance(payload.get("type"), int):
            raise InvalidPayload("Send a Discord interaction object.")
        member = payload.get("member") if isinstance(payload.get("member"), dict) else {}
        user = member.get("user") or payload.get("user") or {}
        channel = payload.get("channel") if isinstance(payload.get("channel"), dict) else {}
        data = payload.get("data") if isinstance(payload.get("data"), dict) else {}
        return cls(
            id=str(payload.get("id", "")),
            type=payload["type"],
            token=str(payload.get("token", "")),
            guild_id=str(payload.get("guild_id") or ""),
            channel_id=str(payload.get("channel_id") or channel.get("id") or ""),
            user_id=str(user.get("id", "")),
            user_name=str(user.get("global_name") or user.get("username") or ""),
            roles=tuple(str(role) for role in member.get("roles") or ()),
            data=data,
        )

    @property
    def reporter(self) -> Reporter:
        return Reporter(source="discord", id=self.user_id, name=self.user_name)


def message(content: str) -> dict[str, Any]:
    """An answer only the member sees, which pings nobody whatever the text says."""
    return {"type": CHANNEL_MESSAGE, "data": _message_data({"content": content})}


def _message_data(result: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "content": str(result.get("content", ""))[:2000],
        "flags": EPHEMERAL,
        "allowed_mentions": {"parse": []},
    }


def verify_request(headers: Mapping[str, str], body: bytes) -> None:
    """Raise InvalidInteraction unless Discord signed this request just now."""
    row = settings.integration()
    signatures.verify(row.public_key if row else "", headers, body)


def answer(payload: Any) -> dict[str, Any]:
    """Discord's answer to a verified interaction (InvalidPayload if it is none)."""
    interaction = Interaction.parse(payload)
    if interaction.type == PING:
        return {"type": PONG}
    row = settings.integration()
    if row is None:
        return message(NOT_SET_UP)
    if not settings.is_allowed(row, list(interaction.roles)):
        logger.info("Discord user %s has no allowed role: refused", interaction.user_id)
        return message(REFUSAL)
    connectors = settings.connectors_for(row, interaction.guild_id, interaction.channel_id)
    with changes_via("discord"):
        return _dispatch(row, interaction, connectors)


def _dispatch(
    row: DiscordIntegration, interaction: Interaction, connectors: list[Connector]
) -> dict[str, Any]:
    name = interaction.data.get("name") if interaction.type == APPLICATION_COMMAND else None
    if name in (STATUS, REPLY):
        return _about_ticket(row, interaction, connectors, name)
    if not connectors:
        return message(NO_CONNECTOR)
    if name == TICKET:
        return ticket_commands.ticket_modal(connectors[0])
    if interaction.type == MODAL_SUBMIT and interaction.data.get("custom_id") == TICKET_MODAL:
        return _file_ticket(row, interaction, connectors[0])
    return message("This command is not known here.")


def _later(row: DiscordIntegration, interaction: Interaction, work) -> dict[str, Any]:
    """``work``'s message now if it is quick enough, else a deferred answer."""
    result = within_budget(row.application_id, interaction.token, work)
    if result is None:
        return {"type": DEFERRED_CHANNEL_MESSAGE, "data": {"flags": EPHEMERAL}}
    return {"type": CHANNEL_MESSAGE, "data": _message_data(result)}


def _file_ticket(
    row: DiscordIntegration, interaction: Interaction, connector: Connector
) -> dict[str, Any]:
    values = modal_values(dict(interaction.data))
    request = ticket_commands.ticket_request(
        connector, values, interaction.reporter, interaction.id
    )
    if isinstance(request, str):
        return message(request)
    try:
        ticket, is_new = ticket_commands.file_ticket(request)
    except ValidationFailed as error:
        problems = "; ".join(
            f"{FIELD_NAMES.get(field, field)}: {' '.join(messages)}"
            for field, messages in error.errors.items()
        )
        return message(f"Your ticket was not filed. {problems}")
    if not is_new or not ticket.undelivered:
        return message(ticket_commands.delivery_text(ticket))
    ticket_id = ticket.id
    return _later(row, interaction, lambda: ticket_commands.deliver(ticket_id))


def _about_ticket(
    row: DiscordIntegration, interaction: Interaction, connectors: list[Connector], name: str
) -> dict[str, Any]:
    options = option_values(dict(interaction.data))
    reference = options.get("ticket", "")
    ticket = ticket_commands.find_ticket(reference, connectors)
    if ticket is None:
        return message(ticket_commands.not_found_text(reference))
    if name == STATUS:
        return message(ticket_commands.status_text(ticket))
    stored = ticket_commands.store_reply(ticket, options.get("text", ""), interaction.reporter)
    if isinstance(stored, str):
        return message(stored)
    comment_id = stored.id
    return _later(row, interaction, lambda: ticket_commands.deliver_reply(comment_id))
