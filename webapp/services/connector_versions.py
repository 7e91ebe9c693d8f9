"""Recording connector versions: called by the connector service inside its transaction.

A version holds what a person sees of a connector (name, non-secret params, categories,
enabled and reachable states) and the *names* of its secrets, never their values.
Reading, comparing and restoring versions is in webapp.services.connector_history.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import delete, select

from webapp.extensions import db
from webapp.models import Connector, ConnectorVersion, User
from webapp.services.change_context import current_via

#: The states a version keeps, in the order a diff shows them.
STATE_KEYS = ("name", "params", "categories", "inaccessible", "disabled", "secret_names")


def state_of(connector: Connector) -> dict[str, Any]:
    """The connector as a version keeps it (the in-memory state, before commit)."""
    return {
        "name": connector.name,
        "params": dict(connector.params or {}),
        "categories": [
            {"name": c.name, "label": c.label, "colour": c.colour} for c in connector.categories
        ],
        "inaccessible": bool(connector.inaccessible),
        "disabled": bool(connector.disabled),
        "secret_names": sorted(connector.secret_names or []),
    }


def state_of_version(version: ConnectorVersion) -> dict[str, Any]:
    return {
        "name": version.name,
        "params": dict(version.params or {}),
        "categories": list(version.categories or []),
        "inaccessible": bool(version.inaccessible),
        "disabled": bool(version.disabled),
        "secret_names": sorted(version.secret_names or []),
    }


def changed_keys(
    before: dict[str, Any] | None, after: dict[str, Any], secrets_changed: Collection[str] = ()
) -> list[str]:
    """What differs: "name", "params.<name>", "categories", "inaccessible", "disabled" and
    "secrets.<name>" for each secret set, changed or removed (all of it for a first version)."""
    keys: list[str] = []
    if before is None:
        return keys
    if before["name"] != after["name"]:
        keys.append("name")
    old, new = before["params"], after["params"]
    keys += [f"params.{k}" for k in sorted(old.keys() | new.keys()) if old.get(k) != new.get(k)]
    for key in ("categories", "inaccessible", "disabled"):
        if before[key] != after[key]:
            keys.append(key)
    secrets = set(secrets_changed) | (set(before["secret_names"]) ^ set(after["secret_names"]))
    keys += [f"secrets.{name}" for name in sorted(secrets)]
    return keys


def latest_version(connector_id: int) -> ConnectorVersion | None:
    return db.session.scalar(
        select(ConnectorVersion)
        .where(ConnectorVersion.connector_id == connector_id)
        .order_by(ConnectorVersion.number.desc())
        .limit(1)
    )


def record_version(
    actor: User | None,
    connector: Connector,
    secrets_changed: Collection[str] = (),
    restored_from: int | None = None,
) -> ConnectorVersion | None:
    """Add the connector's next version to the current transaction (the caller commits).

    Nothing is added when nothing a version keeps changed (a form saved as it was),
    except for a restore, which is always a version of its own.
    """
    if connector.id is None:
        db.session.flush()
    after = state_of(connector)
    previous = latest_version(connector.id)
    before = state_of_version(previous) if previous is not None else None
    secrets_changed = sorted(secrets_changed)
    changes = changed_keys(before, after, secrets_changed)
    if previous is not None and not changes and restored_from is None:
        return None
    version = ConnectorVersion(
        connector_id=connector.id,
        number=previous.number + 1 if previous is not None else 1,
        name=after["name"],
        params=after["params"],
        categories=after["categories"],
        inaccessible=after["inaccessible"],
        disabled=after["disabled"],
        secret_names=after["secret_names"],
        secrets_changed=secrets_changed,
        changes=changes,
        actor_id=actor.id if actor is not None else None,
        actor_email=actor.email if actor is not None else None,
        via=current_via(),
        restored_from=restored_from,
        note=f"Restored from version {restored_from}." if restored_from else None,
    )
    db.session.add(version)
    return version


def forget_versions(connector: Connector) -> None:
    """Delete the connector's versions with it (in the caller's transaction): the database
    cascades too, but SQLite only where foreign keys are switched on, and it may give a
    later connector the same id."""
    db.session.execute(
        delete(ConnectorVersion).where(ConnectorVersion.connector_id == connector.id)
    )
