"""Signed Discord interactions for tests: a test key pair, payload builders and set-up."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

from nacl.encoding import HexEncoder
from nacl.signing import SigningKey

from webapp.services.discord.settings import DiscordChanges, add_route, configure

INTERACTIONS_URL = "/integrations/discord/interactions"
#: A fixed key pair: Discord's half signs, the app's settings hold the public half.
SIGNING_KEY = SigningKey(bytes(range(32)))
PUBLIC_KEY = SIGNING_KEY.verify_key.encode(HexEncoder).decode()
OTHER_KEY = SigningKey(bytes(range(1, 33)))
APPLICATION_ID = "1100000000000000001"
ALLOWED_ROLE = "1200000000000000002"
OTHER_ROLE = "1200000000000000099"
GUILD = "1300000000000000003"
CHANNEL = "1400000000000000004"
MEMBER = {"id": "1500000000000000005", "username": "ana.b", "global_name": "Ana B"}
PING, APPLICATION_COMMAND, MODAL_SUBMIT = 1, 2, 5
_ids = itertools.count(1)


def set_up_discord(default_connector=None, roles=(ALLOWED_ROLE,), bot_token: str = "", routes=()):
    """Save the settings (and ``routes``: (kind, discord id, connector) triples)."""
    row = configure(
        None,
        DiscordChanges(
            application_id=APPLICATION_ID,
            public_key=PUBLIC_KEY,
            default_connector_id=default_connector.id if default_connector else None,
            allowed_role_ids=list(roles),
            bot_token=bot_token,
        ),
    )
    for kind, discord_id, connector in routes:
        add_route(None, kind, discord_id, connector.id)
    return row


def interaction(
    kind: int,
    data: dict[str, Any] | None = None,
    roles=(ALLOWED_ROLE,),
    guild: str = GUILD,
    channel: str = CHANNEL,
) -> dict[str, Any]:
    """An interaction as Discord sends it from a server channel."""
    number = next(_ids)
    payload: dict[str, Any] = {
        "id": str(1600000000000000000 + number),
        "application_id": APPLICATION_ID,
        "type": kind,
        "token": f"interaction-token-{number}",
        "version": 1,
    }
    if kind != PING:
        payload |= {
            "guild_id": guild,
            "channel_id": channel,
            "member": {"user": MEMBER, "roles": list(roles), "nick": None},
            "data": data or {},
        }
    return payload


def command(name: str, roles=(ALLOWED_ROLE,), **options: str) -> dict[str, Any]:
    data = {"id": "1700", "name": name, "type": 1}
    if options:
        data["options"] = [{"name": k, "type": 3, "value": v} for k, v in options.items()]
    return interaction(APPLICATION_COMMAND, data, roles=roles)


def modal_submit(roles=(ALLOWED_ROLE,), channel: str = CHANNEL, **values: str) -> dict[str, Any]:
    rows = [
        {"type": 1, "components": [{"type": 4, "custom_id": key, "value": value}]}
        for key, value in values.items()
    ]
    return interaction(
        MODAL_SUBMIT, {"custom_id": "ticket", "components": rows}, roles=roles, channel=channel
    )


def signed(body: bytes, key: SigningKey = SIGNING_KEY, timestamp: int | None = None) -> dict:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = key.sign(stamp.encode() + body).signature.hex()
    return {
        "X-Signature-Ed25519": signature,
        "X-Signature-Timestamp": stamp,
        "Content-Type": "application/json",
    }


def post_interaction(client, payload: dict[str, Any], **signing: Any):
    """POST ``payload`` the way Discord does: signed, no cookie, no CSRF token."""
    body = json.dumps(payload).encode()
    return client.post(INTERACTIONS_URL, data=body, headers=signed(body, **signing))
