"""Reading request bodies and headers into the services' inputs.

Type errors in the body's top level are reported with the same ``{field: [message]}``
shape as the services' validation, so clients handle one kind of 400.
"""

from __future__ import annotations

from typing import Any

from flask import abort, request
from werkzeug.exceptions import BadRequest

from webapp.api.serializers import MASK
from webapp.http.request_input import printable, unstorable_text_message
from webapp.ids import parse_id
from webapp.models import Connector
from webapp.services.connectors import ConnectorChanges
from webapp.services.errors import ServiceError, ValidationFailed
from webapp.services.systems import get_system
from webapp.trackers.system import System

#: Levels of objects and arrays a body may nest; connector and ticket bodies need four.
MAX_DEPTH = 20
DEPTH_MESSAGE = f"The body is nested too deeply: at most {MAX_DEPTH} levels of objects and arrays."


def json_object() -> dict[str, Any]:
    """The body as a JSON object: 415 for another content type; 400 if malformed, nested
    deeper than MAX_DEPTH or holding text no database can store (naming where)."""
    if not request.is_json:
        abort(415, "Send the body as JSON with 'Content-Type: application/json'.")
    try:
        body = request.get_json()
    except BadRequest:
        abort(400, "The body is not valid JSON.")
    except RecursionError:
        abort(400, DEPTH_MESSAGE)
    if not isinstance(body, dict):
        abort(400, "The body must be a JSON object.")
    check_json_values(body)
    return body


def check_json_values(body: dict[str, Any]) -> None:
    """Refuse nesting past MAX_DEPTH and strings (or keys) that cannot be stored."""
    errors: dict[str, list[str]] = {}
    pending: list[tuple[Any, str, int]] = [(body, "", 0)]
    while pending:
        value, path, depth = pending.pop()
        if depth > MAX_DEPTH:
            abort(400, DEPTH_MESSAGE)
        if isinstance(value, dict):
            items = [(str(key), key, item) for key, item in value.items()]
        elif isinstance(value, list):
            items = [(str(index), None, item) for index, item in enumerate(value)]
        else:
            if isinstance(value, str) and (problem := unstorable_text_message(value)):
                errors.setdefault(path, []).append(problem)
            continue
        for name, key, item in items:
            item_path = f"{path}.{printable(name)}" if path else printable(name)
            if key is not None and (problem := unstorable_text_message(key)):
                errors.setdefault(item_path, []).append(f"Field name: {problem}")
            pending.append((item, item_path, depth + 1))
    if errors:
        raise ValidationFailed(errors)


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
    version = parse_id(header.removeprefix("W/").strip('"'))
    if version is None:
        abort(400, 'If-Match must hold a connector version, e.g. If-Match: "3".')
    return version
