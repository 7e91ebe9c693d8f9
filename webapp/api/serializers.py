"""How connectors and systems look in API responses (the SD Elements shape)."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from webapp.http.public_url import base_url
from webapp.log_redaction import MASK
from webapp.models import Connector, ConnectorVersion
from webapp.schema.jsonschema import params_schema
from webapp.services.systems import registry
from webapp.services.webhooks import webhook_status
from webapp.trackers.system import System

#: What a stored secret looks like in output; sent back, it means "keep the stored one".


def system_summary(system_id: str) -> dict[str, str]:
    """``{"id", "short_name", "name"}``; just the id when its plugin is gone."""
    systems = registry()
    if system_id in systems:
        return systems.get(system_id).summary()
    return {"id": system_id, "short_name": system_id, "name": system_id}


def system_to_dict(system: System) -> dict[str, Any]:
    return {**system.summary(), "params_schema": params_schema(system)}


def connector_to_dict(connector: Connector) -> dict[str, Any]:
    """Every stored param, every stored secret masked; never a secret's value."""
    secret_names = sorted(connector.secret_names or [])
    return {
        "id": connector.id,
        "name": connector.name,
        "system": system_summary(connector.system_id),
        "inaccessible": bool(connector.inaccessible),
        "params": {**(connector.params or {}), **dict.fromkeys(secret_names, MASK)},
        "secure_fields": dict.fromkeys(secret_names, True),
        "version": connector.version,
        # Where the tracker posts events and whether it can: never the secret.
        "webhook": webhook_status(connector, base_url()).to_dict(),
    }


def connector_response(connector: Connector, status: int = 200) -> Response:
    """The connector as JSON, with its version as the ETag (for ``If-Match``)."""
    response = jsonify(connector_to_dict(connector))
    response.status_code = status
    response.set_etag(str(connector.version))
    return response


def version_to_dict(version: ConnectorVersion) -> dict[str, Any]:
    """A connector version: non-secret params, and only the names of secrets."""
    return {
        "number": version.number,
        "at": version.at.isoformat(),
        "by": {"id": version.actor_id, "email": version.actor_email},
        "via": version.via,
        "name": version.name,
        "params": dict(version.params or {}),
        "categories": list(version.categories or []),
        "inaccessible": bool(version.inaccessible),
        "disabled": bool(version.disabled),
        "secure_fields": dict.fromkeys(sorted(version.secret_names or []), True),
        "secrets_changed": list(version.secrets_changed or []),
        "changes": list(version.changes or []),
        "restored_from": version.restored_from,
        "note": version.note,
    }
