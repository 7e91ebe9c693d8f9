"""Comments and state from the dashboard, against a fake GitLab on a real socket.

Why real sockets: "the tracker posted the comment, then never answered" needs a server
that holds the connection open; these tests prove such an attempt is retried with a
marker lookup first, so the comment is never posted twice.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories import make_connector, make_user
from tests.support.fake_trackers import GITLAB_PROJECT_ID, fake_gitlab
from webapp.extensions import db
from webapp.models import AuditEntry, TicketActivity, TicketComment
from webapp.models.base import utcnow
from webapp.services import comments
from webapp.services.change_context import changes_via
from webapp.services.delivery import deliver, lease
from webapp.services.delivery_worker import run_worker
from webapp.services.errors import Forbidden, ServiceError, ValidationFailed
from webapp.services.ticket_mirror import apply_snapshot
from webapp.services.tickets import TicketRequest, create_ticket
from webapp.trackers.tickets import IssueSnapshot, RemoteComment


@pytest.fixture
def gitlab():
    with fake_gitlab() as fake:
        yield fake


@pytest.fixture
def connector(app, gitlab):
    return make_connector(
        "gitlab", issue_tracker_server=gitlab.host_port, issue_tracker_method="http"
    )


@pytest.fixture
def viewer(app):
    return make_user("viewer@example.com", role="viewer")


def sent_ticket(connector, actor=None):
    ticket, _ = create_ticket(actor, TicketRequest(connector.id, "Printer on fire"))
    ticket = deliver(ticket.id)
    assert ticket.status == "sent" and ticket.external_key == "#1"
    return ticket


def notes(gitlab) -> list[dict]:
    return gitlab.notes.get((GITLAB_PROJECT_ID, 1), [])


def test_a_comment_is_stored_first_then_posted_with_its_marker(connector, gitlab, admin):
    ticket = sent_ticket(connector)

    with changes_via("discord"):
        comment = comments.add_comment(admin, ticket, "  Any news?  ")

    assert (comment.status, comment.body, comment.direction) == ("pending", "Any news?", "outbound")
    assert comment.author == admin.email and comment.via == "discord"
    assert notes(gitlab) == []  # nothing sent yet: the outbox does that
    sent = comments.deliver_comment(comment.id, quick=True)
    (note,) = notes(gitlab)
    assert sent.status == "sent" and sent.external_id == str(note["id"])
    assert note["body"].startswith("Any news?") and comment.marker in note["body"]
    assert note["internal"] is False
    assert db.session.query(AuditEntry).filter_by(action="ticket.comment").count() == 1


def test_a_timeout_after_posting_is_looked_up_not_posted_again(app, connector, gitlab, admin):
    ticket = sent_ticket(connector)
    app.config["COMMENT_REQUEST_SECONDS"] = 0.5
    gitlab.hang_after_create = True

    first = comments.post_comment(admin, ticket, "Only once, please")

    assert first.status == "failed" and first.needs_lookup
    assert "may have created the comment" in first.last_error
    assert first.next_attempt_at is not None  # the worker tries again
    assert len(notes(gitlab)) == 1  # it did get there
    gitlab.hang_after_create = False

    again = comments.retry_comment(admin, first)

    assert again.status == "sent" and not again.needs_lookup and again.attempts == 2
    assert len(notes(gitlab)) == 1
    assert again.external_id == str(notes(gitlab)[0]["id"])
    methods = [r.method for r in gitlab.requests if "/notes" in r.path]
    assert methods == ["POST", "GET"]


def test_the_worker_delivers_due_comments_with_backoff_after_failures(app, connector, gitlab):
    ticket = sent_ticket(connector)
    comment = comments.add_comment(None, ticket, "From the worker", author="Discord: ana")
    gitlab.fail_next(503, {"message": "503 Service Unavailable"}, times=1)

    run_worker("command", 0.1, loop=False)

    db.session.expire_all()
    comment = db.session.get(TicketComment, comment.id)
    assert comment.status == "failed" and comment.attempts == 1
    assert comment.next_attempt_at > utcnow()  # backed off: not due again at once
    comment.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    run_worker("command", 0.1, loop=False)
    db.session.expire_all()
    comment = db.session.get(TicketComment, comment.id)
    assert comment.status == "sent" and comment.author == "Discord: ana"
    assert len(notes(gitlab)) == 1


def test_an_abandoned_claim_makes_the_next_attempt_look_first(app, connector, gitlab, admin):
    ticket = sent_ticket(connector)
    comment = comments.add_comment(admin, ticket, "Crash in the middle")
    assert comments.claim_comment(comment.id) is not None  # that worker dies here
    later = utcnow() + lease() + timedelta(seconds=1)

    (claimed,) = comments.claim_due_rows(TicketComment, 5, comments._comment_abandoned, now=later)
    assert comments.deliver_claimed_comment(claimed)

    db.session.expire_all()
    comment = db.session.get(TicketComment, comment.id)
    assert comment.status == "sent" and comment.attempts == 2
    assert [r.method for r in gitlab.requests if "/notes" in r.path] == ["GET", "POST"]


def test_internal_notes_only_where_the_tracker_has_them(connector, gitlab, admin):
    ticket = sent_ticket(connector)
    comment = comments.post_comment(admin, ticket, "For the team", internal=True)
    assert comment.status == "sent" and notes(gitlab)[0]["internal"] is True

    github = make_connector("github")
    other = sent_ticket_without_tracker(github)
    with pytest.raises(ValidationFailed) as failed:
        comments.add_comment(admin, other, "x", internal=True)
    assert "internal" in failed.value.errors


def sent_ticket_without_tracker(connector):
    from tests.factories import make_sent_ticket

    return make_sent_ticket(connector, "#5")


def test_empty_or_undelivered_is_refused(connector, admin):
    ticket = sent_ticket(connector)
    with pytest.raises(ValidationFailed) as failed:
        comments.add_comment(admin, ticket, "   ")
    assert failed.value.errors == {"body": ["Enter the comment."]}
    pending, _ = create_ticket(None, TicketRequest(connector.id, "Not sent"))
    with pytest.raises(ServiceError, match="does not exist on the tracker yet"):
        comments.add_comment(admin, pending, "Hello")


def test_close_and_reopen_change_the_issue_and_record_a_line(connector, gitlab, admin):
    ticket = sent_ticket(connector)

    with changes_via("api"):
        closed = comments.change_state(admin, ticket, "closed")

    assert gitlab.issues[GITLAB_PROJECT_ID][0]["state"] == "closed"
    assert ticket.tracker_state == "closed"
    assert (closed.kind, closed.actor, closed.via) == ("closed", admin.email, "api")
    comments.change_state(admin, ticket, "open")
    assert gitlab.issues[GITLAB_PROJECT_ID][0]["state"] == "opened"
    assert [a.kind for a in ticket.activities] == ["closed", "reopened"]
    actions = [e.action for e in db.session.query(AuditEntry).order_by(AuditEntry.id)]
    assert actions[-2:] == ["ticket.close", "ticket.reopen"]
    # The tracker telling the same later is no second line.
    apply_snapshot(ticket, IssueSnapshot(key="#1", state="open"), via="sync")
    assert len(ticket.activities) == 2


def test_a_refused_state_change_records_nothing(connector, gitlab, admin):
    ticket = sent_ticket(connector)
    gitlab.fail_next(403, {"message": "403 Forbidden"}, times=1)

    with pytest.raises(ServiceError, match="403 Forbidden"):
        comments.change_state(admin, ticket, "closed")

    db.session.expire_all()
    assert ticket.tracker_state is None
    assert db.session.query(TicketActivity).count() == 0
    with pytest.raises(ValidationFailed):
        comments.change_state(admin, ticket, "deleted")


def test_viewers_converse_on_their_own_tickets_only(connector, gitlab, admin, viewer):
    own = sent_ticket(connector, viewer)
    theirs = sent_ticket_without_tracker(connector)
    other_viewer = make_user("other@example.com", role="viewer")

    assert comments.add_comment(viewer, own, "mine").status == "pending"
    comments.change_state(viewer, own, "closed")
    for actor in (viewer, other_viewer):
        with pytest.raises(Forbidden):
            comments.add_comment(actor, theirs, "not mine")
        with pytest.raises(Forbidden):
            comments.change_state(actor, theirs, "closed")
    with pytest.raises(Forbidden):
        comments.add_comment(other_viewer, own, "not mine either")
    assert comments.add_comment(admin, theirs, "admins may").status == "pending"


def test_the_mirror_skips_our_comment_coming_back_and_learns_its_id(connector, admin):
    ticket = sent_ticket(connector)
    comment = comments.add_comment(admin, ticket, "Echo")  # not delivered yet
    echo = RemoteComment(
        "999", "root", f"Echo\n\n<!-- Connector Desk reference {comment.marker} -->"
    )
    theirs = RemoteComment("1000", "bob", "A real reply")

    changes = apply_snapshot(ticket, IssueSnapshot(key="#1", comments=(echo, theirs)), via="sync")

    assert [c.details["comment_id"] for c in changes] == ["1000"]
    assert comment.external_id == "999"
    assert [c.direction for c in ticket.comments] == ["outbound", "inbound"]


def test_delivery_after_the_mirror_stored_the_echo_keeps_one_comment(connector, gitlab, admin):
    ticket = sent_ticket(connector)
    comment = comments.add_comment(admin, ticket, "Raced")
    note_id = str(gitlab._ids + 1)  # the id the fake gives the note
    echo = RemoteComment(note_id, "root", "Raced, as an older mirror saw it")
    apply_snapshot(ticket, IssueSnapshot(key="#1", comments=(echo,)), via="sync")
    db.session.commit()

    sent = comments.deliver_comment(comment.id)

    assert sent.external_id == note_id
    assert db.session.query(TicketComment).filter_by(ticket_id=ticket.id).count() == 1


def test_the_deliver_command_sends_due_comments_and_says_so(app, connector, gitlab, runner):
    ticket = sent_ticket(connector)
    comment = comments.add_comment(None, ticket, "From the command line")

    result = runner.invoke(args=["tickets", "deliver"])

    assert result.exit_code == 0, result.output
    note_id = notes(gitlab)[0]["id"]
    assert f"comment {comment.id} on ticket {ticket.id}: sent ({note_id})" in result.output
