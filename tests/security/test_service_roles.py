"""Roles hold in the services too, so no API route or CLI command can skip them."""

from __future__ import annotations

import pytest

from tests.factories import make_connector, make_user
from tests.fakes import refused_address
from tests.support.connector_data import api_params
from webapp.extensions import db
from webapp.models import Connector, Ticket
from webapp.services import comments, connection_tests, connectors, delivery, tickets, users
from webapp.services.errors import Forbidden

CHANGES = connectors.ConnectorChanges(name="Viewer's connector", params=api_params("gitlab"))


@pytest.fixture
def viewer(app):
    return make_user(role="viewer")


@pytest.mark.parametrize(
    "change",
    [
        lambda viewer, connector: connectors.create_connector(viewer, "gitlab", CHANGES),
        lambda viewer, connector: connectors.update_connector(viewer, connector, CHANGES),
        lambda viewer, connector: connectors.set_disabled(viewer, connector, True),
        lambda viewer, connector: connectors.delete_connector(viewer, connector),
        lambda viewer, connector: users.create_user(
            "x@example.com", "long enough pw 1", "admin", actor=viewer
        ),
        lambda viewer, connector: users.set_active(viewer, make_user(), False),
    ],
    ids=["create", "update", "disable", "delete", "create user", "deactivate user"],
)
def test_viewers_cannot_change_connectors_or_users(viewer, change):
    connector = make_connector("gitlab", name="Existing")
    with pytest.raises(Forbidden):
        change(viewer, connector)
    db.session.rollback()
    assert db.session.get(Connector, connector.id).name == "Existing"
    assert not db.session.get(Connector, connector.id).disabled


def test_the_command_line_acts_without_a_user(app):
    connector = connectors.create_connector(None, "gitlab", CHANGES)
    connectors.set_disabled(None, connector, True)
    connectors.delete_connector(None, connector)
    assert db.session.get(Connector, connector.id) is None


def test_viewers_cannot_test_unsaved_settings_through_any_caller(viewer):
    """The service refuses, so a new caller (API, CLI, a future page) cannot forget it;
    nothing is sent: the server below would be contacted otherwise."""
    params = {**api_params("gitlab"), "issue_tracker_server": "127.0.0.1:9"}
    with pytest.raises(Forbidden, match="test unsaved settings"):
        connection_tests.test_unsaved(viewer, "gitlab", "Probe", params)


def test_viewers_may_test_saved_connectors(viewer):
    connector = make_connector(
        "gitlab", issue_tracker_server=refused_address(), issue_tracker_method="http"
    )
    result = connection_tests.test_saved(viewer, connector)
    assert result.failed_stage is not None and result.failed_stage.stage == "reach"


def _ticket(creator, title: str = "Printer jam"):
    connector = make_connector(
        "gitlab", issue_tracker_server=refused_address(), issue_tracker_method="http"
    )
    request = tickets.TicketRequest(connector_id=connector.id, title=title)
    return tickets.create_ticket(creator, request)[0]


TICKET_CHANGES = {
    "edit": lambda actor, ticket: tickets.revise_ticket(
        actor, ticket, tickets.TicketRequest(connector_id=None, title="Changed")
    ),
    "retry": lambda actor, ticket: delivery.retry(actor, ticket),
    "discard": lambda actor, ticket: tickets.discard(actor, ticket),
}


@pytest.mark.parametrize("change", TICKET_CHANGES.values(), ids=TICKET_CHANGES.keys())
@pytest.mark.parametrize("creator", ["another viewer", "an admin", "the command line"])
def test_viewers_cannot_change_tickets_of_others(viewer, change, creator):
    owner = {"another viewer": make_user(role="viewer"), "an admin": make_user()}.get(creator)
    ticket = _ticket(owner)
    with pytest.raises(Forbidden, match="the user who created"):
        change(viewer, ticket)
    db.session.rollback()
    ticket = db.session.get(Ticket, ticket.id)
    assert (ticket.title, ticket.status, ticket.attempts) == ("Printer jam", "pending", 0)


@pytest.mark.parametrize("change", TICKET_CHANGES.values(), ids=TICKET_CHANGES.keys())
@pytest.mark.parametrize("actor", ["its creator", "an admin", "the command line"])
def test_creators_admins_and_the_command_line_change_tickets(viewer, change, actor):
    ticket = _ticket(viewer)
    changed_by = {"its creator": viewer, "an admin": make_user()}.get(actor)
    change(changed_by, ticket)
    ticket = db.session.get(Ticket, ticket.id)
    assert (ticket.title, ticket.status, ticket.attempts) != ("Printer jam", "pending", 0)


CONVERSATION = {
    "comment": lambda actor, ticket: comments.add_comment(actor, ticket, "Hello"),
    "close": lambda actor, ticket: comments.change_state(actor, ticket, "closed"),
    "reopen": lambda actor, ticket: comments.change_state(actor, ticket, "open"),
}


@pytest.mark.parametrize("action", CONVERSATION.values(), ids=CONVERSATION.keys())
@pytest.mark.parametrize("creator", ["another viewer", "an admin", "the command line"])
def test_viewers_cannot_converse_on_tickets_of_others(viewer, action, creator):
    """Nothing is stored and nothing is sent (the tracker address refuses anyway)."""
    from tests.factories import make_sent_ticket
    from webapp.models import TicketActivity, TicketComment

    owner = {"another viewer": make_user(role="viewer"), "an admin": make_user()}.get(creator)
    connector = make_connector(
        "gitlab", issue_tracker_server=refused_address(), issue_tracker_method="http"
    )
    ticket = make_sent_ticket(connector)
    ticket.created_by_id = owner.id if owner else None
    db.session.commit()
    with pytest.raises(Forbidden, match="the user who created"):
        action(viewer, ticket)
    db.session.rollback()
    assert db.session.query(TicketComment).count() == 0
    assert db.session.query(TicketActivity).count() == 0
