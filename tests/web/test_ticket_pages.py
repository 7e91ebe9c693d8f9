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


def test_switching_connector_keeps_what_was_typed_and_creates_nothing(admin_client, connector):
    other = make_connector("github", name="Other")
    data = {
        "connector": str(other.id),  # the picker, now on the other connector
        "connector_id": str(connector.id),  # the form that was typed into
        "submission_token": "typed-into-desk",
        "title": "Printer jam",
        "description": "Paper stuck.\nTray 2.",
        "switch_connector": "1",
    }
    page = admin_client.submit("/tickets/new", data).get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Ticket.id))) == 0
    assert f'name="connector_id" type="hidden" value="{other.id}"' in page
    assert 'value="Printer jam"' in page and "Paper stuck.\nTray 2.</textarea>" in page
    assert "is-invalid" not in page and "alert-danger" not in page
    assert "typed-into-desk" not in page  # the other connector's form gets its own token


def test_use_this_connector_on_the_same_connector_creates_nothing(admin_client, connector):
    data = {"connector": str(connector.id), "connector_id": str(connector.id), "title": "Jam"}
    page = admin_client.submit("/tickets/new", {**data, "switch_connector": "1"})
    assert page.status_code == 200 and 'value="Jam"' in page.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Ticket.id))) == 0
