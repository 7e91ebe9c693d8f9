"""Retry backoff of ticket delivery: the DELIVERY_BACKOFF_SECONDS setting, doubled per
failure, at most an hour; only retryable failures are retried automatically."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.factories import make_connector
from tests.support.fake_trackers import fake_gitlab
from webapp.extensions import db
from webapp.models import Ticket
from webapp.models.base import utcnow
from webapp.services.delivery import BACKOFF_MAX_SECONDS, backoff, claim_due, deliver
from webapp.services.tickets import TicketRequest, create_ticket

ISSUES = "/issues"


@pytest.fixture
def gitlab():
    with fake_gitlab() as fake:
        yield fake


@pytest.fixture
def ticket_id(app, gitlab) -> int:
    connector = make_connector(
        "gitlab", issue_tracker_server=gitlab.host_port, issue_tracker_method="http"
    )
    ticket, _ = create_ticket(None, TicketRequest(connector.id, "Broken screen"))
    return ticket.id


def next_attempt_in(ticket_id: int, since: datetime) -> timedelta | None:
    db.session.expire_all()
    ticket = db.session.get(Ticket, ticket_id)
    return None if ticket.next_attempt_at is None else ticket.next_attempt_at - since


def test_the_first_wait_is_the_setting_and_each_failure_doubles_it(app) -> None:
    app.config["DELIVERY_BACKOFF_SECONDS"] = 30.0

    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]


def test_the_setting_may_be_a_fraction_of_a_second(app) -> None:
    app.config["DELIVERY_BACKOFF_SECONDS"] = 0.25

    assert backoff(1) == timedelta(seconds=0.25) and backoff(3) == timedelta(seconds=1)


def test_the_wait_never_exceeds_an_hour(app) -> None:
    app.config["DELIVERY_BACKOFF_SECONDS"] = 30.0

    assert BACKOFF_MAX_SECONDS == 3600
    assert backoff(8) == timedelta(seconds=3600)  # 30 s * 2**7 would be 3840 s
    assert backoff(500) == timedelta(seconds=3600)  # no overflow for a huge count


def test_a_retryable_failure_waits_the_backoff_then_twice_as_long(app, gitlab, ticket_id):
    app.config["DELIVERY_BACKOFF_SECONDS"] = 40.0
    gitlab.fail_next(503, times=2, method="POST", path=ISSUES)

    before = utcnow()
    deliver(ticket_id)
    first = next_attempt_in(ticket_id, before)
    assert timedelta(seconds=40) <= first < timedelta(seconds=45)
    assert claim_due(10) == []  # not due before its time

    before = utcnow()
    deliver(ticket_id)  # the Retry button: a second failure
    second = next_attempt_in(ticket_id, before)
    assert timedelta(seconds=80) <= second < timedelta(seconds=85)


def test_a_failure_that_cannot_heal_is_not_retried_automatically(app, gitlab, ticket_id):
    gitlab.fail_next(404, method="POST", path=ISSUES)

    ticket = deliver(ticket_id)

    assert ticket.status == "failed"
    assert next_attempt_in(ticket_id, utcnow()) is None
