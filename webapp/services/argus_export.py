"""A connector as Argus ticket-plugin settings (the reverse of webapp.services.argus_settings).

Secrets are placeholders such as ``"<token>"`` unless an administrator confirms their
password and asks for them; that is audited. What Argus has no setting for is listed,
never dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from webapp.extensions import db
from webapp.models import Connector, User
from webapp.services import audit
from webapp.services.errors import NotFound, ServiceError
from webapp.services.permissions import require_admin, require_password
from webapp.services.secret_wording import UNREADABLE_MESSAGE
from webapp.services.secrets import SecretsUnreadable, connector_secrets
from webapp.services.settings_snippets import json_text, python_snippet
from webapp.services.systems import get_system
from webapp.trackers.system import System

#: Categories made from Argus's ``labels_mapping`` tags are named "tag:<tag name>".
TAG_PREFIX = "tag:"
SERVER, METHOD = "issue_tracker_server", "issue_tracker_method"


@dataclass(frozen=True)
class Unmapped:
    """A key (Argus setting or connector param) the other side has no place for."""

    key: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"key": self.key, "reason": self.reason}


@dataclass(frozen=True)
class ArgusExport:
    """The four settings, and what of the connector they cannot say."""

    settings: dict[str, Any]
    left_out: list[Unmapped] = field(default_factory=list)
    secrets_included: bool = False

    @property
    def python(self) -> str:
        return python_snippet(self.settings)

    @property
    def json(self) -> str:
        return json_text(self.settings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "settings": self.settings,
            "python": self.python,
            "json": self.json,
            "secrets_included": self.secrets_included,
            "left_out": [item.to_dict() for item in self.left_out],
        }


def no_argus_plugin(system: System) -> NotFound:
    """There are no Argus settings for a tracker Argus has no plugin for (the API's 404)."""
    return NotFound(f"Argus has no ticket plugin for {system.name}: nothing to export.")


def export_argus(connector: Connector, secrets: dict[str, str] | None = None) -> ArgusExport:
    """The connector as Argus settings; secrets from ``secrets``, else placeholders."""
    system = get_system(connector.system_id)
    mapping = system.argus
    if mapping is None:
        raise no_argus_plugin(system)
    params = {**system.defaults(), **(connector.params or {})}
    host, _, path = str(params.get(SERVER) or "").partition("/")
    website = {api: site for site, api in reversed(mapping.server_aliases.items())}
    address = website.get(host.lower(), host) + (f"/{path}" if path else "")
    settings: dict[str, Any] = {
        "TICKET_PLUGIN": mapping.plugins[0],
        "TICKET_ENDPOINT": f"{params.get(METHOD) or 'https'}://{address}/",
    }
    left_out: list[Unmapped] = []
    auth = mapping.auth_for_params(params)
    credentials: dict[str, str] = {}
    secret_names = set(system.secret_field_names)
    for key, param in (auth.secrets if auth else {}).items():
        if param not in secret_names:
            credentials[key] = str(params.get(param) or "")
        elif secrets is not None and param in secrets:
            credentials[key] = secrets[param]
        else:
            credentials[key] = f"<{key}>"
    if auth is None:
        left_out.append(Unmapped("params.issue_tracker_auth_mode", "Argus has no such form."))
    settings["TICKET_AUTHENTICATION_SECRET"] = credentials
    settings["TICKET_INFORMATION"] = _information(connector, system, params, left_out)
    used = mapping.params_of() | {SERVER, METHOD}
    defaults = system.defaults()
    for name in sorted(set(connector.params or {}) - used):
        if connector.params[name] not in (None, "", {}, defaults.get(name)):
            left_out.append(Unmapped(f"params.{name}", "Argus has no setting for this."))
    return ArgusExport(settings, left_out, secrets_included=secrets is not None)


def _information(
    connector: Connector, system: System, params: dict[str, Any], left_out: list[Unmapped]
) -> dict[str, Any]:
    mapping = system.argus
    assert mapping is not None
    information: dict[str, Any] = {}
    for info in mapping.information:
        value = info.from_params(params)
        if value is not None:
            information[info.key] = value
    labels = str(params.get(mapping.labels_param) or "") if mapping.labels_param else ""
    if labels.strip():
        information["labels_set"] = [label.strip() for label in labels.split(",") if label.strip()]
    labels_mapping: list[Any] = []
    for category in connector.categories:
        if category.name.startswith(TAG_PREFIX):
            labels_mapping.append({"tag": category.name.removeprefix(TAG_PREFIX)})
        elif category.name == category.label:
            labels_mapping.append(category.name)
        else:
            reason = "Argus takes labels from incidents; only categories named like their label "
            left_out.append(Unmapped(f"categories.{category.name}", reason + "map to it."))
    if labels_mapping:
        information["labels_mapping"] = labels_mapping
    custom = params.get(mapping.custom_fields_param) if mapping.custom_fields_param else None
    if isinstance(custom, dict) and custom:
        information["custom_fields_set"] = dict(custom)
    return information


def export_argus_with_secrets(
    actor: User | None, connector: Connector, password: str
) -> ArgusExport:
    """The export with the real secrets: administrators who confirm their password (the
    command line needs none). Audited as ``connector.export_secrets``."""
    require_admin(actor)
    require_password(actor, password)
    system = get_system(connector.system_id)
    if system.argus is None:
        raise no_argus_plugin(system)
    try:
        secrets = connector_secrets(connector)
    except SecretsUnreadable:
        raise ServiceError(UNREADABLE_MESSAGE) from None
    result = export_argus(connector, secrets)
    audit.record("connector.export_secrets", actor, connector, format="argus")
    db.session.commit()
    return result
