"""Connector history: list versions, compare two, restore one as a new version.

Versions are recorded by the connector service (webapp.services.connector_versions).
A restore never rewrites history: it saves the chosen version's values as the next
version. Secrets are not in versions, so a restore keeps the connector's stored secret,
and only while the version's server, method and authentication mode are the ones the
connector has now (webapp.services.connectors.destination); otherwise the secret must
be typed again (SecretsNeeded).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from webapp.extensions import db
from webapp.ids import MAX_ID
from webapp.models import Connector, ConnectorVersion, User
from webapp.services.change_context import VIA_LABELS, changes_via
from webapp.services.connectors import ConnectorChanges, destination, update_connector
from webapp.services.errors import NotFound, ServiceError, ValidationFailed
from webapp.services.permissions import require_admin
from webapp.services.systems import get_system
from webapp.trackers.system import System

#: How a version says where it was made ("migration": versions made when history began).
VIA_WORDS = {**VIA_LABELS, "migration": "when history began"}
RETYPE_ELSEWHERE = (
    "Type this secret again: the version's server, method or authentication differ from "
    "the connector's now, and a stored secret is only sent where it was stored for."
)
RETYPE_GONE = "Type this secret again: the connector no longer has it stored."
ONLY_SECRETS = "Only secrets can be given; the other values come from the version."


class SecretsNeeded(ServiceError):
    """The restore needs secrets typed again; ``errors`` maps ``params.<name>`` to why."""

    def __init__(self, errors: dict[str, list[str]], labels: list[str]) -> None:
        super().__init__(
            f"Restoring this version needs the secret typed again: {', '.join(labels)}.",
            field=next(iter(errors)),
        )
        self.errors = errors
        self.names = [key.removeprefix("params.") for key in errors]


def via_words(via: str) -> str:
    return VIA_WORDS.get(via, via)


def versions_query(connector: Connector):
    """The connector's versions, newest first."""
    return (
        select(ConnectorVersion)
        .where(ConnectorVersion.connector_id == connector.id)
        .order_by(ConnectorVersion.number.desc())
    )


def get_version(connector: Connector, number: int | None) -> ConnectorVersion:
    version = (
        db.session.scalar(
            select(ConnectorVersion).where(
                ConnectorVersion.connector_id == connector.id, ConnectorVersion.number == number
            )
        )
        if number is not None and 0 < number <= MAX_ID
        else None
    )
    if version is None:
        raise NotFound(f"Connector “{connector.name}” has no version {number}.")
    return version


def latest_number(connector: Connector) -> int:
    return (
        db.session.scalar(
            select(ConnectorVersion.number)
            .where(ConnectorVersion.connector_id == connector.id)
            .order_by(ConnectorVersion.number.desc())
            .limit(1)
        )
        or 0
    )


def _label(system: System, name: str) -> str:
    return system.field(name).label if system.has_field(name) else name


def summary(system: System, version: ConnectorVersion) -> list[str]:
    """What the version changed, in words: field labels, never values of secrets."""
    if version.restored_from is not None and not version.changes:
        return [f"Restored version {version.restored_from} (nothing differed)"]
    if not version.changes:
        return [version.note or "Created"]
    words = []
    for key in version.changes:
        kind, _, name = key.partition(".")
        if kind == "params":
            words.append(_label(system, name))
        elif kind == "secrets":
            words.append(f"{_label(system, name)} (secret) changed")
        elif key == "disabled":
            words.append("Disabled" if version.disabled else "Enabled")
        elif key == "inaccessible":
            words.append("Marked not reachable" if version.inaccessible else "Marked reachable")
        else:
            words.append(key.capitalize())
    return words


@dataclass(frozen=True)
class DiffRow:
    """One line of a side-by-side comparison; ``section`` groups the lines."""

    section: str
    label: str
    old: str
    new: str

    @property
    def changed(self) -> bool:
        return self.old != self.new


def _shown(system: System, name: str, value: Any) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "not set"
    if isinstance(value, Mapping):
        return ", ".join(f"{key}={item}" for key, item in value.items())
    if system.has_field(name):
        return system.field(name).display_value(value)
    return str(value)


def _category(row: Mapping[str, str] | None) -> str:
    return f"label {row['label']} · {row['colour']}" if row else "—"


def secrets_changed_between(
    connector: Connector, older: ConnectorVersion, newer: ConnectorVersion
) -> set[str]:
    """Names of secrets some version after ``older`` up to ``newer`` set, changed or removed."""
    changed: set[str] = set()
    for names in db.session.scalars(
        select(ConnectorVersion.secrets_changed).where(
            ConnectorVersion.connector_id == connector.id,
            ConnectorVersion.number > older.number,
            ConnectorVersion.number <= newer.number,
        )
    ):
        changed.update(names or ())
    return changed


