"""The ticket pages in a real browser: what the admin typed is kept and shown as typed."""

from playwright.sync_api import expect

from tests.e2e.test_connectors_browser import log_in
from tests.factories import make_connector
from webapp.services.tickets import TicketRequest, create_ticket

DESCRIPTION = "Steps:\n1. Plug in the printer\n2. Print\n\n<b>not bold</b>"


def test_line_breaks_of_the_description_are_shown(page, admin, gitlab):
    connector = make_connector(
        "gitlab", name="Desk", issue_tracker_server=gitlab.host_port, issue_tracker_method="http"
    )
    ticket, _ = create_ticket(
        admin, TicketRequest(connector_id=connector.id, title="Jam", description=DESCRIPTION)
    )
    log_in(page)
    page.goto(f"/tickets/{ticket.id}")
    description = page.get_by_test_id("ticket-description")
    # innerText follows the CSS: collapsed white space would join the lines.
    assert description.inner_text() == DESCRIPTION
    expect(description.locator("b")).to_have_count(0)  # text, not markup
    assert page.console_errors == []


def test_a_failed_delivery_shows_its_error_once(page, admin, gitlab):
    make_connector(
        "gitlab", name="Desk", issue_tracker_server=gitlab.host_port, issue_tracker_method="http"
    )
    gitlab.fail_next(503, times=5)
    log_in(page)
    page.goto("/tickets/new")
    page.fill("input[name=title]", "Printer on fire")
    page.get_by_test_id("create-ticket").click()
    expect(page.get_by_test_id("ticket-status")).to_have_text("failed")
    error = page.get_by_test_id("last-error")
    expect(error).to_contain_text("GitLab answered 503")
    shown = page.locator("main").inner_text()
    assert shown.count("GitLab answered 503") == 1, shown
    assert page.console_errors == []
