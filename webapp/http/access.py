"""Deny by default: every endpoint needs a logged-in user unless marked public.

A guard on the whole app, rather than a decorator on each view, means a route added
later is protected without anyone remembering to protect it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import Flask, abort, request
from flask_login import current_user

from webapp.extensions import login_manager
from webapp.models import User
from webapp.services.logins import user_for_session

F = TypeVar("F", bound=Callable)
PUBLIC_VIEW_ATTR = "_connector_desk_public"
#: Blueprints that authenticate requests themselves (the API uses tokens).
SELF_GUARDED_BLUEPRINTS = {"api"}


def public(view: F) -> F:
    """Mark a view as reachable without logging in."""
    setattr(view, PUBLIC_VIEW_ATTR, True)
    return view


def admin_required(view: F) -> F:
    """Allow only administrators (viewers get 403)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def current_actor() -> User:
    """The logged-in user as a plain object, for services and audit entries (a proxy
    would be stored as-is by Flask-Login and SQLAlchemy)."""
    return current_user._get_current_object()


def is_public(app: Flask, endpoint: str | None) -> bool:
    if endpoint is None or endpoint == "static":
        return True
    view = app.view_functions.get(endpoint)
    return bool(getattr(view, PUBLIC_VIEW_ATTR, False))


def install_login_guard(app: Flask) -> None:
    @app.before_request
    def require_login():
        if request.blueprint in SELF_GUARDED_BLUEPRINTS or is_public(app, request.endpoint):
            return None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return None


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Sessions end on the server: see logins.user_for_session."""
    return user_for_session(session_id)
