"""Values and filters every template can use."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app, g, request
from flask_login import current_user

from webapp.about import __version__
from webapp.services import rate_limits
from webapp.services.change_context import VIA_LABELS

# (endpoint, label, admins only); items whose blueprint is not registered are left out.
NAV_ITEMS = (
    ("connectors.index", "Connectors", False),
    ("tickets.index", "Tickets", False),
    ("notifications.index", "Notifications", True),
    ("users.index", "Users", True),
    ("integrations.discord_settings", "Discord", True),
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


def admin_warnings() -> list[str]:
    """Problems administrators should see on every page (a degraded service)."""
    if not (current_user.is_authenticated and current_user.is_admin):
        return []
    notice = rate_limits.outage_notice()
    return [notice] if notice else []


def is_current(url: str) -> bool:
    """Whether the page shown is ``url`` or lies under it (``/connectors/3/edit`` under
    ``/connectors``), so the navbar marks the section by its address, not by which
    blueprint happens to serve the page (/account is served by the users blueprint)."""
    section = url.rstrip("/")
    path = request.path.rstrip("/")
    if not section:
        return not path
    return path == section or path.startswith(section + "/")


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.strftime("%Y-%m-%d %H:%M UTC")


def system_for(connector):
    """The connector's system, or None when its plugin is no longer installed."""
    from webapp.services.systems import registry

    systems = registry()
    return systems.get(connector.system_id) if connector.system_id in systems else None


def delivery_schedule(ticket):
    """The ticket's next automatic attempt and, if overdue, why (workers asked once a page)."""
    from webapp.services.delivery_worker import next_attempt, worker_state

    def state():
        if "delivery_workers" not in g:
            g.delivery_workers = worker_state()
        return g.delivery_workers

    return next_attempt(ticket, state)


def init_app(app: Flask) -> None:
    from webapp.services import secret_wording

    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.globals["system_for"] = system_for
    app.jinja_env.globals["delivery_schedule"] = delivery_schedule
    app.jinja_env.globals["is_current"] = is_current
    app.jinja_env.globals["secret_wording"] = secret_wording
    app.jinja_env.globals["via_labels"] = VIA_LABELS

    @app.context_processor
    def inject_globals():
        return {
            "nav_items": nav_items(),
            "app_version": __version__,
            "admin_warnings": admin_warnings(),
        }
