"""Who may change a ticket on its pages: admins any, viewers only their own."""

import pytest

from tests.factories import PASSWORD, make_connector, make_user
from tests.fakes import refused_address
from webapp.extensions import db
from webapp.models import Ticket
from webapp.services.tickets import TicketRequest, create_ticket


@pytest.fixture
def connector(app):
    # Nothing listens there: every delivery fails at once, so tickets stay changeable.
    return make_connector(
        "gitlab", name="Desk", issue_tracker_server=refused_address(), issue_tracker_method="http"
    )


@pytest.fixture
def viewer(app):
    return make_user("viewer@example.com", role="viewer")


def ticket_by(creator, connector, title="Printer jam") -> Ticket:
    return create_ticket(creator, TicketRequest(connector_id=connector.id, title=title))[0]


def test_a_viewer_sees_no_change_buttons_on_someone_elses_ticket(client, auth, viewer, connector):
    theirs, mine = ticket_by(make_user(), connector), ticket_by(viewer, connector, "Mine")
    auth.login(viewer.email, PASSWORD)
    page = client.get(f"/tickets/{theirs.id}").get_data(as_text=True)
    assert 'data-testid="ticket-actions"' not in page
    assert f"/tickets/{theirs.id}/edit" not in page and "/discard" not in page
    page = client.get(f"/tickets/{mine.id}").get_data(as_text=True)
    assert 'data-testid="ticket-actions"' in page and f"/tickets/{mine.id}/discard" in page


def test_an_admin_sees_change_buttons_on_any_ticket(admin_client, viewer, connector):
    ticket = ticket_by(viewer, connector)
    page = admin_client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert 'data-testid="ticket-actions"' in page


def test_a_viewer_cannot_discard_or_edit_someone_elses_ticket(client, auth, viewer, connector):
    ticket = ticket_by(make_user(), connector)
    auth.login(viewer.email, PASSWORD)
    assert client.submit(f"/tickets/{ticket.id}/discard").status_code == 403
    response = client.submit(f"/tickets/{ticket.id}/edit", {"title": "Hijacked"})
    assert response.status_code == 403
    assert "the user who created" in response.get_data(as_text=True)
    ticket = db.session.get(Ticket, ticket.id)
    assert (ticket.status, ticket.title) == ("pending", "Printer jam")


def test_a_viewer_discards_their_own_ticket(client, auth, viewer, connector):
    ticket = ticket_by(viewer, connector)
    auth.login(viewer.email, PASSWORD)
    assert client.submit(f"/tickets/{ticket.id}/discard").status_code == 302
    assert db.session.get(Ticket, ticket.id).status == "discarded"
