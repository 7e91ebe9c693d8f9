"""Reading request bodies and headers into the services' inputs.

Type errors in the body's top level are reported with the same ``{field: [message]}``
shape as the services' validation, so clients handle one kind of 400.
"""

from __future__ import annotations

from typing import Any

from flask import abort, request
from werkzeug.exceptions import BadRequest

from webapp.api.serializers import MASK
from webapp.models import Connector
from webapp.services.connectors import ConnectorChanges
from webapp.services.errors import ServiceError, ValidationFailed
from webapp.services.systems import get_system
from webapp.systems import System


def json_object() -> dict[str, Any]:
    """The body as a JSON object: 415 for another content type, 400 if malformed."""
    if not request.is_json:
        abort(415, "Send the body as JSON with 'Content-Type: application/json'.")
    try:
        body = request.get_json()
    except BadRequest:
        abort(400, "The body is not valid JSON.")
    if not isinstance(body, dict):
        abort(400, "The body must be a JSON object.")
    return body


def body_system(body: dict[str, Any]) -> System:
    """The system named by ``{"system": {"id": …}}`` (other keys of it are ignored)."""
    system = body.get("system")
    system_id = system.get("id") if isinstance(system, dict) else None
    if not isinstance(system_id, str) or not system_id:
        raise ValidationFailed({"system": ['Give the system as {"id": "<system id>"}.']})
    try:
        return get_system(system_id)
    except ServiceError as error:
        raise ServiceError(error.message, field="system") from None


def body_params(body: dict[str, Any], system: System) -> dict[str, Any]:
    """``params`` without masked secrets: a mask sent back means "keep the stored one"."""
    params = body.get("params", {})
    if not isinstance(params, dict):
        raise ValidationFailed({"params": ["Give the params as a JSON object."]})
    secret_names = set(system.secret_field_names)
    return {k: v for k, v in params.items() if not (k in secret_names and v == MASK)}


def body_name(body: dict[str, Any], default: str = "") -> str:
    name = body.get("name", default)
    if not isinstance(name, str):
        raise ValidationFailed({"name": ["Enter text."]})
    return name


def body_inaccessible(body: dict[str, Any], default: bool = False) -> bool:
    inaccessible = body.get("inaccessible", default)
    if not isinstance(inaccessible, bool):
        raise ValidationFailed({"inaccessible": ["Enter true or false."]})
    return inaccessible


def connector_changes(
    body: dict[str, Any], system: System, connector: Connector | None = None
) -> ConnectorChanges:
    """Changes for a new connector, or (given ``connector``) a partial update of it."""
    if connector is not None and "system" in body and body_system(body).id != system.id:
        raise ValidationFailed(
            {"system": ["A connector's system cannot be changed; create a new connector."]}
        )
    return ConnectorChanges(
        name=body_name(body, connector.name if connector else ""),
        params=body_params(body, system),
        inaccessible=body_inaccessible(body, connector.inaccessible if connector else False),
        expected_version=if_match_version(),
        keep_missing_params=connector is not None,
    )


def if_match_version() -> int | None:
    """The connector version in ``If-Match`` (``3`` or ``"3"``); None when absent or ``*``."""
    header = (request.headers.get("If-Match") or "").strip()
    if not header or header == "*":
        return None
    value = header.removeprefix("W/").strip('"')
    if not value.isdigit():
        abort(400, 'If-Match must hold a connector version, e.g. If-Match: "3".')
    return int(value)
