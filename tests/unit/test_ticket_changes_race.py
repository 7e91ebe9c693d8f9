"""Editing or discarding a ticket and a worker claiming it at the same moment: whichever
comes first wins, and the other is refused -- a ticket being sent is never discarded or
changed behind the worker's back."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from tests.factories import make_connector
from tests.fakes import refused_address
from webapp.extensions import db
from webapp.models import Ticket
from webapp.services import delivery
from webapp.services.errors import ServiceError
from webapp.services.tickets import TicketRequest, create_ticket, discard, revise_ticket


@pytest.fixture
def ticket(app, admin) -> Ticket:
    connector = make_connector(
        "gitlab", issue_tracker_server=refused_address(), issue_tracker_method="http"
    )
    return create_ticket(admin, TicketRequest(connector_id=connector.id, title="Printer jam"))[0]


def worker_claims_it_meanwhile(ticket: Ticket) -> None:
    """Another process claims the ticket after this request loaded it (its own connection,
    so this session still holds the ticket as it was: undelivered)."""
    assert ticket.status in ("pending", "failed")
    with db.engine.begin() as connection:
        connection.execute(
            update(Ticket).where(Ticket.id == ticket.id).values(status="sending", claim_number=7)
        )


def test_a_ticket_a_worker_claimed_meanwhile_is_not_discarded(ticket, admin):
    worker_claims_it_meanwhile(ticket)
    with pytest.raises(ServiceError, match="being sent now"):
        discard(admin, ticket)
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).status == "sending"


def test_a_ticket_a_worker_claimed_meanwhile_is_not_edited(ticket, admin):
    worker_claims_it_meanwhile(ticket)
    with pytest.raises(ServiceError, match="being sent now"):
        revise_ticket(admin, ticket, TicketRequest(connector_id=None, title="Changed"))
    db.session.expire_all()
    refreshed = db.session.get(Ticket, ticket.id)
    assert (refreshed.status, refreshed.title) == ("sending", "Printer jam")


def test_an_unclaimed_ticket_is_discarded_and_then_never_claimed(ticket, admin):
    discard(admin, ticket)
    assert ticket.status == "discarded" and ticket.next_attempt_at is None
    assert delivery.claim(ticket.id) is None
