"""Argus ticket-plugin settings in: a connector from them (argus_export: the way out).

Argus configures a ticket plugin with four settings: ``TICKET_PLUGIN`` (the plugin
class), ``TICKET_ENDPOINT`` (the tracker's address), ``TICKET_AUTHENTICATION_SECRET``
and ``TICKET_INFORMATION``. Which plugin means which system, and what the credentials
and information keys mean, each tracker declares (``System.argus``,
webapp.trackers.argus_mapping); the parts every tracker shares live here and in
argus_information, once:

- ``TICKET_ENDPOINT`` → method and server (with the tracker's host aliases);
- ``labels_set`` → the connector's default labels, where the system has labels;
- ``labels_mapping`` → categories: Argus fills these labels from an incident's
  attributes or tags, and a ticket here picks a category instead. A tag becomes a
  category "tag:<name>" with label <name>, an attribute a category of that name;
- ``custom_fields_set`` → the connector's custom field defaults, where it has them;
- ``custom_fields_mapping`` (custom fields from incident data) has no counterpart.

Nothing is dropped silently: every key that is not mapped is listed with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from webapp.models import Connector, User
from webapp.services.argus_export import Unmapped
from webapp.services.argus_information import INFORMATION, read_information
from webapp.services.change_context import changes_via
from webapp.services.connectors import ConnectorChanges, check_new_connector, create_connector
from webapp.services.errors import ValidationFailed
from webapp.services.permissions import require_admin
from webapp.services.settings_snippets import parse_settings
from webapp.services.systems import registry
from webapp.trackers.argus_mapping import ArgusMapping
from webapp.trackers.system import System

PLUGIN, ENDPOINT, AUTH = "TICKET_PLUGIN", "TICKET_ENDPOINT", "TICKET_AUTHENTICATION_SECRET"
#: What an export writes instead of a secret, e.g. "<token>"; refused when imported.
PLACEHOLDER = re.compile(r"^<[^<>]*>$")
SERVER, METHOD = "issue_tracker_server", "issue_tracker_method"


@dataclass
class ArgusImport:
    """The connector a set of Argus settings makes, and what could not be mapped."""

    name: str
    system: System
    params: dict[str, Any]
    categories: list[dict[str, str]]
    unmapped: list[Unmapped]
    #: Which Argus key each param came from, so errors name what the admin pasted.
    sources: dict[str, str]
    errors: dict[str, list[str]] = field(default_factory=dict)
    connector: Connector | None = None

    def changes(self) -> ConnectorChanges:
        return ConnectorChanges(
            name=self.name, params=self.params, categories=self.categories or None
        )

    def explain(self, errors: Mapping[str, list[str]]) -> dict[str, list[str]]:
        """``params.x`` errors under the Argus key the param came from, where known."""
        explained: dict[str, list[str]] = {}
        for key, messages in errors.items():
            param = key.removeprefix("params.")
            where = f"settings.{self.sources[param]}" if param in self.sources else key
            explained.setdefault(where, []).extend(messages)
        return explained

    def to_dict(self) -> dict[str, Any]:
        """What the dry run shows; secrets only by name."""
        secret_names = set(self.system.secret_field_names)
        return {
            "valid": not self.errors,
            "created": self.connector is not None,
            "connector": {
                "id": self.connector.id if self.connector is not None else None,
                "name": self.name,
                "system": self.system.summary(),
                "params": {k: v for k, v in self.params.items() if k not in secret_names},
                "secrets": sorted(k for k in self.params if k in secret_names),
                "categories": self.categories,
            },
            "unmapped": [item.to_dict() for item in self.unmapped],
            "errors": self.errors,
        }


def systems_by_plugin() -> dict[str, System]:
    """Every known ``TICKET_PLUGIN`` class path and the system it means."""
    return {plugin: system for system in registry().all() for plugin in system.argus_plugins}


def read_argus(name: str, settings: Any) -> ArgusImport:
    """Map Argus settings (a mapping, JSON or Python text) to a connector; nothing is saved.

    Raises ValidationFailed, keyed ``settings`` or ``settings.<KEY>``, when the settings
    cannot be read or name no known plugin, address or credentials.
    """
    values = parse_settings(settings)
    errors: dict[str, list[str]] = {}
    unmapped = [
        Unmapped(key, "Not one of Argus's ticket settings.")
        for key in values
        if key not in (PLUGIN, ENDPOINT, AUTH, INFORMATION)
    ]
    system = _system(values.get(PLUGIN), errors)
    if system is None or system.argus is None:
        raise ValidationFailed(errors)
    mapping = system.argus
    params: dict[str, Any] = {}
    sources: dict[str, str] = {}
    _endpoint(values.get(ENDPOINT), mapping, params, sources, errors)
    _authentication(values.get(AUTH), mapping, params, sources, errors, unmapped)
    categories = read_information(
        values.get(INFORMATION), system, params, sources, errors, unmapped
    )
    if errors:
        raise ValidationFailed(errors)
    return ArgusImport(name, system, params, categories, unmapped, sources)


def import_argus(actor: User | None, name: str, settings: Any, *, dry_run: bool) -> ArgusImport:
    """Create a connector from Argus settings, or (``dry_run``) show the one it would be.

    Created through create_connector (validation, encrypted secrets, audit) as an
    import. A dry run reports validation errors in ``errors``; a real one raises them.
    """
    require_admin(actor)
    plan = read_argus(name, settings)
    try:
        if dry_run:
            check_new_connector(plan.system.id, plan.changes())
        else:
            with changes_via("import"):
                plan.connector = create_connector(actor, plan.system.id, plan.changes())
    except ValidationFailed as failure:
        if not dry_run:
            raise ValidationFailed(plan.explain(failure.errors)) from None
        plan.errors = plan.explain(failure.errors)
    return plan


def _system(plugin: Any, errors: dict[str, list[str]]) -> System | None:
    known = systems_by_plugin()
    if isinstance(plugin, str) and plugin.strip() in known:
        return known[plugin.strip()]
    listed = ", ".join(sorted(known))
    message = (
        f"Give the plugin class, one of: {listed}."
        if plugin in (None, "")
        else f"Unknown plugin; Connector Desk knows {listed}."
    )
    errors[f"settings.{PLUGIN}"] = [message]
    return None


def _endpoint(
    value: Any,
    mapping: ArgusMapping,
    params: dict[str, Any],
    sources: dict[str, str],
    errors: dict[str, list[str]],
) -> None:
    """``https://host[:port][/path]/`` → method and server."""
    where = f"settings.{ENDPOINT}"
    try:
        parts = urlsplit(value.strip()) if isinstance(value, str) else None
        port = parts.port if parts is not None else None
    except ValueError:  # e.g. "https://[::1" or a port that is not a number
        parts, port = None, None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        errors[where] = ["Give the tracker's address as an absolute URL, e.g. https://gitlab.com/."]
        return
    if parts.query or parts.fragment or parts.username or parts.password:
        errors[where] = ["Give the address without user@, ?query or #fragment."]
        return
    host = parts.hostname.lower()
    host = mapping.server_aliases.get(host, host)
    if ":" in host:
        host = f"[{host}]"  # an IPv6 address
    params[SERVER] = host + (f":{port}" if port else "") + parts.path.rstrip("/")
    params[METHOD] = parts.scheme
    sources[SERVER] = sources[METHOD] = ENDPOINT


