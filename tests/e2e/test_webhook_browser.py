"""In a browser: an admin generates the webhook secret, GitLab posts a signed "close" event,
and the ticket page says "closed on GitLab"."""

from __future__ import annotations

import requests
from playwright.sync_api import expect

from tests.e2e.test_connectors_browser import log_in
from tests.factories import make_connector, make_sent_ticket
from tests.support import webhook_samples as samples


def send(url: str, delivery: samples.Delivery) -> int:
    return requests.post(url, data=delivery.body, headers=delivery.headers, timeout=10).status_code


def test_a_ticket_turns_closed_on_gitlab_after_a_signed_event(page, admin, screenshot):
    connector = make_connector("gitlab", name="Desk GitLab")
    ticket = make_sent_ticket(connector, "#5", title="Printer on fire")
    log_in(page)
    page.goto(f"/tickets/{ticket.id}")
    expect(page.get_by_test_id("tracker-state")).to_have_count(0)

    page.goto(f"/connectors/{connector.id}")
    expect(page.get_by_test_id("webhook-configured")).to_have_text("not configured")
    page.get_by_test_id("webhook-rotate").click()
    page.get_by_test_id("confirm-rotate").click()
    secret = page.get_by_test_id("webhook-secret").inner_text().strip()
    url = page.get_by_test_id("webhook-url").inner_text().strip()
    screenshot("secret-shown-once")
    page.get_by_test_id("webhook-done").click()
    expect(page.get_by_test_id("webhook-configured")).to_have_text("configured")
    assert secret not in page.content()

    closed = samples.gitlab_issue(5, "close", state="closed", user="jane")
    assert send(url, samples.gitlab_delivery(secret, closed)) == 200
    note = samples.gitlab_note(5, 88, "Fixed: new fuser.", user="bob")
    assert send(url, samples.gitlab_delivery(secret, note)) == 200

    page.goto(f"/tickets/{ticket.id}")
    state = page.get_by_test_id("tracker-state")
    expect(state).to_contain_text("closed on GitLab")
    expect(state).to_contain_text("by jane")
    expect(page.get_by_test_id("comment-body")).to_contain_text("Fixed: new fuser.")
    screenshot("closed-on-gitlab")
    page.goto(f"/connectors/{connector.id}")
    expect(page.get_by_test_id("webhook-event")).to_have_count(2)
    screenshot("connector-events")
    assert page.console_errors == []
