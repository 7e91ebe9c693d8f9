"""Recording who did what: an append-only log (the security issue adds its page)."""

from __future__ import annotations

from typing import Any

from webapp.extensions import db
from webapp.models import AuditEntry, User


def record(action: str, actor: User | None, target: Any = None, **details: Any) -> AuditEntry:
    """Add an audit entry to the current transaction; the caller commits with its change.

    ``details`` must never hold secret values: callers pass names of what changed.
    """
    entry = AuditEntry(
        action=action,
        actor_id=actor.id if actor is not None else None,
        actor_email=actor.email if actor is not None else None,
        target_type=type(target).__name__.lower() if target is not None else None,
        target_id=getattr(target, "id", None),
        target_name=_name_of(target),
        details=details,
    )
    db.session.add(entry)
    return entry


def _name_of(target: Any) -> str | None:
    """How the entry names its target after it is gone: a name, e-mail or ticket title."""
    for attribute in ("name", "email", "title"):
        value = getattr(target, attribute, None)
        if value:
            return str(value)[:255]
    return None
