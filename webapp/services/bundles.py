"""JSON bundles of connectors: moving configurations between installations.

A bundle holds every connector with its categories. Secrets are left out unless a
passphrase is given; then they travel encrypted (webapp.services.bundle_secrets).
Importing matches connectors by name, says per connector whether it would be created,
updated or left unchanged, applies nothing while any connector is invalid, and is
idempotent. On update, secrets the bundle does not carry keep the stored ones (under
the usual destination rule).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from webapp.extensions import db
from webapp.models import Connector, User
from webapp.names import name_key, normalise_name
from webapp.services import audit
from webapp.services.bundle_secrets import check_passphrase, open_secrets, seal_secrets
from webapp.services.change_context import changes_via
from webapp.services.connectors import (
    ConnectorChanges,
    check_categories,
    check_new_connector,
    create_connector,
    resolve_params,
    set_disabled,
    update_connector,
)
from webapp.services.errors import ServiceError, ValidationFailed
from webapp.services.permissions import require_admin, require_password
from webapp.services.secrets import SecretsUnreadable, connector_secrets
from webapp.services.systems import get_system

FORMAT = "connector-desk-bundle"
VERSION = 1
ACTIONS = ("create", "update", "unchanged")


def _all_connectors() -> list[Connector]:
    query = (
        select(Connector).options(selectinload(Connector.categories)).order_by(Connector.name_key)
    )
    return list(db.session.scalars(query))


def _entry(connector: Connector) -> dict[str, Any]:
    return {
        "name": connector.name,
        "system": connector.system_id,
        "params": dict(connector.params or {}),
        "inaccessible": bool(connector.inaccessible),
        "disabled": bool(connector.disabled),
        "categories": [
            {"name": c.name, "label": c.label, "colour": c.colour} for c in connector.categories
        ],
    }


def export_bundle(
    actor: User | None, passphrase: str | None = None, password: str | None = None
) -> dict[str, Any]:
    """Every connector as a bundle; with ``passphrase``, their secrets too, encrypted
    (the actor confirms their ``password``; audited as ``connectors.export_secrets``)."""
    require_admin(actor)
    if passphrase is not None:
        require_password(actor, password)
    connectors = _all_connectors()
    bundle: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "connectors": [_entry(connector) for connector in connectors],
        "secrets": None,
    }
    if passphrase is None:
        return bundle
    check_passphrase(passphrase)
    secrets = {}
    for connector in connectors:
        try:
            secrets[connector.name] = connector_secrets(connector)
        except SecretsUnreadable:
            raise ServiceError(
                f"The secrets of “{connector.name}” cannot be decrypted with the configured "
                "keys; re-enter them or export without secrets."
            ) from None
    bundle["secrets"] = seal_secrets(secrets, passphrase)
    audit.record("connectors.export_secrets", actor, None, connectors=len(connectors))
    db.session.commit()
    return bundle


def read_bundle(data: Any) -> dict[str, Any]:
    """The bundle as a dict: JSON text or an object, of our format and a known version."""
    if isinstance(data, bytes | str):
        try:
            data = json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise ValidationFailed({"bundle": [f"Not valid JSON: {error}."]}) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValidationFailed({"bundle": [f"Not a connector bundle (format {FORMAT!r})."]})
    if data.get("version") != VERSION:
        message = f"Bundle version {data.get('version')!r} is not supported; this is {VERSION}."
        raise ValidationFailed({"bundle.version": [message]})
    if not isinstance(data.get("connectors"), list):
        raise ValidationFailed({"bundle.connectors": ["Give the connectors as a list."]})
    return data


@dataclass
class BundleItem:
    """What importing one connector of a bundle does (or would do)."""

    name: str
    system_id: str
    action: str = "create"
    changed: list[str] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)
    changes: ConnectorChanges | None = None
    disabled: bool = False
    existing: Connector | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "system": self.system_id,
            "action": self.action,
            "changed": self.changed,
            "errors": self.errors,
        }


@dataclass
class BundleImport:
    items: list[BundleItem]
    dry_run: bool
    secrets_included: bool

    @property
    def valid(self) -> bool:
        return not any(item.errors for item in self.items)

    def counts(self) -> dict[str, int]:
        return {action: sum(i.action == action for i in self.items) for action in ACTIONS}

    def to_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "applied": not self.dry_run and self.valid,
            "valid": self.valid,
            "secrets_included": self.secrets_included,
            "counts": self.counts(),
            "connectors": [item.to_dict() for item in self.items],
        }


def _plan(entry: Any, secrets: dict[str, str]) -> BundleItem:
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
        return BundleItem("", "", errors={"name": ["Each connector needs a name."]})
    item = BundleItem(normalise_name(entry["name"]), str(entry.get("system") or ""))
    params, categories = entry.get("params", {}), entry.get("categories", [])
    flags = {key: entry.get(key, False) for key in ("inaccessible", "disabled")}
    for key, ok in (
        ("params", isinstance(params, dict)),
        (
            "categories",
            isinstance(categories, list) and all(isinstance(c, dict) for c in categories),
        ),
        *((key, isinstance(value, bool)) for key, value in flags.items()),
    ):
        if not ok:
            item.errors[key] = ["Has the wrong type."]
    try:
        system = get_system(item.system_id)
    except ServiceError as error:
        item.errors["system"] = [error.message]
    if item.errors:
        return item
    item.disabled = flags["disabled"]
    item.existing = db.session.scalar(
        select(Connector).where(Connector.name_key == name_key(item.name))
    )
    item.changes = ConnectorChanges(
        name=item.name,
        params={**params, **secrets},
        inaccessible=flags["inaccessible"],
        categories=[{k: str(v) for k, v in c.items()} for c in categories],
    )
    try:
        if item.existing is None:
            check_new_connector(system.id, item.changes)
        else:
            _compare(item, system)
    except ValidationFailed as failure:
        item.errors = failure.errors
    return item


def _compare(item: BundleItem, system) -> None:
    """Mark an existing connector "update" with what differs, or "unchanged"."""
    existing, changes = item.existing, item.changes
    if existing.system_id != system.id:
        message = (
            f"“{existing.name}” here is a {existing.system_id} connector; systems never change."
        )
        raise ValidationFailed({"system": [message]})
    values, secrets = resolve_params(system, changes, existing)
    errors: dict[str, list[str]] = {}
    categories = check_categories(changes.categories, errors)
    if errors:
        raise ValidationFailed(errors)
    try:
        stored = connector_secrets(existing)
    except SecretsUnreadable:
        stored = {}
    current = [(c.name, c.label, c.colour) for c in existing.categories]
    differences = {
        "name": existing.name != item.name,
        "params": values != dict(existing.params or {}),
        "secrets": secrets != stored,
        "categories": current != [(c["name"], c["label"], c["colour"]) for c in categories],
        "inaccessible": bool(existing.inaccessible) != changes.inaccessible,
        "disabled": bool(existing.disabled) != item.disabled,
    }
    item.changed = [name for name, differs in differences.items() if differs]
    item.action = "update" if item.changed else "unchanged"


def import_bundle(
    actor: User | None, data: Any, *, passphrase: str | None = None, dry_run: bool = False
) -> BundleImport:
    """Plan (and unless ``dry_run`` apply) a bundle; nothing is applied while any
    connector of it is invalid (ValidationFailed keyed ``connectors.<n>.<field>``)."""
    require_admin(actor)
    bundle = read_bundle(data)
    secrets = open_secrets(bundle, passphrase)
    items = []
    for entry in bundle["connectors"]:
        name = entry.get("name") if isinstance(entry, dict) else None
        found = secrets.get(name) if isinstance(name, str) else None
        items.append(_plan(entry, found if isinstance(found, dict) else {}))
    names = [name_key(item.name) for item in items if item.name]
    for item in items:
        if item.name and names.count(name_key(item.name)) > 1:
            item.errors.setdefault("name", []).append("The bundle holds this name twice.")
    result = BundleImport(items, dry_run, secrets_included=bool(secrets))
    if dry_run:
        return result
    if not result.valid:
        raise ValidationFailed(
            {
                f"connectors.{index}.{key}": messages
                for index, item in enumerate(items)
                for key, messages in item.errors.items()
            }
        )
    with changes_via("import"):
        _apply(actor, items)
    audit.record("connectors.import", actor, None, **result.counts())
    db.session.commit()
    return result


def _apply(actor: User | None, items: list[BundleItem]) -> None:
    for item in items:
        if item.action == "create":
            connector = create_connector(actor, item.system_id, item.changes)
        elif item.action == "update":
            connector = update_connector(actor, item.existing, item.changes)
        else:
            continue
        if bool(connector.disabled) != item.disabled:
            set_disabled(actor, connector, item.disabled)
