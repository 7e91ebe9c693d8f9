"""Pickers: the choices a tracker lists for a field, fetched by the server for a form.

Why on the server: the request needs the connector's credentials, which never go to
the browser; the browser only gets the choices (``Choice``: value and label).  A
picker works for a saved connector (its stored params and secrets) and for the
unsaved values of a connector form (administrators only, like testing unsaved
settings: whoever chooses the server makes this one send requests there).  Answers
are kept briefly per connector and settings (``PICKER_CACHE_SECONDS``) so typing
does not send a request per key to a tracker that already answered.  Every failure
is a ``PickerAnswer`` with a ``note`` for under the field, never an error page.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from webapp.models import Connector, User
from webapp.schema.fields import Field
from webapp.services.choice_cache import choice_cache
from webapp.services.connector_sessions import ConnectorSession, ConnectorUnusable
from webapp.services.connectors import ConnectorChanges, resolve_params
from webapp.services.errors import NotFound, ValidationFailed
from webapp.services.permissions import require_admin
from webapp.services.tickets import needs_target, ticket_schema
from webapp.trackers.choices import SEARCH_MAX, ChoicePage, ChoicesFailed
from webapp.trackers.system import System

UNSAVED_ADMIN_ONLY = "Only administrators can list choices with unsaved settings."
FILL_IN_FIRST = "Fill in the connection fields first to list choices from the tracker."
#: The largest page number a form may ask for.
MAX_PAGE = 1000


@dataclass(frozen=True)
class PickerAnswer:
    """What a picker shows under its field: one page of choices, or a note saying why not."""

    field: Field
    search: str
    page: ChoicePage | None = None
    note: str | None = None

    @property
    def choices(self):
        return self.page.choices if self.page else ()


def picker_field(fields: Sequence[Field], name: str) -> Field:
    """The field ``name`` if it has a picker (NotFound otherwise)."""
    field = next((f for f in fields if f.name == name), None)
    if field is None or not field.picker:
        raise NotFound(f"There is no field {name} with choices from the tracker.")
    return field


def settings_digest(session: ConnectorSession) -> str:
    """Who asks where: params and secrets, hashed (so a changed token never reuses
    another token's answer, and no secret is kept as such)."""
    material = json.dumps([dict(session.params), dict(session.secrets)], sort_keys=True)
    return hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()


def _answer(
    session: ConnectorSession,
    field: Field,
    search: str,
    page: int,
    context: Mapping[str, Any],
) -> PickerAnswer:
    if field.picker_adds:  # a list "a, b, c": the choices are for what follows the last comma
        search = (search or "").rsplit(",", 1)[-1]
    search = (search or "").strip()[:SEARCH_MAX]
    page = min(max(1, page), MAX_PAGE)
    if session.problem is not None:
        return PickerAnswer(field, search, note=session.problem)
    connector = session.connector
    wanted = {k: str(v) for k, v in sorted(context.items()) if v not in (None, "")}
    key = (
        connector.id if connector is not None else None,
        connector.version if connector is not None else None,
        session.system.id,
        settings_digest(session),
        field.picker,
        search.lower(),
        page,
        tuple(wanted.items()),
    )
    cache = choice_cache()
    found = cache.get(key)
    if found is None:
        try:
            with session.client() as client:
                found = client.list_choices(field.picker, search, page, wanted)
        except (ChoicesFailed, ConnectorUnusable) as failure:
            return PickerAnswer(field, search, note=failure.message)
        cache.put(key, found)
    return PickerAnswer(field, search, page=found)


def saved_choices(
    connector: Connector,
    name: str,
    search: str = "",
    page: int = 1,
    context: Mapping[str, Any] | None = None,
    *,
    ticket_fields: bool = False,
) -> PickerAnswer:
    """A picker of a saved connector: its param ``name``, or its ticket field
    ``name`` (``ticket_fields``; ``context`` then holds the ticket's ``target``)."""
    session = ConnectorSession.of(connector)
    system = session.system
    if ticket_fields:
        fields = ticket_schema(system, needs_target(connector, system)).fields
    else:
        fields = system.fields
    field = picker_field(fields, name)
    return _answer(session, field, search, page, context or {})


def form_choices(
    actor: User | None,
    system: System,
    raw_params: Mapping[str, Any],
    name: str,
    *,
    page: int = 1,
    based_on: Connector | None = None,
    inaccessible: bool = False,
    clear_secrets: Sequence[str] = (),
) -> PickerAnswer:
    """A picker on a connector form, with the form's unsaved values; blank secrets are
    ``based_on``'s stored ones, under the rules of saving. The field's own value is the
    search (it may be half typed, so it is not validated). Administrators only."""
    require_admin(actor, UNSAVED_ADMIN_ONLY)
    field = picker_field(system.fields, name)
    search = str(raw_params.get(name) or "")
    params = {**raw_params, name: ""}
    changes = ConnectorChanges(name="", params=params, clear_secrets=clear_secrets)
    try:
        values, secrets = resolve_params(system, changes, based_on)
    except ValidationFailed as failure:
        wrong = [
            system.field(key.removeprefix("params.")).label
            for key in failure.errors
            if system.has_field(key.removeprefix("params."))
        ]
        note = f"{FILL_IN_FIRST} Check: {', '.join(wrong)}." if wrong else FILL_IN_FIRST
        return PickerAnswer(field, search, note=note)
    session = ConnectorSession.unsaved(
        system, values, secrets, inaccessible=inaccessible, based_on=based_on
    )
    session.connector = based_on
    return _answer(session, field, search, page, {})
