"""Ticket intake: a new ticket is stored first, then tried on the tracker for at most a
short budget while its request waits.

Past the budget the request answers "accepted" and the attempt carries on in the
background under its claim (lease, fencing and marker as every delivery), so nothing
is lost and nothing is sent twice; a process that dies mid-attempt leaves a lease that
runs out and a worker that looks the marker up first.  A ticket is not tried at all,
only queued for the worker, when the tracker is already struggling (earlier tickets
through the connector are waiting for a retry, or one has been in flight longer than
the budget) or when this process already runs its share of waiting deliveries: a hung
tracker then costs the requests nothing.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, bindparam, exists, or_, select

from webapp.extensions import db
from webapp.models import Ticket, User
from webapp.models.base import utcnow
from webapp.models.ticket import FAILED, SENDING
from webapp.services import delivery, tickets
from webapp.services.tickets import TicketRequest

logger = logging.getLogger(__name__)

DELIVERED, QUEUED, SLOW = "delivered", "queued", "slow"


@dataclass(frozen=True)
class Intake:
    """A stored ticket and how far its delivery got while the request waited:
    ``delivered`` (the attempt ended: sent or failed), ``slow`` (still going past the
    budget) or ``queued`` (not tried here; the worker delivers it)."""

    ticket: Ticket
    outcome: str

    @property
    def accepted(self) -> bool:
        """Whether the answer is "accepted, on its way" rather than the attempt's result."""
        return self.outcome != DELIVERED


class _Slots:
    """The per-process bound on deliveries run for waiting requests, and their threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._taken = 0
        self._threads: list[threading.Thread] = []

    def take(self, limit: int) -> bool:
        with self._lock:
            if self._taken >= limit:
                return False
            self._taken += 1
            return True

    def give_back(self) -> None:
        with self._lock:
            self._taken -= 1

    def run(self, target, *args) -> None:
        """Run ``target`` in a thread that gives its slot back when it ends."""

        def run_and_give_back() -> None:
            try:
                target(*args)
            finally:
                self.give_back()

        thread = threading.Thread(target=run_and_give_back, name="intake", daemon=True)
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()

    def wait(self, timeout: float) -> bool:
        """Wait for every running delivery (tests, shutdown); True if none is left."""
        with self._lock:
            running = list(self._threads)
        for thread in running:
            thread.join(timeout)
        return not any(thread.is_alive() for thread in running)


_slots = _Slots()
wait_for_background = _slots.wait


def budget() -> float:
    return max(float(current_app.config["TICKET_INTAKE_BUDGET_SECONDS"]), 0.0)


#: Built once: this runs for every ticket taken in, and building it costs more than
#: running it.
_OTHERS_WAITING = select(
    exists().where(
        Ticket.connector_id == bindparam("connector_id"),
        Ticket.id != bindparam("ticket_id"),
        or_(
            and_(Ticket.status == FAILED, Ticket.next_attempt_at.is_not(None)),
            and_(Ticket.status == SENDING, Ticket.claimed_until < bindparam("in_flight_since")),
        ),
    )
)


def tracker_struggling(ticket: Ticket) -> bool:
    """Earlier tickets through the same connector wait for an automatic retry, or one
    has been in flight for longer than the budget: this one joins the queue."""
    in_flight_since = utcnow() + delivery.lease() - timedelta(seconds=budget())
    return bool(
        db.session.scalar(
            _OTHERS_WAITING,
            {
                "connector_id": ticket.connector_id,
                "ticket_id": ticket.id,
                "in_flight_since": in_flight_since,
            },
        )
    )


def submit(actor: User | None, request: TicketRequest) -> tuple[Ticket, Intake | None]:
    """Store the ticket ``request`` asks for, then try it within the budget; the intake
    is None when the request's submission token was used before (the ticket is the one
    it made then, untouched).

    Whether only to queue it is decided in the transaction that stores the ticket, so
    taking a ticket in costs one transaction when it is only queued."""
    queue_only: list[bool] = []

    def look_at_queue(ticket: Ticket) -> None:
        # No budget to try it in, or the tracker struggles: the worker delivers it.
        queue_only.append(
            budget() == 0 or ticket.connector_id is None or tracker_struggling(ticket)
        )

    ticket, is_new = tickets.create_ticket(actor, request, before_commit=look_at_queue)
    if not is_new:
        return ticket, None
    if queue_only[0]:
        return ticket, Intake(ticket, QUEUED)
    return ticket, _try_within_budget(ticket, actor)


def _try_within_budget(ticket: Ticket, actor: User | None) -> Intake:
    """Try ``ticket`` (just stored) on its tracker for at most the budget."""
    ticket_id = ticket.id
    if not _slots.take(int(current_app.config["TICKET_INTAKE_CONCURRENCY"])):
        return Intake(ticket, QUEUED)  # this process already waits on enough trackers
    claimed = delivery.claim(ticket_id)
    if claimed is None:  # a worker was quicker
        _slots.give_back()
        return Intake(db.session.get(Ticket, ticket_id), QUEUED)
    done = threading.Event()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    actor_id = actor.id if actor is not None else None
    _slots.run(_deliver, app, claimed, actor_id, done)
    finished = done.wait(budget())
    db.session.expire_all()
    ticket = db.session.get(Ticket, ticket_id)
    return Intake(ticket, DELIVERED if finished else SLOW)


def _deliver(app, claimed: delivery.Claim, actor_id: int | None, done: threading.Event) -> None:
    with app.app_context():
        try:
            actor = db.session.get(User, actor_id) if actor_id is not None else None
            with delivery.LeaseKeeper([claimed]):
                delivery.deliver_claimed(claimed, actor)
        except Exception:
            db.session.rollback()
            logger.exception("Delivering ticket %s for its request failed", claimed.row_id)
        finally:
            db.session.remove()
            done.set()
