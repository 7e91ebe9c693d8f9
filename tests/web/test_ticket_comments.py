"""The ticket page's timeline, "Add comment" and Close / Reopen, without JavaScript."""

from __future__ import annotations

import re

import pytest

from tests.factories import PASSWORD, make_connector, make_user
from tests.support.fake_trackers import GITLAB_PROJECT_ID
from webapp.extensions import db
from webapp.models import TicketComment
from webapp.services.delivery import deliver
from webapp.services.tickets import TicketRequest, create_ticket


@pytest.fixture
def connector(app, gitlab):
    return make_connector(
        "gitlab", issue_tracker_server=gitlab.host_port, issue_tracker_method="http"
    )


def sent_ticket(connector, creator=None):
    ticket, _ = create_ticket(creator, TicketRequest(connector.id, "Printer on fire"))
    return deliver(ticket.id)


def test_a_comment_goes_to_the_issue_and_into_the_timeline(admin_client, connector, gitlab):
    ticket = sent_ticket(connector)

    response = admin_client.submit(
        f"/tickets/{ticket.id}/comments", {"body": "Any news?", "visibility": "internal"}
    )

    assert response.status_code == 302
    (note,) = gitlab.notes[(GITLAB_PROJECT_ID, 1)]
    assert note["internal"] is True and note["body"].startswith("Any news?")
    page = admin_client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert "Comment added to the issue." in page
    kinds = re.findall(r'data-kind="(\w+)"', page)
    assert kinds == ["created", "attempt", "comment"]
    assert "Internal note" in page  # GitLab offers both kinds


def test_a_failed_comment_keeps_its_text_and_offers_retry(admin_client, connector, gitlab):
    ticket = sent_ticket(connector)
    gitlab.fail_next(500, {"message": "500 Internal Server Error"}, method="POST")

    admin_client.submit(f"/tickets/{ticket.id}/comments", {"body": "Please keep me"})

    page = admin_client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert "the tracker did not take it yet" in page
    assert "Please keep me" in page and 'data-testid="retry-comment"' in page
    assert "500" in page
    comment = db.session.query(TicketComment).one()
    response = admin_client.submit(f"/tickets/{ticket.id}/comments/{comment.id}/retry")
    assert response.status_code == 302
    db.session.refresh(comment)
    assert comment.status == "sent" and len(gitlab.notes[(GITLAB_PROJECT_ID, 1)]) == 1


def test_an_empty_comment_shows_the_form_again(admin_client, connector):
    ticket = sent_ticket(connector)
    response = admin_client.submit(
        f"/tickets/{ticket.id}/comments", {"body": "  ", "visibility": "public"}
    )
    assert response.status_code == 400
    assert "Enter the comment." in response.get_data(as_text=True)


def test_a_comment_without_csrf_is_refused(admin_client, connector, gitlab, app):
    app.config["WTF_CSRF_ENABLED"] = True
    ticket = sent_ticket(connector)
    response = admin_client.post(f"/tickets/{ticket.id}/comments", data={"body": "x"})
    assert response.status_code in (400, 302)
    assert (GITLAB_PROJECT_ID, 1) not in gitlab.notes


def test_close_and_reopen_buttons(admin_client, connector, gitlab):
    ticket = sent_ticket(connector)
    page = admin_client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert 'data-testid="close-issue"' in page

    admin_client.submit(f"/tickets/{ticket.id}/close")

    page = admin_client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert gitlab.issues[GITLAB_PROJECT_ID][0]["state"] == "closed"
    assert "The issue is closed on the tracker." in page
    assert 'data-testid="reopen-issue"' in page and 'data-testid="close-issue"' not in page
    assert re.search(r"<strong>Closed</strong> by admin@example.com\s+on a page", page)


def test_a_refused_close_is_a_flash_with_the_trackers_words(admin_client, connector, gitlab):
    ticket = sent_ticket(connector)
    gitlab.fail_next(403, {"message": "403 Forbidden"})
    admin_client.submit(f"/tickets/{ticket.id}/close")
    page = admin_client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert "403 Forbidden" in page and 'data-testid="activity"' not in page


def test_viewers_see_and_use_the_forms_on_their_own_tickets_only(client, auth, connector, gitlab):
    viewer = make_user("viewer@example.com", role="viewer")
    own, theirs = sent_ticket(connector, viewer), sent_ticket(connector, make_user())
    auth.login(viewer.email, PASSWORD)
    assert 'data-testid="comment-form"' in client.get(f"/tickets/{own.id}").get_data(as_text=True)
    page = client.get(f"/tickets/{theirs.id}").get_data(as_text=True)
    assert 'data-testid="comment-form"' not in page and "close-issue" not in page
    assert client.submit(f"/tickets/{theirs.id}/comments", {"body": "x"}).status_code == 403
    assert client.submit(f"/tickets/{theirs.id}/close").status_code == 403
    assert client.submit(f"/tickets/{own.id}/close").status_code == 302


def test_a_long_timeline_is_capped_with_show_all(admin_client, connector, app):
    ticket = sent_ticket(connector)
    for number in range(40):
        db.session.add(
            TicketComment(
                ticket=ticket, direction="inbound", external_id=str(number), body=f"c{number}"
            )
        )
    db.session.commit()
    page = admin_client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert page.count('data-kind="') == 30 and "Show all" in page
    page = admin_client.get(f"/tickets/{ticket.id}?timeline=all").get_data(as_text=True)
    assert page.count('data-kind="') == 42


def test_rt_asks_reply_or_internal_comment(admin_client, app):
    from tests.factories import make_sent_ticket

    ticket = make_sent_ticket(make_connector("rt"), "12")
    page = admin_client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert "Reply to requester" in page and "Internal comment" in page
    github = make_sent_ticket(make_connector("github"), "#3")
    page = admin_client.get(f"/tickets/{github.id}").get_data(as_text=True)
    assert 'data-testid="comment-form"' in page and 'name="visibility" value="public"' in page
    assert "Internal" not in page