def compare(connector: Connector, a: ConnectorVersion, b: ConnectorVersion) -> list[DiffRow]:
    """Rows comparing version ``a`` (left) with ``b`` (right): name, states, params,
    categories and, for secrets, stored / not set and whether one changed in between."""
    system = get_system(connector.system_id)
    older, newer = (a, b) if a.number <= b.number else (b, a)
    rows = [
        DiffRow("General", "Name", a.name, b.name),
        DiffRow(
            "General",
            "Enabled",
            "disabled" if a.disabled else "enabled",
            "disabled" if b.disabled else "enabled",
        ),
        DiffRow(
            "General",
            "Reachable",
            "not reachable" if a.inaccessible else "reachable",
            "not reachable" if b.inaccessible else "reachable",
        ),
    ]
    old_params, new_params = a.params or {}, b.params or {}
    names = [spec.name for spec in system.fields if not spec.secret]
    names += sorted((old_params.keys() | new_params.keys()) - set(names))
    for name in names:
        if name in old_params or name in new_params:
            rows.append(
                DiffRow(
                    "Settings",
                    _label(system, name),
                    _shown(system, name, old_params.get(name)),
                    _shown(system, name, new_params.get(name)),
                )
            )
    changed = secrets_changed_between(connector, older, newer) if older is not newer else set()
    for name in system.secret_field_names:
        old = "stored" if name in (a.secret_names or []) else "not set"
        new = "stored" if name in (b.secret_names or []) else "not set"
        if name in changed and old == new == "stored":
            new = "stored (changed)" if b is newer else new
            old = "stored (changed)" if a is newer else old
        if old != "not set" or new != "not set" or name in changed:
            rows.append(DiffRow("Secrets", _label(system, name), old, new))
    old_rows = {row["name"]: row for row in a.categories or []}
    new_rows = {row["name"]: row for row in b.categories or []}
    for name in list(old_rows) + [n for n in new_rows if n not in old_rows]:
        rows.append(
            DiffRow(
                "Categories", name, _category(old_rows.get(name)), _category(new_rows.get(name))
            )
        )
    return rows


def secrets_to_retype(
    system: System, connector: Connector, version: ConnectorVersion
) -> dict[str, list[str]]:
    """``{"params.<name>": [why]}`` for each secret the version had that a restore cannot
    keep: all of them when the destination differs, else those no longer stored."""
    had = sorted(version.secret_names or [])
    if destination(system, version.params or {}) != destination(system, connector.params or {}):
        return {f"params.{name}": [RETYPE_ELSEWHERE] for name in had}
    stored = set(connector.secret_names or [])
    return {f"params.{name}": [RETYPE_GONE] for name in had if name not in stored}


def restore_version(
    actor: User | None,
    connector: Connector,
    number: int,
    typed_secrets: Mapping[str, Any] | None = None,
    expected_version: int | None = None,
) -> ConnectorVersion:
    """Save version ``number``'s values as the connector's next version; returns it.

    Raises SecretsNeeded unless every secret the rule cannot keep is in ``typed_secrets``;
    StaleEdit when ``expected_version`` (the connector's) is not the current one.
    """
    require_admin(actor)
    version = get_version(connector, number)
    system = get_system(connector.system_id)
    typed = {name: value for name, value in (typed_secrets or {}).items() if value}
    wrong = sorted(set(typed) - set(system.secret_field_names))
    if wrong:
        raise ValidationFailed({f"params.{name}": [ONLY_SECRETS] for name in wrong})
    needed = {
        key: why
        for key, why in secrets_to_retype(system, connector, version).items()
        if key.removeprefix("params.") not in typed
    }
    if needed:
        labels = [_label(system, key.removeprefix("params.")) for key in needed]
        raise SecretsNeeded(needed, labels)
    same_place = destination(system, version.params or {}) == destination(
        system, connector.params or {}
    )
    # Secrets the version did not have are removed, as the version had it.
    dropped = set(connector.secret_names or []) - set(version.secret_names or []) - set(typed)
    changes = ConnectorChanges(
        name=version.name,
        params={**(version.params or {}), **typed},
        inaccessible=bool(version.inaccessible),
        clear_secrets=sorted(dropped) if same_place else (),
        expected_version=expected_version,
        categories=list(version.categories or []),
        disabled=bool(version.disabled),
    )
    return _restore(actor, connector, version, changes)


def restore_from_form(
    actor: User | None, connector: Connector, number: int, changes: ConnectorChanges
) -> ConnectorVersion:
    """Restore version ``number`` with the values of the form that asked for its secrets
    (pre-filled with the version, perhaps changed); the enabled state is the version's."""
    require_admin(actor)
    version = get_version(connector, number)
    changes.disabled = bool(version.disabled)
    return _restore(actor, connector, version, changes)


def _restore(
    actor: User | None, connector: Connector, version: ConnectorVersion, changes: ConnectorChanges
) -> ConnectorVersion:
    with changes_via("restore"):
        update_connector(actor, connector, changes, restored_from=version.number)
    return get_version(connector, latest_number(connector))


def form_values(version: ConnectorVersion) -> dict[str, Any]:
    """The version's values for pre-filling the connector form (no secrets: none are kept)."""
    return {
        "name": version.name,
        "inaccessible": bool(version.inaccessible),
        "params": dict(version.params or {}),
        "categories": [dict(row) for row in version.categories or []],
    }
