"""Fields a tracker requires of a new issue beyond the system's ticket fields.

Why a service: Jira decides per project and issue type which fields a new issue
needs, custom ones included (its create metadata); the ticket form shows them and the
ticket service checks them before a ticket is stored, so a missing value is an error
next to its field, not a refusal from Jira later. The tracker is asked with the saved
connector's credentials, briefly cached like the pickers' choices; when it cannot
answer, the form says so in a note and the ticket is still taken (the tracker then
names what is missing on delivery).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from webapp.models import Connector
from webapp.schema.fields import Field
from webapp.schema.validation import validate_params
from webapp.services.choice_cache import choice_cache
from webapp.services.connector_sessions import ConnectorSession
from webapp.trackers.system import System
from webapp.trackers.tickets import DeliveryFailed

#: Where the values of these fields travel in a ticket's fields (and the API's body).
TRACKER_FIELDS = "tracker_fields"


@dataclass(frozen=True)
class AskedFields:
    """The further fields a ticket needs, or a ``note`` why the tracker could not say
    (e.g. the project has no such issue type: the ticket is still taken, and the
    tracker's refusal then shows next to the issue type, as for any refused field)."""

    fields: tuple[Field, ...] = ()
    note: str | None = None


def required_fields(connector: Connector, values: Mapping[str, Any]) -> AskedFields:
    """What the tracker requires for a ticket with these field ``values`` (only those the
    system names in ``required_fields_from`` count)."""
    session = ConnectorSession.of(connector)
    if session.problem is not None:
        return AskedFields()
    system = session.system
    if not system.required_fields_from:
        return AskedFields()
    context = {
        name: str(values.get(name) or "").strip()[:255] for name in system.required_fields_from
    }
    key = ("required-fields", connector.id, connector.version, tuple(sorted(context.items())))
    cache = choice_cache()
    cached = cache.get(key)
    if cached is not None:
        return cached
    try:
        with session.client() as client:
            asked = AskedFields(client.required_fields({k: v for k, v in context.items() if v}))
    except DeliveryFailed as failure:
        return AskedFields(note=failure.message)
    cache.put(key, asked)
    return asked


def check_tracker_fields(
    system: System, asked: AskedFields, typed: Any
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The typed values of the asked fields, validated: (values, errors keyed
    ``tracker_fields.<id>``). When the tracker could not say which it requires, what
    was typed is kept as text for the tracker to judge."""
    if typed is None:
        typed = {}
    if not isinstance(typed, Mapping):
        return {}, {TRACKER_FIELDS: ["Send an object of field id to value."]}
    if not asked.fields:
        if asked.note is None:
            return {}, {}
        kept = {str(k)[:255]: v for k, v in typed.items() if isinstance(v, str | int | float)}
        return {k: str(v)[:1000] for k, v in kept.items() if str(v).strip()}, {}
    schema = System(
        id=system.id,
        short_name=system.short_name,
        name=system.name,
        description="",
        docs_url="",
        fields=asked.fields,
    )
    result = validate_params(schema, {k: v for k, v in typed.items() if schema.has_field(k)})
    errors = {f"{TRACKER_FIELDS}.{name}": messages for name, messages in result.errors.items()}
    return result.values, errors
