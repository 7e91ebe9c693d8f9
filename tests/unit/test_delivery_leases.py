"""Claims, leases and fencing of ticket delivery, on the suite's database (SQLite by default).

A claim is a lease the worker renews while it works and a claim number (fencing token):
a worker whose claim was superseded records nothing, and an abandoned claim makes the
next worker look for the issue first, so a ticket never becomes two issues.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest

from tests.factories import make_connector
from tests.support.fake_trackers import GITLAB_PROJECT_ID, fake_gitlab
from webapp.extensions import db
from webapp.models import DeliveryAttempt, Ticket
from webapp.models.base import utcnow
from webapp.services.delivery import claim, claim_due, deliver_claimed, deliver_due, lease
from webapp.services.tickets import TicketRequest, create_ticket


@pytest.fixture
def slow_gitlab():
    with fake_gitlab(create_seconds=0.0) as fake:
        yield fake


@pytest.fixture
def connector(app, slow_gitlab):
    return make_connector(
        "gitlab", issue_tracker_server=slow_gitlab.host_port, issue_tracker_method="http"
    )


def new_ticket(connector, title: str = "Broken screen") -> int:
    ticket, _ = create_ticket(None, TicketRequest(connector.id, title))
    return ticket.id


def issues(gitlab) -> list[dict]:
    return gitlab.issues[GITLAB_PROJECT_ID]


def history(ticket_id: int) -> list[str]:
    db.session.expire_all()
    ticket = db.session.get(Ticket, ticket_id)
    outcomes = [attempt.outcome for attempt in ticket.delivery_attempts]
    assert ticket.attempts == len(outcomes), "attempts must count the attempt records"
    return outcomes


def after_the_lease():
    return utcnow() + lease() + timedelta(seconds=1)


def test_every_claim_gets_a_new_number_and_only_one_holder_at_a_time(connector):
    ticket_id = new_ticket(connector)
    first = claim(ticket_id)
    assert first is not None
    assert claim(ticket_id) is None  # taken, and the lease still runs
    second = claim(ticket_id, now=after_the_lease())
    assert second is not None and second.number == first.number + 1


def test_a_superseded_claim_sends_nothing_and_records_nothing(connector, slow_gitlab):
    ticket_id = new_ticket(connector)
    stale = claim(ticket_id)
    current = claim(ticket_id, now=after_the_lease())
    assert deliver_claimed(stale) is False
    assert issues(slow_gitlab) == []
    assert history(ticket_id) == ["abandoned"]
    assert deliver_claimed(current) is True
    assert len(issues(slow_gitlab)) == 1
    assert history(ticket_id) == ["abandoned", "sent"]


def test_a_result_arriving_after_the_claim_was_taken_over_is_not_recorded(
    app, connector, slow_gitlab
):
    """The 11.2 race: the first worker's create is still under way when its lease runs out
    and a second worker claims the ticket. The second worker looks up the marker (like after
    a timeout) and finds the first worker's issue instead of creating another one."""
    ticket_id = new_ticket(connector)
    stale = claim(ticket_id)
    slow_gitlab.create_seconds = 1.0
    results: list[bool] = []

    def first_worker() -> None:
        with app.app_context():
            results.append(deliver_claimed(stale))
            db.session.remove()

    worker = threading.Thread(target=first_worker)
    worker.start()
    time.sleep(0.4)  # its create is on the wire now
    current = claim(ticket_id, now=after_the_lease())
    assert current is not None
    worker.join(timeout=10)
    assert results == [False]
    slow_gitlab.create_seconds = 0.0
    assert deliver_claimed(current) is True
    ticket = db.session.get(Ticket, ticket_id)
    assert ticket.status == "sent" and ticket.external_key == "#1"
    assert len(issues(slow_gitlab)) == 1
    assert history(ticket_id) == ["abandoned", "found"]


def test_an_abandoned_claim_counts_as_an_attempt_and_makes_the_next_one_look_first(
    connector, slow_gitlab
):
    ticket_id = new_ticket(connector)
    claim(ticket_id)  # a worker that then died
    (claimed,) = claim_due(5, now=after_the_lease())
    ticket = db.session.get(Ticket, ticket_id)
    assert ticket.needs_lookup and ticket.attempts == 1
    attempt = db.session.scalar(db.select(DeliveryAttempt))
    assert "lease ran out" in attempt.message
    deliver_claimed(claimed)
    assert history(ticket_id) == ["abandoned", "sent"]
    lookups = [r for r in slow_gitlab.requests if r.method == "GET" and "/issues" in r.path]
    assert lookups, "the marker was looked up before the issue was created"


def test_a_worker_keeps_renewing_its_lease_while_a_slow_tracker_works(app, connector, slow_gitlab):
    app.config["DELIVERY_LEASE_SECONDS"] = 0.6
    app.config["DELIVERY_BATCH_SIZE"] = 3
    ids = [new_ticket(connector, f"Ticket {n}") for n in range(3)]
    slow_gitlab.create_seconds = 0.5  # the batch takes 1.5 s: more than twice the lease
    handled: list[int] = []

    def worker() -> None:
        with app.app_context():
            handled.extend(ticket.id for ticket in deliver_due())
            db.session.remove()

    thread = threading.Thread(target=worker)
    thread.start()
    stolen = []
    while thread.is_alive():
        time.sleep(0.2)
        stolen += claim_due(5)  # a second worker, trying all along
        db.session.remove()
    thread.join()
    assert stolen == []
    assert sorted(handled) == ids
    assert len(issues(slow_gitlab)) == 3
    assert all(history(ticket_id) == ["sent"] for ticket_id in ids)


def test_a_worker_claims_one_batch_at_a_time(app, connector, runner, slow_gitlab):
    app.config["DELIVERY_BATCH_SIZE"] = 2
    ids = [new_ticket(connector, f"Ticket {n}") for n in range(3)]
    assert len(claim_due(app.config["DELIVERY_BATCH_SIZE"])) == 2
    db.session.execute(db.update(Ticket).values(status="pending", claimed_until=None))
    db.session.commit()
    result = runner.invoke(args=["tickets", "deliver"])  # batch after batch until none is due
    assert result.exit_code == 0, result.output
    assert [f"ticket {ticket_id}: sent" in result.output for ticket_id in ids] == [True] * 3
    assert len(issues(slow_gitlab)) == 3
