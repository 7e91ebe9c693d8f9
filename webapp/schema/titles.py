"""Ticket title templates (the ``title_format`` parameter).

SD Elements writes titles like ``"$task_id $title"``; ``$task_id`` is its name
for what Connector Desk calls the ticket id, so both spellings work.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from string import Template

TITLE_VARIABLES = ("title", "category", "ticket_id", "task_id")
_VARIABLE_HINT = "use $title, $category, $ticket_id or $task_id."


def check_title_format(title_format: str) -> str | None:
    """Return an error message for an unusable template, or ``None`` if it is fine.

    Checked when the connector is saved, so a typo such as ``$tilte`` is
    reported to the person who made it instead of leaking into every ticket.
    """
    for match in Template.pattern.finditer(title_format):
        if match.group("invalid") is not None:
            return f'Write $$ for a literal "$", or {_VARIABLE_HINT}'
        name = match.group("named") or match.group("braced")
        if name is not None and name not in TITLE_VARIABLES:
            return f"Unknown variable ${name}; {_VARIABLE_HINT}"
    return None


def names_variable(title_format: str, *names: str) -> bool:
    """Whether the template uses any of ``names`` (``$name`` or ``${name}``)."""
    return not set(names).isdisjoint(Template(title_format or "$title").get_identifiers())


def names_ticket_id(title_format: str) -> bool:
    """Whether the template shows the ticket id, which exists only once the ticket is stored."""
    return names_variable(title_format, "ticket_id", "task_id")


def without_variables(title_format: str, names: Iterable[str]) -> str:
    """``title_format`` for a ticket that has no value for ``names``: a ``[$name]`` or
    ``($name)`` goes with the space after it, so "[$category] $title" gives "Title" for a
    ticket with no category, not "[] Title"."""
    for name in names:
        title_format = re.sub(rf"(\[\$\{{?{name}\}}?\]|\(\$\{{?{name}\}}?\))\s*", "", title_format)
    return title_format


def render_title(title_format: str, *, title: str, category: str = "", ticket_id: str = "") -> str:
    """Fill in a title template; unknown or malformed variables are left as typed, and
    brackets around an empty one go (see without_variables).

    Uses ``safe_substitute`` because a stored template must never make ticket
    creation fail; ``check_title_format`` is where mistakes are reported.
    """
    values = {"title": title, "category": category, "ticket_id": ticket_id, "task_id": ticket_id}
    template = without_variables(title_format or "$title", [k for k, v in values.items() if not v])
    return Template(template).safe_substitute(values).strip()