def _authentication(
    value: Any,
    mapping: ArgusMapping,
    params: dict[str, Any],
    sources: dict[str, str],
    errors: dict[str, list[str]],
    unmapped: list[Unmapped],
) -> None:
    """The credentials shape with the most keys that are all there; the rest is listed."""
    where = f"settings.{AUTH}"
    shapes = " or ".join("{" + ", ".join(sorted(auth.keys)) + "}" for auth in mapping.auth)
    given = set(value) if isinstance(value, dict) else set()
    fitting = [auth for auth in mapping.auth if auth.keys <= given]
    if not isinstance(value, dict) or not fitting:
        errors[where] = [f"Give the credentials as a dictionary with the keys {shapes}."]
        return
    chosen = max(fitting, key=lambda auth: len(auth.keys))
    for key, param in chosen.secrets.items():
        secret = value[key]
        if not isinstance(secret, str) or not secret.strip():
            errors[f"{where}.{key}"] = ["Enter text."]
        elif PLACEHOLDER.match(secret.strip()):
            errors[f"{where}.{key}"] = [
                "This is a placeholder from an export: put the real value in its place."
            ]
        else:
            params[param] = secret.strip()
            sources[param] = f"{AUTH}.{key}"
    params.update(chosen.params)
    for key in sorted(given - chosen.keys):
        unmapped.append(Unmapped(f"{AUTH}.{key}", "Not used with the other keys given."))
