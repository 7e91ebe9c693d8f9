"""Values and filters every template can use."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app
from flask_login import current_user

# (endpoint, label, admins only); items whose blueprint is not registered are left out.
NAV_ITEMS = (
    ("connectors.index", "Connectors", False),
    ("tickets.index", "Tickets", False),
    ("users.index", "Users", True),
    ("audit.index", "Audit log", True),
)


def nav_items() -> list[tuple[str, str]]:
    views = current_app.view_functions
    is_admin = current_user.is_authenticated and current_user.is_admin
    return [
        (endpoint, label)
        for endpoint, label, admin_only in NAV_ITEMS
        if endpoint in views and (is_admin or not admin_only)
    ]


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.strftime("%Y-%m-%d %H:%M UTC")


def system_for(connector):
    """The connector's system, or None when its plugin is no longer installed."""
    from webapp.services.systems import registry

    systems = registry()
    return systems.get(connector.system_id) if connector.system_id in systems else None


def init_app(app: Flask) -> None:
    from webapp import __version__
    from webapp.services import secret_wording

    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.globals["system_for"] = system_for
    app.jinja_env.globals["secret_wording"] = secret_wording

    @app.context_processor
    def inject_globals():
        return {"nav_items": nav_items(), "app_version": __version__}
