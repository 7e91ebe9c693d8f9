"""A failed ticket whose next attempt is in the past says "overdue" and why, in a browser."""

from datetime import timedelta

from playwright.sync_api import expect

from tests.e2e.test_connectors_browser import log_in
from tests.factories import make_connector
from webapp.extensions import db
from webapp.models.base import utcnow
from webapp.services.delivery import deliver
from webapp.services.tickets import TicketRequest, create_ticket


def test_a_ticket_past_its_next_attempt_is_shown_overdue(page, admin, gitlab, screenshot):
    connector = make_connector(
        "gitlab", name="Desk", issue_tracker_server=gitlab.host_port, issue_tracker_method="http"
    )
    ticket, _ = create_ticket(None, TicketRequest(connector.id, "Printer on fire"))
    gitlab.fail_next(503, times=5)
    ticket = deliver(ticket.id)
    ticket.next_attempt_at = utcnow() - timedelta(minutes=10)  # and no worker ever ran
    db.session.commit()
    log_in(page)
    page.goto(f"/tickets/{ticket.id}")
    next_attempt = page.get_by_test_id("next-attempt")
    expect(next_attempt).to_contain_text("Next automatic attempt: overdue since")
    expect(next_attempt).to_contain_text("no delivery worker has run yet")
    expect(page.get_by_test_id("ticket-overdue")).to_have_text("overdue")
    screenshot("overdue")
    page.goto("/tickets/")
    expect(page.get_by_test_id("ticket-row").get_by_test_id("ticket-overdue")).to_be_visible()
    assert page.console_errors == []
