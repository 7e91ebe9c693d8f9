"""A ticket's next automatic attempt: never a time in the past without "overdue" and why."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.factories import make_connector
from webapp.extensions import db
from webapp.models import DeliveryWorker, Ticket
from webapp.models.base import utcnow
from webapp.services.delivery import deliver
from webapp.services.delivery_worker import (
    COMMAND,
    EMBEDDED,
    beat,
    start_embedded_worker,
    worker_name,
)
from webapp.services.tickets import TicketRequest, create_ticket


@pytest.fixture
def failed_ticket(app, gitlab) -> Ticket:
    connector = make_connector(
        "gitlab", issue_tracker_server=gitlab.host_port, issue_tracker_method="http"
    )
    ticket, _ = create_ticket(None, TicketRequest(connector.id, "Printer on fire"))
    gitlab.fail_next(503, times=5)
    ticket = deliver(ticket.id)
    gitlab._faults.clear()
    assert ticket.status == "failed" and ticket.next_attempt_at > utcnow()
    return ticket


def next_attempt_text(client, ticket) -> str:
    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    match = re.search(r'data-testid="next-attempt">(.*?)</span>', page, re.S)
    assert match, page
    return re.sub(r"<[^>]+>|\s+", " ", match.group(1)).strip()


def make_due(ticket: Ticket, ago: timedelta = timedelta(minutes=5)) -> None:
    ticket.next_attempt_at = utcnow() - ago
    db.session.commit()


def test_a_future_attempt_is_shown_as_a_time(admin_client, failed_ticket):
    text = next_attempt_text(admin_client, failed_ticket)
    assert text.startswith("Next automatic attempt: 20") and "overdue" not in text


def test_overdue_when_no_worker_ever_ran(admin_client, failed_ticket):
    make_due(failed_ticket)
    text = next_attempt_text(admin_client, failed_ticket)
    assert "overdue" in text
    assert "no delivery worker has run yet" in text
    assert "flask tickets deliver --loop" in text


def test_overdue_since_the_last_worker_stopped(admin_client, failed_ticket):
    long_ago = utcnow() - timedelta(hours=3)
    beat(COMMAND, 10.0, now=long_ago)
    make_due(failed_ticket)
    text = next_attempt_text(admin_client, failed_ticket)
    assert "overdue" in text
    assert f"no delivery worker has run since {long_ago:%Y-%m-%d %H:%M} UTC" in text


def test_overdue_while_a_worker_runs_says_it_waits_for_the_next_pass(admin_client, failed_ticket):
    beat(EMBEDDED, 10.0)
    make_due(failed_ticket, ago=timedelta(seconds=3))
    text = next_attempt_text(admin_client, failed_ticket)
    assert "overdue" in text and "waiting for the delivery worker’s next pass" in text


def test_the_list_marks_overdue_tickets(admin_client, failed_ticket):
    page = admin_client.get("/tickets/").get_data(as_text=True)
    assert 'data-testid="ticket-overdue"' not in page
    make_due(failed_ticket)
    page = admin_client.get("/tickets/").get_data(as_text=True)
    assert re.search(r'data-testid="ticket-overdue" title="no delivery worker has run yet', page)


def test_a_stalled_delivery_is_overdue_once_its_lease_ran_out(admin_client, failed_ticket):
    beat(EMBEDDED, 10.0)
    failed_ticket.status, failed_ticket.claimed_until = "sending", utcnow() - timedelta(minutes=1)
    db.session.commit()
    page = admin_client.get(f"/tickets/{failed_ticket.id}").get_data(as_text=True)
    assert re.search(r'data-testid="ticket-overdue" title="the worker sending it stopped', page)


def test_heartbeats_of_workers_gone_for_a_day_are_forgotten(app):
    beat(COMMAND, 10.0, now=utcnow() - timedelta(days=2))
    db.session.execute(
        db.update(DeliveryWorker)
        .values(name="command@elsewhere:1")
        .where(DeliveryWorker.name == worker_name(COMMAND))
    )
    db.session.commit()
    beat(EMBEDDED, 10.0)
    assert db.session.scalars(db.select(DeliveryWorker.name)).all() == [worker_name(EMBEDDED)]


def test_test_apps_do_not_start_the_embedded_worker_unless_asked(app):
    assert app.testing and app.config["EMBEDDED_WORKER"] in (True, False)
    app.config["EMBEDDED_WORKER"] = True
    assert start_embedded_worker(app) is None


def submit(client, connector, title: str) -> str:
    page = client.get(f"/tickets/new?connector={connector.id}").get_data(as_text=True)
    token = re.search(r'name="submission_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.submit(
        f"/tickets/new?connector={connector.id}",
        {"connector_id": str(connector.id), "submission_token": token, "title": title},
        follow_redirects=True,
    )
    return response.get_data(as_text=True)


def test_the_failure_message_promises_an_automatic_retry_only_when_one_will_come(
    admin_client, gitlab
):
    connector = make_connector(
        "gitlab", issue_tracker_server=gitlab.host_port, issue_tracker_method="http"
    )
    gitlab.fail_next(503, times=5)
    page = submit(admin_client, connector, "No worker yet")
    assert "No delivery worker is running to retry it automatically: use Retry." in page
    assert "retried automatically, or" not in page
    page = submit(admin_client, connector, "Behind it")
    assert "queued behind earlier tickets through this connector, but no delivery worker" in page
    beat(EMBEDDED, 10.0)
    page = submit(admin_client, connector, "Behind it too")
    assert "queued: earlier tickets through this connector are waiting" in page
    connector = make_connector(
        "gitlab", issue_tracker_server=gitlab.host_port, issue_tracker_method="http"
    )
    page = submit(admin_client, connector, "A worker runs")
    assert "It will be retried automatically, or use Retry." in page
    gitlab._faults.clear()
    connector = make_connector(
        "gitlab", issue_tracker_server=gitlab.host_port, issue_tracker_method="http"
    )
    gitlab.fail_next(403, times=1, method="POST")  # refused: retrying would not help
    page = submit(admin_client, connector, "Refused")
    assert "It will not be retried automatically: fix the cause, then use Retry." in page
