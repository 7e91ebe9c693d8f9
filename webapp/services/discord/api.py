"""Calls to Discord's API: registering the commands, and editing a deferred answer.

Every call goes through the outbound pipeline (timeouts, deny-list, no credentials
on redirects); the base URL is DISCORD_API_URL so tests can use a fake Discord.
"""

from __future__ import annotations

from typing import Any

import requests
from flask import current_app

from webapp.models import DiscordIntegration
from webapp.outbound.diagnosis import json_or_none
from webapp.outbound.http import OutboundSettings, TrackerHTTP
from webapp.outbound.network import OutboundError
from webapp.outbound.scrub import scrub, shorten
from webapp.services.discord.commands import registration_payload
from webapp.services.discord.settings import bot_token
from webapp.services.errors import ServiceError


class DiscordAPIError(ServiceError):
    """Discord refused a call, or could not be reached; the message says what to do."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def _base_url() -> str:
    return current_app.config["DISCORD_API_URL"].rstrip("/")


def _call(method: str, path: str, body: Any, headers: dict[str, str], secrets: list[str]):
    url = _base_url() + path
    try:
        with TrackerHTTP(OutboundSettings.from_config(current_app.config)) as http:
            response = http.request(method, url, headers=headers, json=body)
    except (OutboundError, requests.RequestException) as error:
        problem = scrub(str(error), secrets)
        raise DiscordAPIError(f"Could not reach Discord's API: {shorten(problem)}") from None
    if response.status_code >= 400:
        raise DiscordAPIError(_refusal(response, secrets), response.status_code)
    return json_or_none(response)


def _refusal(response: requests.Response, secrets: list[str]) -> str:
    body = json_or_none(response)
    said = body.get("message") if isinstance(body, dict) else None
    status = response.status_code
    if status == 401:
        return "Discord refused the bot token (401 Unauthorized): paste it again on the page."
    if status == 403:
        return "Discord says the bot may not do this (403 Forbidden): check the application."
    if status == 429:
        wait = body.get("retry_after") if isinstance(body, dict) else None
        wait = wait or response.headers.get("Retry-After") or "a few"
        return f"Discord is rate-limiting these calls (429): try again in {wait} seconds."
    detail = f": {shorten(scrub(str(said), secrets))}" if said else ""
    return f"Discord answered {status}{detail}"


def register_commands(row: DiscordIntegration) -> list[dict[str, Any]]:
    """Replace the application's global commands with ours; Discord's answer (the list)."""
    if not row.application_id:
        raise ServiceError("Set the application id first.", "application_id")
    token = bot_token(row)
    answer = _call(
        "PUT",
        f"/applications/{row.application_id}/commands",
        registration_payload(),
        {"Authorization": f"Bot {token}"},
        [token],
    )
    return answer if isinstance(answer, list) else []


def edit_original(application_id: str, interaction_token: str, message: dict[str, Any]) -> None:
    """Replace a deferred answer ("thinking…") with ``message``. The interaction's own
    token authorises this; it is valid for 15 minutes."""
    _call(
        "PATCH",
        f"/webhooks/{application_id}/{interaction_token}/messages/@original",
        message,
        {},
        [interaction_token],
    )
