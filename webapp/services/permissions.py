"""Who may change what, checked in the services so views, API and CLI share one rule."""

from __future__ import annotations

from webapp.models import User
from webapp.services.errors import Forbidden

ADMIN_ONLY_MESSAGE = "Only administrators can do this."


def require_admin(actor: User | None, message: str = ADMIN_ONLY_MESSAGE) -> None:
    """Raise Forbidden unless ``actor`` is an administrator.

    ``actor`` None is the command line: whoever runs it already controls the server.
    """
    if actor is not None and not actor.is_admin:
        raise Forbidden(message)
