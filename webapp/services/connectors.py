"""Creating, changing, cloning and deleting connectors: one code path for forms, API and CLI.

Secrets are write-only. A blank secret keeps the stored value, but only while the
server, method and authentication mode stay as they were: a stored token must never
follow a connector that someone points at another host.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, load_only, selectinload
from sqlalchemy.orm.exc import StaleDataError

from webapp.extensions import db
from webapp.ids import MAX_ID
from webapp.models import Connector, ConnectorCategory, User
from webapp.models.base import utcnow
from webapp.names import name_key, normalise_name
from webapp.schema.validation import validate_params
from webapp.services import audit
from webapp.services.connector_versions import forget_versions, record_version
from webapp.services.errors import NotFound, ServiceError, ValidationFailed
from webapp.services.outbox_stats import undelivered_count
from webapp.services.permissions import require_admin
from webapp.services.search import key_contains
from webapp.services.secret_wording import REENTER_MESSAGE, UNREADABLE_MESSAGE
from webapp.services.secrets import SecretsUnreadable, connector_secrets, encrypt_secrets
from webapp.services.systems import get_system
from webapp.trackers.system import System

NAME_MAX_LENGTH = 100
#: Params that decide where a stored secret is sent.
DESTINATION_PARAMS = ("issue_tracker_server", "issue_tracker_method", "issue_tracker_auth_mode")
NAME_TAKEN = "A connector with this name already exists."


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
    #: Ticket categories as rows of name/label/colour; None leaves them as they are.
    categories: list[Mapping[str, str]] | None = None
    #: Disable or enable in the same change (a restore); None leaves it as it is.
    disabled: bool | None = None


def destination(system: System, params: Mapping[str, Any]) -> tuple[Any, ...]:
    defaults = system.defaults()
    return tuple(params.get(name, defaults.get(name)) for name in DESTINATION_PARAMS)


def _name_taken(name: str, exclude_id: int | None) -> bool:
    query = select(Connector.id).where(Connector.name_key == name_key(name))
    if exclude_id is not None:
        query = query.where(Connector.id != exclude_id)
    return db.session.scalar(query) is not None


def _check_name(name: str, errors: dict[str, list[str]], exclude_id: int | None) -> str:
    """The name normalised (webapp.names); "Legit GitLab\u200b" is "Legit GitLab"."""
    name = normalise_name(name or "")
    if not name:
        errors.setdefault("name", []).append("This field is required.")
    elif len(name) > NAME_MAX_LENGTH:
        errors.setdefault("name", []).append(
            f"Use at most {NAME_MAX_LENGTH} characters ({len(name)} given)."
        )
    elif _name_taken(name, exclude_id):
        errors.setdefault("name", []).append(NAME_TAKEN)
    return name


@contextmanager
def _name_race_as_error(name: str, exclude_id: int | None) -> Iterator[None]:
    """A request that saved the same name between our check and our write loses on the
    unique index: tell this one the name is taken, as if the check had seen it."""
    try:
        yield
    except IntegrityError:
        db.session.rollback()
        if _name_taken(name, exclude_id):
            raise ValidationFailed({"name": [NAME_TAKEN]}) from None
        raise


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


def resolve_params(
    system: System, changes: ConnectorChanges, source: Connector | None
) -> tuple[dict[str, Any], dict[str, str]]:
    """Validated params and the secrets they would use, without saving anything.

    For testing unsaved form values: blank secrets fall back to ``source``'s stored
    ones under the same rules as saving. Raises ValidationFailed.
    """
    errors: dict[str, list[str]] = {}
    values, kept, typed = _resolve_params(system, changes, source, errors)
    if errors:
        raise ValidationFailed(errors)
    return values, {**kept, **typed}


def _apply(
    connector: Connector, system: System, changes: ConnectorChanges, source: Connector | None
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    name = _check_name(changes.name, errors, connector.id)
    values, kept, typed = _resolve_params(system, changes, source, errors)
    categories = (
        check_categories(changes.categories, errors) if changes.categories is not None else None
    )
    if errors:
        raise ValidationFailed(errors)
    if categories is not None:
        replace_categories(connector, categories)
    secrets = {**kept, **typed}
    old_values, old_secret_names = dict(connector.params or {}), set(connector.secret_names or [])
    connector.name = name
    connector.system_id = system.id
    connector.params = values
    connector.secrets_ciphertext = encrypt_secrets(secrets)
    connector.secret_names = sorted(secrets)
    connector.inaccessible = bool(changes.inaccessible)
    was_disabled = bool(connector.disabled)
    if changes.disabled is not None:
        connector.disabled = changes.disabled
    changed = sorted(
        k for k in values.keys() | old_values.keys() if values.get(k) != old_values.get(k)
    )
    # Names only: the audit log says a secret changed, never what it is.
    secrets_changed = sorted((set(secrets) ^ old_secret_names) | set(typed))
    details: dict[str, Any] = {"changed": changed, "secrets_changed": secrets_changed}
    if bool(connector.disabled) != was_disabled:
        details["disabled"] = bool(connector.disabled)
    return details


def check_new_connector(system_id: str, changes: ConnectorChanges) -> dict[str, Any]:
    """Everything create_connector would check, without saving: the clean params, or
    ValidationFailed with the same messages (for dry runs of imports)."""
    system = get_system(system_id)
    errors: dict[str, list[str]] = {}
    _check_name(changes.name, errors, None)
    values, _kept, _typed = _resolve_params(system, changes, None, errors)
    if changes.categories is not None:
        check_categories(changes.categories, errors)
    if errors:
        raise ValidationFailed(errors)
    return values


def create_connector(
    actor: User | None, system_id: str, changes: ConnectorChanges, clone_of: Connector | None = None
) -> Connector:
    """Create a connector; with ``clone_of`` its stored secrets may be reused (same rules)."""
    require_admin(actor)
    system = get_system(system_id)
    connector = Connector(created_by_id=actor and actor.id, updated_by_id=actor and actor.id)
    _apply(connector, system, changes, source=clone_of)
    db.session.add(connector)
    with _name_race_as_error(connector.name, None):
        db.session.flush()
    record_version(actor, connector, secrets_changed=connector.secret_names or ())
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
    actor: User | None,
    connector: Connector,
    changes: ConnectorChanges,
    *,
    restored_from: int | None = None,
) -> Connector:
    """Apply changes; raises StaleEdit when the form was based on an older version.

    ``restored_from`` says the changes restore that version number (history and audit
    say so); webapp.services.connector_history builds such changes.
    """
    require_admin(actor)
    if changes.expected_version is not None and changes.expected_version != connector.version:
        raise StaleEdit(connector)
    system = get_system(connector.system_id)
    details = _apply(connector, system, changes, source=connector)
    connector.updated_at = utcnow()
    connector.updated_by_id = actor and actor.id
    try:
        with _name_race_as_error(connector.name, connector.id):
            # Recording reads the latest version, which flushes the change: a stale
            # write or a taken name shows up here as well as on commit.
            version = record_version(actor, connector, details["secrets_changed"], restored_from)
            if restored_from is not None and version is not None:
                audit.record(
                    "connector.restore",
                    actor,
                    connector,
                    version=restored_from,
                    new_version=version.number,
                    **details,
                )
            else:
                audit.record("connector.update", actor, connector, **details)
            db.session.commit()
    except StaleDataError:
        # Someone saved between our version check and this commit.
        db.session.rollback()
        raise StaleEdit(connector) from None
    return connector


def set_disabled(actor: User | None, connector: Connector, disabled: bool) -> None:
    require_admin(actor)
    connector.disabled = disabled
    connector.updated_at = utcnow()
    connector.updated_by_id = actor and actor.id
    audit.record("connector.disable" if disabled else "connector.enable", actor, connector)
    record_version(actor, connector)
    db.session.commit()


def delete_connector(actor: User | None, connector: Connector) -> None:
    """Delete; refused while tickets through it are undelivered (they would be lost)."""
    require_admin(actor)
    waiting = undelivered_count(connector)
    if waiting:
        raise ServiceError(
            f"{waiting} ticket(s) through this connector are not delivered yet: deliver or "
            "discard them first."
        )
    audit.record("connector.delete", actor, connector, system=connector.system_id)
    forget_versions(connector)
    db.session.delete(connector)
    db.session.commit()


def get_connector(connector_id: int) -> Connector:
    # Ids past the integer column's range exist nowhere (SQLite would raise on them).
    connector = db.session.get(Connector, connector_id) if connector_id <= MAX_ID else None
    if connector is None:
        raise NotFound("There is no connector with this id.")
    return connector


#: What a list row shows (templates/connectors/_table.html): not the secrets, their names
#: or who created the connector, which would be read for every row and never shown.
LIST_COLUMNS = (
    Connector.id,
    Connector.name,
    Connector.system_id,
    Connector.params,  # the server and target columns
    Connector.inaccessible,
    Connector.disabled,
    Connector.version,
    Connector.updated_at,
    Connector.updated_by_id,
    Connector.health_status,
    Connector.health_checked_at,
    Connector.health_stage,
    Connector.health_message,
)
#: At most this many connectors in a picker at once; the search narrows them.
CHOICES_PER_PAGE = 20


def connectors_query(search: str = "", system_id: str = "", *, author=None):
    """Connectors filtered by name (substring, any case) and system, sorted by name; sorted
    and searched by the indexed ``name_key``; ``author`` loads who changed each last."""
    author = author if author is not None else selectinload(Connector.updated_by)
    query = select(Connector).options(author).order_by(Connector.name_key)
    if search:
        query = query.where(key_contains(Connector.name_key, search))
    if system_id:
        query = query.where(Connector.system_id == system_id)
    return query


def connector_rows_query(search: str = "", system_id: str = ""):
    """connectors_query() for the list pages: only the columns a row shows."""
    author = joinedload(Connector.updated_by).load_only(User.id, User.email)
    return connectors_query(search, system_id, author=author).options(load_only(*LIST_COLUMNS))


@dataclass(frozen=True)
class Choices:
    """One page of a connector picker: the connectors, and whether more match."""

    connectors: list[Connector]
    page: int
    more: bool


def connector_choices(
    search: str = "", page: int = 1, selected: int | None = None, where: Collection = ()
) -> Choices:
    """Up to CHOICES_PER_PAGE connectors whose name contains ``search``, by name, meeting
    ``where``; the ``selected`` one (if it meets ``where``) comes first on page 1 even when
    it does not match, so a picker keeps showing what is chosen."""
    query = (
        select(Connector)
        .options(load_only(Connector.id, Connector.name, Connector.system_id))
        .where(*where)
        .order_by(Connector.name_key)
    )
    matching = query.where(key_contains(Connector.name_key, search)) if search else query
    rows = list(
        db.session.scalars(
            matching.offset((page - 1) * CHOICES_PER_PAGE).limit(CHOICES_PER_PAGE + 1)
        )
    )
    connectors = rows[:CHOICES_PER_PAGE]
    if (
        page == 1
        and selected
        and 0 < selected <= MAX_ID
        and all(c.id != selected for c in connectors)
    ):
        chosen = db.session.scalar(query.where(Connector.id == selected))
        connectors = ([chosen] if chosen else []) + connectors
    return Choices(connectors, page, len(rows) > CHOICES_PER_PAGE)


COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_COLOUR = "#6c757d"


def check_categories(
    rows: list[Mapping[str, str]], errors: dict[str, list[str]]
) -> list[dict[str, str]]:
    """Clean category rows; blank rows are dropped, a blank label follows the name.

    Names are normalised like connector names and must differ in more than case.
    """
    clean, seen = [], set()
    for index, row in enumerate(rows):
        name = normalise_name(row.get("name") or "")
        label = (row.get("label") or "").strip()
        colour = (row.get("colour") or "").strip() or DEFAULT_COLOUR
        if not name and not label:
            continue
        where = f"categories.{index}"
        if not name:
            errors.setdefault(f"{where}.name", []).append("Give the category a name.")
        elif name_key(name) in seen:
            errors.setdefault(f"{where}.name", []).append("This category is listed twice.")
        for column, value in (("name", name), ("label", label)):
            if len(value) > 100:
                errors.setdefault(f"{where}.{column}", []).append("Use at most 100 characters.")
        if not COLOUR.match(colour):
            errors.setdefault(f"{where}.colour", []).append("Use a colour like #f45562.")
        seen.add(name_key(name))
        clean.append(
            {
                "name": name,
                "label": label or re.sub(r"\s+", "-", name.lower()),
                "colour": colour.lower(),
            }
        )
    return clean


def replace_categories(connector: Connector, rows: list[dict[str, str]]) -> None:
    """Set the connector's categories, keeping rows (and their label sync state) that stay."""
    existing = {category.name: category for category in connector.categories}
    updated = []
    for position, row in enumerate(rows):
        category = existing.get(row["name"]) or ConnectorCategory(name=row["name"])
        if (category.label, category.colour) != (row["label"], row["colour"]):
            category.label_synced_at = None
        category.label, category.colour, category.position = row["label"], row["colour"], position
        updated.append(category)
    connector.categories = updated
