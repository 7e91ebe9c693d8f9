"""The integration's settings: Discord's application, who may use the commands, and
which connector each server or channel files into."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Connector, DiscordIntegration, DiscordRoute, User
from webapp.models.base import utcnow
from webapp.models.discord import CHANNEL, GUILD, ROUTE_KINDS
from webapp.services import audit
from webapp.services.connectors import MAX_ID
from webapp.services.discord.signatures import public_key_problem
from webapp.services.errors import NotFound, ServiceError, ValidationFailed
from webapp.services.secrets import decrypt_secrets, encrypt_secrets

#: Discord ids ("snowflakes") are unsigned 64-bit numbers written in decimal.
SNOWFLAKE = re.compile(r"[0-9]{1,20}")
KIND_LABELS = {GUILD: "Server", CHANNEL: "Channel"}


@dataclass
class DiscordChanges:
    """What the settings form (or `flask discord configure`) asks for."""

    application_id: str
    public_key: str
    default_connector_id: int | None
    allowed_role_ids: str | list[str] = ""
    #: Blank keeps the stored token.
    bot_token: str = ""


def integration() -> DiscordIntegration | None:
    """The settings row, if Discord was set up."""
    return db.session.scalar(select(DiscordIntegration).order_by(DiscordIntegration.id).limit(1))


def integration_or_blank() -> DiscordIntegration:
    """The settings row, or an unsaved blank one for the form."""
    return integration() or DiscordIntegration(
        application_id="", public_key="", allowed_role_ids=[]
    )


def parse_role_ids(value: str | list[str]) -> tuple[list[str], list[str]]:
    """Role ids from text (commas, spaces or lines between) → (ids, the ones that are not)."""
    items = value.replace(",", " ").split() if isinstance(value, str) else value
    items = [str(item).strip() for item in items if str(item).strip()]
    good = list(dict.fromkeys(item for item in items if SNOWFLAKE.fullmatch(item)))
    return good, [item for item in items if not SNOWFLAKE.fullmatch(item)]


def _connector(connector_id: int | None) -> Connector | None:
    if not connector_id or not 0 < connector_id <= MAX_ID:
        return None
    return db.session.get(Connector, connector_id)


def _validate(changes: DiscordChanges) -> tuple[dict[str, list[str]], list[str]]:
    errors: dict[str, list[str]] = {}
    if not SNOWFLAKE.fullmatch(changes.application_id.strip()):
        errors["application_id"] = ["Use the Application ID from Discord's developer portal."]
    problem = public_key_problem(changes.public_key.strip())
    if problem:
        errors["public_key"] = [problem]
    if changes.default_connector_id and _connector(changes.default_connector_id) is None:
        errors["default_connector_id"] = ["This connector no longer exists; pick another."]
    roles, bad = parse_role_ids(changes.allowed_role_ids)
    if bad:
        errors["allowed_role_ids"] = [f"Not Discord role ids: {', '.join(bad[:5])}."]
    if len(changes.bot_token) > 200 or any(c.isspace() for c in changes.bot_token.strip()):
        errors["bot_token"] = ["Paste the bot token exactly as Discord shows it."]
    return errors, roles


def configure(actor: User | None, changes: DiscordChanges) -> DiscordIntegration:
    """Save the settings; errors are keyed by field. A blank token keeps the stored one."""
    errors, roles = _validate(changes)
    if errors:
        raise ValidationFailed(errors)
    row = integration()
    if row is None:
        row = DiscordIntegration(allowed_role_ids=[])
        db.session.add(row)
    before = {
        "application_id": row.application_id,
        "public_key": row.public_key,
        "allowed_role_ids": list(row.allowed_role_ids or []),
        "default_connector_id": row.default_connector_id,
    }
    row.application_id = changes.application_id.strip()
    row.public_key = changes.public_key.strip().lower()
    row.allowed_role_ids = roles
    row.default_connector_id = changes.default_connector_id or None
    changed = [name for name, value in before.items() if getattr(row, name) != value]
    token = changes.bot_token.strip()
    if token:
        row.secrets_ciphertext = encrypt_secrets({"bot_token": token})
        changed.append("bot_token")
    row.updated_at = utcnow()
    audit.record("discord.configure", actor, None, changed=changed)
    db.session.commit()
    return row


def bot_token(row: DiscordIntegration) -> str:
    """The decrypted bot token (ServiceError when none is stored)."""
    token = decrypt_secrets(row.secrets_ciphertext).get("bot_token", "")
    if not token:
        raise ServiceError("No bot token is stored: add it on the Discord page.", "bot_token")
    return token


def add_route(actor: User | None, kind: str, discord_id: str, connector_id: int | None):
    """File interactions from server (guild) or channel ``discord_id`` into a connector."""
    row = integration()
    if row is None:
        raise ServiceError("Save the Discord settings first.")
    discord_id = discord_id.strip()
    errors: dict[str, list[str]] = {}
    if kind not in ROUTE_KINDS:
        errors["kind"] = ["Choose server or channel."]
    if not SNOWFLAKE.fullmatch(discord_id):
        errors["discord_id"] = ["Use the id Discord copies with “Copy Server/Channel ID”."]
    elif any(r.kind == kind and r.discord_id == discord_id for r in row.routes):
        errors["discord_id"] = [f"This {KIND_LABELS.get(kind, kind).lower()} is mapped already."]
    connector = _connector(connector_id)
    if connector is None:
        errors["connector_id"] = ["Choose a connector."]
    if errors:
        raise ValidationFailed(errors)
    route = DiscordRoute(kind=kind, discord_id=discord_id, connector=connector)
    row.routes.append(route)
    audit.record("discord.route_add", actor, connector, kind=kind, discord_id=discord_id)
    db.session.commit()
    return route


def get_route(route_id: int) -> DiscordRoute:
    route = db.session.get(DiscordRoute, route_id) if 0 < route_id <= MAX_ID else None
    if route is None:
        raise NotFound("There is no such Discord mapping.")
    return route


def delete_route(actor: User | None, route_id: int) -> None:
    route = get_route(route_id)
    audit.record(
        "discord.route_delete",
        actor,
        route.connector,
        kind=route.kind,
        discord_id=route.discord_id,
    )
    db.session.delete(route)
    db.session.commit()


def connectors_for(row: DiscordIntegration, guild_id: str, channel_id: str) -> list[Connector]:
    """The connectors this channel reaches, most specific first: the channel's, the
    server's, the default."""
    found = [r.connector for r in row.routes if r.kind == CHANNEL and r.discord_id == channel_id]
    found += [r.connector for r in row.routes if r.kind == GUILD and r.discord_id == guild_id]
    if row.default_connector is not None:
        found.append(row.default_connector)
    return list(dict.fromkeys(found))


def is_allowed(row: DiscordIntegration, member_roles: list[str]) -> bool:
    """Members with an allowed role may use the commands; with no role set, nobody."""
    return bool(set(row.allowed_role_ids or ()) & {str(role) for role in member_roles})
