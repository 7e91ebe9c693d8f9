"""services.ticket_sync: polling sent tickets' issues, politely, against a fake GitLab."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories import make_connector, make_sent_ticket
from tests.support.fake_trackers import GITLAB_PROJECT_ID
from webapp.extensions import db
from webapp.models import Ticket, TicketActivity, TicketComment
from webapp.models.base import utcnow
from webapp.services.connectors import set_disabled
from webapp.services.delivery_worker import EmbeddedWorker
from webapp.services.ticket_sync import FAILED, SYNCED, sync_due, sync_ticket

PID = GITLAB_PROJECT_ID


@pytest.fixture
def connector(app, gitlab):
    return make_connector(
        "gitlab", name="Desk", issue_tracker_server=gitlab.host_port, issue_tracker_method="http"
    )


def sent(connector, gitlab, title="Printer on fire"):
    """A ticket delivered as a new issue on the fake GitLab."""
    issue = gitlab.open_issue(PID, title, author="root")
    return make_sent_ticket(connector, f"#{issue['iid']}", title)


def fresh(ticket_id: int) -> Ticket:
    db.session.expire_all()
    return db.session.get(Ticket, ticket_id)


def test_a_closed_issue_closes_the_ticket_with_who_and_its_comment(connector, gitlab):
    ticket = sent(connector, gitlab)
    gitlab.add_note(PID, 1, "Replaced the toner.", author="jane")
    gitlab.close_issue(PID, 1, by="jane")

    [outcome] = sync_due()

    assert outcome.status == SYNCED and [c.kind for c in outcome.changes] == [
        "closed",
        "commented",
    ]
    ticket = fresh(ticket.id)
    assert ticket.tracker_state == "closed" and ticket.tracker_synced_at is not None
    [comment] = db.session.query(TicketComment).all()
    assert (comment.author, comment.body, comment.via) == ("jane", "Replaced the toner.", "sync")
    [line] = db.session.query(TicketActivity).all()
    assert (line.kind, line.actor, line.via) == ("closed", "jane", "sync")


def test_a_reopened_issue_reopens_the_ticket(connector, gitlab, app):
    ticket = sent(connector, gitlab)
    gitlab.close_issue(PID, 1)
    sync_due()
    gitlab.reopen_issue(PID, 1, by="bo")
    app.config["SYNC_INTERVAL_SECONDS"] = 60
    later = utcnow() + timedelta(minutes=2)

    [outcome] = sync_due(now=later)

    assert [c.kind for c in outcome.changes] == ["reopened"]
    assert fresh(ticket.id).tracker_state == "open"


def test_a_ticket_polled_lately_waits_for_the_interval(connector, gitlab, app):
    sent(connector, gitlab)
    app.config["SYNC_INTERVAL_SECONDS"] = 300
    assert len(sync_due()) == 1

    assert sync_due() == []
    assert len(sync_due(now=utcnow() + timedelta(seconds=301))) == 1


def test_only_sent_tickets_of_enabled_connectors_are_polled(connector, gitlab, app):
    ticket = sent(connector, gitlab)
    pending = sent(connector, gitlab, "Not sent yet")
    pending.status = "failed"
    other = make_connector(
        "gitlab", name="Off", issue_tracker_server=gitlab.host_port, issue_tracker_method="http"
    )
    sent(other, gitlab, "Through a disabled connector")
    set_disabled(None, other, True)
    db.session.commit()

    assert [outcome.ticket_id for outcome in sync_due()] == [ticket.id]
    issue_reads = [r for r in gitlab.requests if r.method == "GET" and "/notes" not in r.path]
    assert len(issue_reads) == 1


def test_the_ticket_heard_of_longest_ago_goes_first(connector, gitlab):
    first, second = sent(connector, gitlab), sent(connector, gitlab, "Second")
    first.tracker_synced_at = utcnow() - timedelta(days=1)
    second.tracker_synced_at = utcnow() - timedelta(days=2)
    db.session.commit()

    assert [o.ticket_id for o in sync_due(limit=1)] == [second.id]


def test_each_connector_is_asked_for_at_most_its_budget_a_minute(connector, gitlab, app):
    app.config["SYNC_PER_CONNECTOR_PER_MINUTE"] = 2
    for n in range(4):
        sent(connector, gitlab, f"Ticket {n}")

    assert len(sync_due()) == 2
    assert sync_due(now=utcnow() + timedelta(seconds=1)) == []  # budget spent this minute
    polled = [r for r in gitlab.requests if r.method == "GET" and r.path.endswith(("/1", "/2"))]
    assert len(polled) == 2


def test_closed_for_long_is_no_longer_polled(connector, gitlab, app):
    ticket = sent(connector, gitlab)
    ticket.tracker_state = "closed"
    ticket.tracker_updated_at = utcnow() - timedelta(days=8)
    db.session.commit()
    app.config["SYNC_CLOSED_DAYS"] = 7

    assert sync_due() == []


def test_a_failing_tracker_changes_nothing_and_backs_off(connector, gitlab, app):
    app.config["SYNC_INTERVAL_SECONDS"] = 60
    ticket = sent(connector, gitlab)
    ticket.tracker_state, ticket.tracker_labels = "open", ["bug"]
    sent(connector, gitlab, "Second")
    db.session.commit()
    gitlab.fail_next(503, method="GET")

    outcomes = sync_due()

    assert [o.status for o in outcomes] == [FAILED]  # the tracker is not asked again this pass
    ticket = fresh(ticket.id)
    assert (ticket.tracker_state, ticket.tracker_labels) == ("open", ["bug"])
    assert ticket.tracker_sync_failures == 1 and "503" in ticket.tracker_sync_error
    wait = ticket.tracker_sync_after - utcnow()
    assert timedelta(seconds=110) < wait <= timedelta(seconds=120)
    assert [o.ticket_id for o in sync_due()] != [ticket.id]  # waits; the other goes on


def test_a_later_success_clears_the_failure(connector, gitlab):
    ticket = sent(connector, gitlab)
    gitlab.fail_next(401, {"message": "401 Unauthorized"}, method="GET")
    assert sync_due()[0].status == FAILED

    assert sync_ticket(ticket.id).status == SYNCED
    ticket = fresh(ticket.id)
    assert ticket.tracker_sync_failures == 0 and ticket.tracker_sync_error is None
    assert ticket.tracker_sync_after is None


def test_sync_can_be_turned_off(connector, gitlab, app):
    sent(connector, gitlab)
    app.config["SYNC_INTERVAL_SECONDS"] = 0

    assert sync_due() == []
    assert gitlab.requests == []


def test_the_command_polls_one_ticket(connector, gitlab, runner):
    ticket = sent(connector, gitlab)
    gitlab.close_issue(PID, 1, by="jane")

    result = runner.invoke(args=["tickets", "sync", "--ticket", str(ticket.id)])

    assert result.exit_code == 0, result.output
    assert f"ticket {ticket.id}: synced (closed)" in result.output


def test_the_command_reports_a_pass(connector, gitlab, runner):
    ticket = sent(connector, gitlab)

    result = runner.invoke(args=["tickets", "sync"])

    assert result.exit_code == 0 and f"ticket {ticket.id}: synced" in result.output
    assert fresh(ticket.id).tracker_state == "open"


def test_the_embedded_workers_pass_also_polls_due_tickets(connector, gitlab, app):
    ticket_id = sent(connector, gitlab).id
    gitlab.close_issue(PID, 1, by="jane")

    EmbeddedWorker(app)._sync()

    assert fresh(ticket_id).tracker_state == "closed"


def test_a_connector_out_of_budget_does_not_crowd_out_the_others(connector, gitlab, app):
    app.config["SYNC_PER_CONNECTOR_PER_MINUTE"] = 1
    busy = [sent(connector, gitlab, f"Busy {n}") for n in range(6)]
    other = make_connector(
        "gitlab", name="Other", issue_tracker_server=gitlab.host_port, issue_tracker_method="http"
    )
    quiet = sent(other, gitlab, "Quiet")

    polled = {outcome.ticket_id for outcome in sync_due(limit=2)}

    assert polled == {busy[0].id, quiet.id}
