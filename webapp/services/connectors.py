"""Creating, changing, cloning and deleting connectors: one code path for forms, API and CLI.

Secrets are write-only. A blank secret keeps the stored value, but only while the
server, method and authentication mode stay as they were: a stored token must never
follow a connector that someone points at another host.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from webapp.extensions import db
from webapp.models import Connector, User
from webapp.models.base import utcnow
from webapp.services import audit
from webapp.services.errors import NotFound, ServiceError, ValidationFailed
from webapp.services.secrets import SecretsUnreadable, connector_secrets, encrypt_secrets
from webapp.services.systems import get_system
from webapp.systems import System, validate_params

NAME_MAX_LENGTH = 100
#: Params that decide where a stored secret is sent.
DESTINATION_PARAMS = ("issue_tracker_server", "issue_tracker_method", "issue_tracker_auth_mode")
REENTER_MESSAGE = (
    "Enter it again: the server, method or authentication mode changed, and a stored "
    "secret is only ever sent to the server it was entered for."
)
UNREADABLE_MESSAGE = "The stored value cannot be decrypted — enter it again."


class StaleEdit(ServiceError):
    """The connector changed since the form was loaded."""

    def __init__(self, connector: Connector) -> None:
        who = connector.updated_by.email if connector.updated_by else "someone"
        when = connector.updated_at.strftime("%Y-%m-%d %H:%M UTC")
        super().__init__(
            f"{who} changed this connector at {when}, after you opened the form. "
            "The form now shows their version; apply your changes again."
        )
        self.connector = connector


@dataclass
class ConnectorChanges:
    """What a person asked for on a form or in an API body."""

    name: str
    params: Mapping[str, Any]
    inaccessible: bool = False
    clear_secrets: Collection[str] = ()
    expected_version: int | None = None
    #: Params the caller did not send and that keep their stored values (API PATCH).
    keep_missing_params: bool = False


def destination(system: System, params: Mapping[str, Any]) -> tuple[Any, ...]:
    defaults = system.defaults()
    return tuple(params.get(name, defaults.get(name)) for name in DESTINATION_PARAMS)


def _check_name(name: str, errors: dict[str, list[str]], exclude_id: int | None) -> str:
    name = (name or "").strip()
    if not name:
        errors.setdefault("name", []).append("This field is required.")
    elif len(name) > NAME_MAX_LENGTH:
        errors.setdefault("name", []).append(
            f"Use at most {NAME_MAX_LENGTH} characters ({len(name)} given)."
        )
    else:
        query = select(Connector.id).where(func.lower(Connector.name) == name.lower())
        if exclude_id is not None:
            query = query.where(Connector.id != exclude_id)
        if db.session.scalar(query) is not None:
            errors.setdefault("name", []).append("A connector with this name already exists.")
    return name


def _resolve_params(
    system: System,
    changes: ConnectorChanges,
    source: Connector | None,
    errors: dict[str, list[str]],
) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    """Validate params; return clean values, the stored secrets kept, and those typed in."""
    raw = dict(changes.params)
    if changes.keep_missing_params and source is not None:
        raw = {**source.params, **raw}
    cleared = set(changes.clear_secrets)
    keepable = set(source.secret_names or []) - cleared if source is not None else set()
    result = validate_params(system, raw, stored_secrets=keepable)
    if (
        keepable
        and source is not None
        and destination(system, result.values) != destination(system, source.params)
    ):
        keepable = set()
        result = validate_params(system, raw, stored_secrets=())
        for name in source.secret_names or []:
            if name in result.errors and name not in cleared:
                result.errors[name] = [REENTER_MESSAGE]
    kept: dict[str, str] = {}
    needed = (keepable & result.shown_secret_names) - set(result.secrets)
    if needed:
        try:
            stored = connector_secrets(source)
        except SecretsUnreadable:
            stored = {}
            for name in needed:
                result.errors.setdefault(name, [UNREADABLE_MESSAGE])
        kept = {name: stored[name] for name in needed if name in stored}
    for name, messages in result.errors.items():
        errors.setdefault(f"params.{name}", []).extend(messages)
    return result.values, kept, result.secrets


def _apply(
    connector: Connector, system: System, changes: ConnectorChanges, source: Connector | None
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    name = _check_name(changes.name, errors, connector.id)
    values, kept, typed = _resolve_params(system, changes, source, errors)
    if errors:
        raise ValidationFailed(errors)
    secrets = {**kept, **typed}
    old_values, old_secret_names = dict(connector.params or {}), set(connector.secret_names or [])
    connector.name = name
    connector.system_id = system.id
    connector.params = values
    connector.secrets_ciphertext = encrypt_secrets(secrets)
    connector.secret_names = sorted(secrets)
    connector.inaccessible = bool(changes.inaccessible)
    changed = sorted(
        k for k in values.keys() | old_values.keys() if values.get(k) != old_values.get(k)
    )
    # Names only: the audit log says a secret changed, never what it is.
    secrets_changed = sorted((set(secrets) ^ old_secret_names) | set(typed))
    return {"changed": changed, "secrets_changed": secrets_changed}


def create_connector(
    actor: User | None, system_id: str, changes: ConnectorChanges, clone_of: Connector | None = None
) -> Connector:
    """Create a connector; with ``clone_of`` its stored secrets may be reused (same rules)."""
    system = get_system(system_id)
    connector = Connector(created_by_id=actor and actor.id, updated_by_id=actor and actor.id)
    _apply(connector, system, changes, source=clone_of)
    db.session.add(connector)
    db.session.flush()
    if clone_of is not None:
        audit.record(
            "connector.clone",
            actor,
            connector,
            source_id=clone_of.id,
            secrets_copied=bool(connector.secret_names),
        )
    else:
        audit.record("connector.create", actor, connector)
    db.session.commit()
    return connector


def update_connector(
    actor: User | None, connector: Connector, changes: ConnectorChanges
) -> Connector:
    """Apply changes; raises StaleEdit when the form was based on an older version."""
    if changes.expected_version is not None and changes.expected_version != connector.version:
        raise StaleEdit(connector)
    system = get_system(connector.system_id)
    details = _apply(connector, system, changes, source=connector)
    connector.updated_at = utcnow()
    connector.updated_by_id = actor and actor.id
    audit.record("connector.update", actor, connector, **details)
    try:
        db.session.commit()
    except StaleDataError:
        # Someone saved between our version check and this commit.
        db.session.rollback()
        raise StaleEdit(connector) from None
    return connector


def set_disabled(actor: User | None, connector: Connector, disabled: bool) -> None:
    connector.disabled = disabled
    connector.updated_at = utcnow()
    connector.updated_by_id = actor and actor.id
    audit.record("connector.disable" if disabled else "connector.enable", actor, connector)
    db.session.commit()


def delete_connector(actor: User | None, connector: Connector) -> None:
    audit.record("connector.delete", actor, connector, system=connector.system_id)
    db.session.delete(connector)
    db.session.commit()


def get_connector(connector_id: int) -> Connector:
    connector = db.session.get(Connector, connector_id)
    if connector is None:
        raise NotFound("There is no connector with this id.")
    return connector


def connectors_query(search: str = "", system_id: str = ""):
    """Connectors filtered by name (substring, any case) and system, sorted by name."""
    query = (
        select(Connector)
        .options(selectinload(Connector.updated_by))
        .order_by(func.lower(Connector.name))
    )
    if search:
        escaped = (
            search.strip().lower().replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
        )
        query = query.where(func.lower(Connector.name).like(f"%{escaped}%", escape="\\"))
    if system_id:
        query = query.where(Connector.system_id == system_id)
    return query
