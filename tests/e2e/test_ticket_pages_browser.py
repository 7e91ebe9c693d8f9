"""The ticket pages in a real browser: what the admin typed is kept and shown as typed."""

import pytest
from playwright.sync_api import expect

from tests.e2e.test_connectors_browser import log_in
from tests.factories import make_connector
from webapp.extensions import db
from webapp.models import AuditEntry, Ticket
from webapp.services.connectors import ConnectorChanges, update_connector
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


@pytest.fixture
def two_connectors(app, gitlab):
    from tests.fakes import FakeJira

    with FakeJira(
        users={"ops@example.com": "SECRET-jira-api-token-5d6e7f"},
        projects={"OPS": {"name": "Operations"}},
    ) as jira:
        yield (
            make_connector(
                "gitlab",
                name="A GitLab",
                issue_tracker_server=gitlab.host_port,
                issue_tracker_method="http",
            ),
            make_connector(
                "jira",
                name="B Jira",
                issue_tracker_server=jira.host_port,
                issue_tracker_method="http",
            ),
            jira,
        )


def switch_connector_keeps_what_was_typed(page, connector, switch):
    page.goto("/tickets/new")
    page.fill("input[name=title]", "Printer jam")
    page.fill("textarea[name=description]", "Paper stuck.\nTray 2.")
    switch(page.get_by_test_id("connector-select"))
    expect(page.get_by_test_id("connector-select")).to_have_value(str(connector.id))
    expect(page.locator("input[name=connector_id]")).to_have_value(str(connector.id))
    expect(page.locator("input[name=title]")).to_have_value("Printer jam")
    expect(page.locator("textarea[name=description]")).to_have_value("Paper stuck.\nTray 2.")
    expect(page.locator(".invalid-feedback, .alert-danger")).to_have_count(0)


def test_switching_connector_keeps_title_and_description(page, admin, two_connectors):
    _, jira_connector, _ = two_connectors
    log_in(page)
    # With JavaScript, choosing the connector is enough: the form reloads by itself.
    switch_connector_keeps_what_was_typed(
        page, jira_connector, lambda select: select.select_option(str(jira_connector.id))
    )
    expect(page.locator("[data-auto-submit-button]")).to_be_hidden()
    page.get_by_test_id("create-ticket").click()
    expect(page.get_by_test_id("ticket-status")).to_be_visible()
    ticket = db.session.scalar(db.select(Ticket))
    assert (ticket.connector_id, ticket.title) == (jira_connector.id, "Printer jam")
    assert ticket.description.splitlines() == ["Paper stuck.", "Tray 2."]  # browsers send CRLF
    assert page.console_errors == []


def test_switching_connector_without_javascript_keeps_them_too(
    browser, live_server, admin, two_connectors
):
    _, jira_connector, _ = two_connectors
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page)

        def pick_and_press(select):
            select.select_option(str(jira_connector.id))
            page.get_by_role("button", name="Use this connector").click()

        switch_connector_keeps_what_was_typed(page, jira_connector, pick_and_press)
    finally:
        context.close()


def test_sync_labels_lands_on_the_connector_page_and_a_reload_repeats_nothing(
    page, live_server, admin, gitlab
):
    connector = make_connector(
        "gitlab", name="Desk", issue_tracker_server=gitlab.host_port, issue_tracker_method="http"
    )
    categories = [{"name": "Hardware", "label": "hardware", "colour": "#f45562"}]
    changes = ConnectorChanges(
        name="Desk", params={}, keep_missing_params=True, categories=categories
    )
    update_connector(None, connector, changes)
    log_in(page)
    page.goto(f"/connectors/{connector.id}")
    page.get_by_test_id("sync-labels").click()
    expect(page).to_have_url(f"{live_server.url}/connectors/{connector.id}")
    expect(page.locator(".alert-success")).to_contain_text(
        "Labels created on the tracker: hardware."
    )
    page.reload()  # a GET now: no second sync
    expect(page.get_by_test_id("sync-labels")).to_be_visible()
    expect(page.locator(".alert-success")).to_have_count(0)  # shown once, not repeated
    syncs = db.select(db.func.count(AuditEntry.id)).where(
        AuditEntry.action == "connector.sync_labels"
    )
    assert db.session.scalar(syncs) == 1
    assert [label["name"] for label in gitlab.labels[7]] == ["hardware"]
    assert page.console_errors == []
