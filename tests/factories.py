"""Rows for tests, built through the same services the app uses."""

from __future__ import annotations

import itertools

from webapp.models import User
from webapp.services.users import create_user

ADMIN_EMAIL = "admin@example.com"
PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)
#: The Service Desk seed's categories, each with the GitLab label it maps to.
SERVICE_DESK_CATEGORIES = [
    {"name": "Hardware", "label": "hardware", "colour": "#f45562"},
    {"name": "Gitlab Account", "label": "gitlab-account", "colour": "#3450f6"},
]


def make_user(
    email: str | None = None, password: str = PASSWORD, role: str = "admin", active: bool = True
) -> User:
    user = create_user(email or f"user{next(_counter)}@example.com", password, role=role)
    if not active:
        from webapp.extensions import db

        user.active = False
        db.session.commit()
    return user


def make_connector(
    system_id: str = "gitlab",
    name: str | None = None,
    actor: User | None = None,
    categories: list[dict[str, str]] | None = None,
    **param_changes,
):
    """A saved connector of ``system_id`` built from its test material's settings, with
    ``categories`` (rows of name, label and colour) if given."""
    from tests.support.material import material_for
    from webapp.services.connectors import ConnectorChanges, create_connector

    params = {**material_for(system_id).api_params, **param_changes}
    changes = ConnectorChanges(
        name=name or f"{system_id} connector {next(_counter)}",
        params=params,
        categories=categories,
    )
    return create_connector(actor, system_id, changes)


def make_sent_ticket(connector, external_key: str = "#5", title: str = "Printer on fire"):
    """A ticket delivered through ``connector`` as issue ``external_key`` (no tracker call)."""
    from webapp.extensions import db
    from webapp.models import Ticket

    token = f"sent-{next(_counter)}"
    ticket = Ticket(
        connector_id=connector.id,
        connector_name=connector.name,
        system_id=connector.system_id,
        submission_token=token,
        marker=token,
        status="sent",
        title=title,
        final_title=title,
        external_key=external_key,
    )
    db.session.add(ticket)
    db.session.commit()
    return ticket
