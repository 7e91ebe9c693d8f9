"""``System``: the one declaration of an issue-tracker type.

Everything system-specific that the rest of the app needs (form fields,
validation rules, JSON Schema, the target parameter, later the API client)
hangs off this object, so views and services never branch on the system id.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import TYPE_CHECKING, Any

from webapp.schema.fields import Field, FieldGroup
from webapp.schema.titles import names_variable, without_variables
from webapp.trackers.argus_mapping import ArgusMapping

if TYPE_CHECKING:
    from webapp.trackers.webhooks import Webhooks

_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_-]*$")
SERVER_FIELD = "issue_tracker_server"


@dataclass(frozen=True)
class System:
    """An issue-tracker type, e.g. GitHub, with its typed connector parameters.

    ``target_field`` names the parameter that picks the repository, project or
    queue tickets go to (``None`` if the system has no such notion).
    ``client_class`` and ``ticket_fields`` are filled in when the tracker
    clients and ticket forms exist.
    """

    id: str
    short_name: str
    name: str
    description: str
    docs_url: str
    fields: tuple[Field, ...]
    groups: tuple[FieldGroup, ...] = ()
    target_field: str | None = None
    client_class: type | None = None
    ticket_fields: tuple[Field, ...] = ()
    #: Ticket fields whose default comes from a connector param, e.g. Jira's issue type.
    ticket_defaults_from: Mapping[str, str] = dataclass_field(default_factory=dict, hash=False)
    #: How a ticket's category reaches the tracker: as a "label", or in the "subject".
    category_mapping: str = "label"
    #: Whether the tracker's labels have a colour (Jira's have none).
    label_colours: bool = True
    #: What an admin should know about the tracker's labels, shown with the categories.
    label_note: str = ""
    #: The ticket fields that decide which further fields the tracker requires of a new
    #: issue (the client's ``required_fields``, e.g. Jira's create metadata for a project
    #: and issue type); empty: the tracker requires none beyond ``ticket_fields``.
    required_fields_from: tuple[str, ...] = ()
    #: ``(short_name, name)`` as the SD Elements API spells them, where that differs
    #: from the names shown to people (SD Elements says "JIRA").
    api_names: tuple[str, str] | None = None
    #: What the dashboard's comment form calls a comment everyone on the issue sees
    #: (RT: a reply to the requester) and, if the tracker has them, one only its own
    #: people see (GitLab internal note, RT comment); "" means it has none.
    comment_label: str = "Comment"
    internal_comment_label: str = ""
    #: How the system's params read and write Argus's ticket-plugin settings (None: no
    #: Argus plugin for this tracker); see webapp.trackers.argus_mapping.
    argus: ArgusMapping | None = dataclass_field(default=None, hash=False)
    #: How the tracker's webhooks are verified, read and set up; None: it pushes nothing.
    webhooks: Webhooks | None = dataclass_field(default=None, hash=False, compare=False)

    def __post_init__(self) -> None:
        # Checked eagerly so a broken plugin fails when it is loaded, not when
        # a user first opens its form.
        if not _ID_PATTERN.match(self.id):
            raise ValueError(f"System id {self.id!r} must match {_ID_PATTERN.pattern}.")
        object.__setattr__(self, "fields", tuple(self.fields))
        object.__setattr__(self, "groups", tuple(self.groups))
        object.__setattr__(self, "ticket_fields", tuple(self.ticket_fields))
        names = [field.name for field in self.fields]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"System {self.id!r} declares {duplicates} more than once.")
        group_ids = {group.id for group in self.groups}
        for field in self.fields:
            if field.group is not None and field.group not in group_ids:
                raise ValueError(f"Field {field.name!r} uses undeclared group {field.group!r}.")
            for other in field.shown_when or {}:
                if other not in names:
                    raise ValueError(f"Field {field.name!r} depends on unknown field {other!r}.")
        if self.target_field is not None and self.target_field not in names:
            raise ValueError(f"target_field {self.target_field!r} is not a field of {self.id!r}.")
        if self.argus is not None:
            unknown = sorted(self.argus.params_of() - set(names))
            if unknown:
                raise ValueError(f"The Argus mapping of {self.id!r} names unknown params {unknown}")

    def field(self, name: str) -> Field:
        """The field called ``name``; ``KeyError`` if the system has none."""
        for field in self.fields:
            if field.name == name:
                return field
        raise KeyError(name)

    def has_field(self, name: str) -> bool:
        """Whether ``name`` is one of this system's parameters."""
        return any(field.name == name for field in self.fields)

    @property
    def argus_plugins(self) -> tuple[str, ...]:
        """The Argus ``TICKET_PLUGIN`` class paths that mean this system (may be none)."""
        return self.argus.plugins if self.argus is not None else ()

    @property
    def secret_field_names(self) -> tuple[str, ...]:
        """Names of write-only parameters, for masking and encrypted storage."""
        return tuple(field.name for field in self.fields if field.secret)

    @property
    def server_default(self) -> str | None:
        """The default ``issue_tracker_server`` (e.g. ``api.github.com``), if any."""
        return self.field(SERVER_FIELD).default if self.has_field(SERVER_FIELD) else None

    def defaults(self) -> dict[str, Any]:
        """Declared defaults by field name (fields without a default are left out)."""
        return {field.name: field.default for field in self.fields if field.default is not None}

    def shown_fields(self, values: Mapping[str, Any]) -> tuple[Field, ...]:
        """The fields that apply to ``values`` (submitted params plus defaults)."""
        defaults = self.defaults()
        return tuple(field for field in self.fields if field.is_shown(values, defaults))

    def fields_in_group(self, group_id: str | None) -> tuple[Field, ...]:
        """Fields of one form section, in declared order (``None``: ungrouped)."""
        return tuple(field for field in self.fields if field.group == group_id)

    @property
    def has_internal_comments(self) -> bool:
        """Whether the comment form offers a choice between public and internal."""
        return bool(self.internal_comment_label)

    @property
    def has_labels(self) -> bool:
        """Whether categories become labels on the tracker (else they go into the subject)."""
        return self.category_mapping == "label"

    def title_format_for(self, title_format: str, *, with_category: bool) -> str:
        """The template a ticket's title is rendered with: where categories go into the
        subject, a ticket with one gets "[$category] " in front, unless the connector's
        format places ``$category`` itself. The ticket form's live preview uses it too."""
        title_format = title_format or "$title"
        if not with_category:
            return without_variables(title_format, ["category"]) or "$title"
        if not self.has_labels and not names_variable(title_format, "category"):
            return "[$category] " + title_format
        return title_format

    def summary(self) -> dict[str, str]:
        """The ``system`` object of the SD Elements API: id, short_name, name."""
        short_name, name = self.api_names or (self.short_name, self.name)
        return {"id": self.id, "short_name": short_name, "name": name}
