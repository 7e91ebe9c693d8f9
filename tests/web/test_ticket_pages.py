"""Ticket pages: each message shown once and where it belongs."""

import pytest

from tests.factories import make_connector
from tests.web.test_tickets import submit_ticket
from webapp.extensions import db
from webapp.models import Ticket


@pytest.fixture
def connector(app, gitlab):
    return make_connector(
        "gitlab", name="Desk", issue_tracker_server=gitlab.host_port, issue_tracker_method="http"
    )


def test_a_failed_delivery_shows_its_error_once_in_the_banner(admin_client, connector, gitlab):
    gitlab.fail_next(503, times=5)
    page = submit_ticket(admin_client, connector, category="", follow_redirects=True)
    page = page.get_data(as_text=True)
    ticket = db.session.scalar(db.select(Ticket))
    assert ticket.status == "failed" and ticket.last_error
    assert page.count(ticket.last_error) == 1
    banner = page.split('data-testid="last-error"', 1)[1].split("</div>", 1)[0]
    assert ticket.last_error in banner
    assert "the tracker did not take it yet" in page  # the flash says what happened
    # Retrying into the same error still shows it once.
    page = admin_client.submit(f"/tickets/{ticket.id}/retry", follow_redirects=True)
    assert page.get_data(as_text=True).count(ticket.last_error) == 1


def test_an_earlier_different_error_stays_in_the_attempt_list(admin_client, connector, gitlab):
    gitlab.fail_next(503)
    submit_ticket(admin_client, connector, category="")
    ticket = db.session.scalar(db.select(Ticket))
    first_error = ticket.last_error
    gitlab.fail_next(502)
    page = admin_client.submit(f"/tickets/{ticket.id}/retry", follow_redirects=True)
    page = page.get_data(as_text=True)
    db.session.refresh(ticket)
    assert ticket.last_error != first_error
    assert page.count(ticket.last_error) == 1 and page.count(first_error) == 1
    attempts = page.split('data-testid="attempts"', 1)[1]
    assert first_error in attempts and ticket.last_error not in attempts
