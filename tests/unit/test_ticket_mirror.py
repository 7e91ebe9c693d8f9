"""services.ticket_mirror: what a webhook event or a sync learnt, applied to a ticket once."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import make_connector, make_sent_ticket
from webapp.extensions import db
from webapp.models import TicketActivity, TicketComment
from webapp.services.ticket_mirror import apply_snapshot, ticket_for_issue
from webapp.trackers.tickets import IssueSnapshot, RemoteComment

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def ticket(app):
    return make_sent_ticket(make_connector("gitlab", name="Mirror"), "#5")


def kinds(changes):
    return [change.kind for change in changes]


def test_the_ticket_is_found_by_connector_and_issue_key(ticket):
    assert ticket_for_issue(ticket.connector_id, "#5") is ticket
    assert ticket_for_issue(ticket.connector_id, "#6") is None
    assert ticket_for_issue(ticket.connector_id + 1, "#5") is None


def test_closing_and_reopening_are_changes_with_timeline_lines(ticket):
    assert (
        kinds(apply_snapshot(ticket, IssueSnapshot("#5", "open", updated_at=T0), via="sync")) == []
    )
    closed = IssueSnapshot(
        "#5", "closed", updated_at=T0 + timedelta(minutes=1), changed_by="jane", changed_at=T0
    )
    changes = apply_snapshot(ticket, closed, via="webhook")
    assert kinds(changes) == ["closed"] and changes[0].actor == "jane"
    assert kinds(apply_snapshot(ticket, closed, via="webhook")) == []  # the same news again
    reopened = IssueSnapshot("#5", "open", updated_at=T0 + timedelta(minutes=2), changed_by="bo")
    assert kinds(apply_snapshot(ticket, reopened, via="sync")) == ["reopened"]
    db.session.commit()
    lines = db.session.query(TicketActivity).order_by(TicketActivity.id).all()
    assert [(a.kind, a.actor, a.via) for a in lines] == [
        ("closed", "jane", "webhook"),
        ("reopened", "bo", "sync"),
    ]
    assert ticket.tracker_state == "open"
    assert ticket.tracker_updated_at == T0 + timedelta(minutes=2)
    assert ticket.tracker_synced_at is not None


def test_an_older_snapshot_does_not_undo_a_newer_one(ticket):
    apply_snapshot(ticket, IssueSnapshot("#5", "closed", updated_at=T0), via="webhook")
    late = IssueSnapshot("#5", "open", labels=("x",), updated_at=T0 - timedelta(seconds=5))
    assert kinds(apply_snapshot(ticket, late, via="webhook")) == []
    assert ticket.tracker_state == "closed" and ticket.tracker_labels is None


def test_labels_and_assignees_change_only_after_they_were_first_known(ticket):
    first = IssueSnapshot("#5", "open", labels=("bug",), assignees=())
    assert kinds(apply_snapshot(ticket, first, via="sync")) == []
    moved = IssueSnapshot("#5", "open", labels=("bug", "urgent"), assignees=("ann",))
    changes = apply_snapshot(ticket, moved, via="webhook")
    assert kinds(changes) == ["labels", "assignees"]
    assert changes[0].details == {"added": ["urgent"], "removed": []}
    assert ticket.tracker_labels == ["bug", "urgent"] and ticket.tracker_assignees == ["ann"]


def test_comments_are_stored_once_per_tracker_id(ticket):
    comment = RemoteComment("901", "jane", "Turned it off and on.", T0)
    snapshot = IssueSnapshot("#5", comments=(comment,))
    assert kinds(apply_snapshot(ticket, snapshot, via="webhook")) == ["commented"]
    db.session.commit()
    assert kinds(apply_snapshot(ticket, snapshot, via="sync")) == []
    db.session.commit()
    stored = db.session.query(TicketComment).all()
    assert [(c.direction, c.author, c.body, c.external_id) for c in stored] == [
        ("inbound", "jane", "Turned it off and on.", "901")
    ]
