"""Answering and closing a ticket's issue from its page, in a real browser (CSRF on),
with JavaScript and without."""

from playwright.sync_api import expect

from tests.e2e.test_connectors_browser import log_in
from tests.factories import make_connector
from tests.support.browser_fixtures import js_on_and_off
from tests.support.fake_trackers import GITLAB_PROJECT_ID
from webapp.services.delivery import deliver
from webapp.services.tickets import TicketRequest, create_ticket


@js_on_and_off
def test_add_a_comment_then_close_and_reopen_the_issue(page, admin, gitlab, screenshot):
    connector = make_connector(
        "gitlab", name="Desk", issue_tracker_server=gitlab.host_port, issue_tracker_method="http"
    )
    ticket, _ = create_ticket(admin, TicketRequest(connector.id, "Printer on fire"))
    deliver(ticket.id)
    log_in(page)
    page.goto(f"/tickets/{ticket.id}")

    page.fill("textarea[name=body]", "We ordered a new printer.")
    page.get_by_label("Internal note").check()
    screenshot("comment-form")
    page.get_by_test_id("add-comment").click()

    expect(page.locator(".alert-success").first).to_contain_text("Comment added to the issue.")
    comment = page.get_by_test_id("comment").first
    expect(comment.get_by_test_id("comment-body")).to_have_text("We ordered a new printer.")
    expect(comment.get_by_test_id("comment-status")).to_have_text("sent")
    (note,) = gitlab.notes[(GITLAB_PROJECT_ID, 1)]
    assert note["internal"] is True and note["body"].startswith("We ordered a new printer.")

    page.get_by_test_id("close-issue").click()
    expect(page.locator(".alert-success").first).to_contain_text("closed on the tracker")
    expect(page.get_by_test_id("tracker-state")).to_contain_text("closed on GitLab")
    expect(page.get_by_test_id("activity")).to_contain_text("Closed by admin@example.com")
    assert gitlab.issues[GITLAB_PROJECT_ID][0]["state"] == "closed"
    screenshot("closed")

    page.get_by_test_id("reopen-issue").click()
    expect(page.get_by_test_id("tracker-state")).to_contain_text("reopened on GitLab")
    assert gitlab.issues[GITLAB_PROJECT_ID][0]["state"] == "opened"
    assert page.console_errors == []


def test_a_failed_comment_keeps_its_text_and_retry_sends_it(page, admin, gitlab):
    connector = make_connector(
        "gitlab", name="Desk", issue_tracker_server=gitlab.host_port, issue_tracker_method="http"
    )
    ticket, _ = create_ticket(admin, TicketRequest(connector.id, "Printer on fire"))
    deliver(ticket.id)
    log_in(page)
    page.goto(f"/tickets/{ticket.id}")
    gitlab.fail_next(503, {"message": "503 Service Unavailable"}, method="POST")

    page.fill("textarea[name=body]", "Typed with care")
    page.get_by_test_id("add-comment").click()

    comment = page.get_by_test_id("comment").first
    expect(comment.get_by_test_id("comment-status")).to_have_text("failed")
    expect(comment.get_by_test_id("comment-body")).to_have_text("Typed with care")
    expect(comment.get_by_test_id("comment-problem")).to_contain_text("503")
    comment.get_by_test_id("retry-comment").click()
    expect(page.get_by_test_id("comment").first.get_by_test_id("comment-status")).to_have_text(
        "sent"
    )
    assert len(gitlab.notes[(GITLAB_PROJECT_ID, 1)]) == 1
