"""The delivery worker: passes over due tickets, comments and notifications, its
heartbeat, and the embedded worker (which also polls sent tickets' issues: ``ticket_sync``).

`flask tickets deliver --loop` runs the loop as its own process (production); `flask serve`
(what `make run` starts) runs the same loop in a background thread, so a failed ticket is
retried automatically there too. Every pass writes a heartbeat, which lets the pages say
*why* a ticket is overdue instead of showing a next-attempt time in the past.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import delete, select

from webapp.extensions import db
from webapp.models import DeliveryWorker, Notification, Ticket, TicketComment
from webapp.models.base import utcnow
from webapp.models.ticket import FAILED, PENDING, SENDING
from webapp.services import notification_delivery
from webapp.services.comments import deliver_due_comments
from webapp.services.delivery import deliver_due, lease
from webapp.services.ticket_sync import sync_due, sync_enabled
from webapp.services.webhooks import prune_now_and_then

logger = logging.getLogger(__name__)

EMBEDDED, COMMAND = "embedded", "command"
#: Heartbeats of workers gone longer than this are forgotten (while another one beats).
HEARTBEATS_KEPT = timedelta(days=1)

_embedded_lock = threading.Lock()
_embedded: EmbeddedWorker | None = None


def worker_name(kind: str) -> str:
    return f"{kind}@{socket.gethostname()}:{os.getpid()}"[:255]


def beat(kind: str, interval: float, now: datetime | None = None) -> None:
    """Record that this process's worker is alive and polls every ``interval`` seconds."""
    now = now or utcnow()
    name = worker_name(kind)
    worker = db.session.get(DeliveryWorker, name)
    if worker is None:
        worker = DeliveryWorker(name=name, kind=kind, started_at=now)
        db.session.add(worker)
    worker.seen_at, worker.interval_seconds = now, interval
    db.session.execute(
        delete(DeliveryWorker).where(
            DeliveryWorker.seen_at < now - HEARTBEATS_KEPT, DeliveryWorker.name != name
        )
    )
    db.session.commit()


def deliver_all_due(
    kind: str, interval: float, batch: int | None = None
) -> Iterator[Ticket | TicketComment]:
    """One worker pass: claim and deliver batch after batch until nothing is due: tickets,
    then comments typed on the dashboard (their tickets exist by then)."""
    while True:
        beat(kind, interval)
        handled = deliver_due(batch)
        comments = deliver_due_comments(batch)
        if not handled and not comments:
            return
        yield from handled
        yield from comments


def send_all_due_notifications(batch: int | None = None) -> Iterator[Notification]:
    """Send due notifications batch after batch until none is due."""
    while True:
        handled = notification_delivery.deliver_due(batch)
        if not handled:
            return
        yield from handled


def run_worker(
    kind: str,
    interval: float,
    batch: int | None = None,
    *,
    loop: bool = True,
    stop: threading.Event | None = None,
    max_passes: int | None = None,
    report: Callable[[Ticket | TicketComment], None] | None = None,
    tickets: bool = True,
    notifications: bool = True,
    report_notification: Callable[[Notification], None] | None = None,
) -> None:
    """Deliver due tickets and send due notifications (both, by default), then
    (``loop``) wait ``interval`` seconds and do it again."""
    stop = stop or threading.Event()
    passes = 0
    while True:
        if tickets:
            for ticket in deliver_all_due(kind, interval, batch):
                if report is not None:
                    report(ticket)
        else:
            beat(kind, interval)
        if notifications:
            for notification in send_all_due_notifications(batch):
                if report_notification is not None:
                    report_notification(notification)
        prune_now_and_then()  # old webhook events: at most once an hour
        passes += 1
        if not loop or (max_passes is not None and passes >= max_passes):
            return
        if stop.wait(interval):
            return


class EmbeddedWorker:
    """The delivery loop in a daemon thread of the web process (one per process)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.interval = float(app.config["DELIVERY_INTERVAL_SECONDS"])
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="delivery-worker", daemon=True)

    def _run(self) -> None:
        while not self.stopping.is_set():
            with self.app.app_context():
                try:
                    run_worker(EMBEDDED, self.interval, loop=False)
                except Exception:  # a database hiccup must not end the loop for good
                    logger.exception("Delivery pass failed; trying again in %s s", self.interval)
                finally:
                    db.session.remove()
                self._sync()
            self.stopping.wait(self.interval)

    def _sync(self) -> None:
        """Also poll the issues of sent tickets that are due (SYNC_INTERVAL_SECONDS)."""
        if not sync_enabled():
            return
        try:
            sync_due()
        except Exception:  # as above: one bad pass must not end the loop
            logger.exception("Sync pass failed; trying again in %s s", self.interval)
        finally:
            db.session.remove()

    def stop(self, timeout: float = 15.0) -> None:
        """Finish the current delivery, then end the loop."""
        self.stopping.set()
        self.thread.join(timeout)


def start_embedded_worker(app: Flask) -> EmbeddedWorker | None:
    """Start this process's embedded delivery loop unless EMBEDDED_WORKER is off.

    Under TESTING it starts only when the test sets EMBEDDED_WORKER_UNDER_TESTING, so test
    apps never deliver behind a test's back.
    """
    global _embedded
    if not app.config.get("EMBEDDED_WORKER"):
        return None
    if app.testing and not app.config.get("EMBEDDED_WORKER_UNDER_TESTING"):
        return None
    with _embedded_lock:
        if _embedded is None or not _embedded.thread.is_alive():
            _embedded = EmbeddedWorker(app)
            _embedded.thread.start()
        return _embedded


@dataclass(frozen=True)
class WorkerState:
    """What the app knows about delivery workers: the latest heartbeat, and whether any
    worker beat recently enough to count as running."""

    seen_at: datetime | None
    running: bool
    interval: float | None = None


def worker_state(now: datetime | None = None) -> WorkerState:
    now = now or utcnow()
    workers = db.session.scalars(
        select(DeliveryWorker).order_by(DeliveryWorker.seen_at.desc()).limit(20)
    ).all()
    if not workers:
        return WorkerState(None, False)
    # Late once it missed two passes, plus a lease: a pass may deliver a batch meanwhile.
    running = [
        w for w in workers if now - w.seen_at <= timedelta(seconds=2 * w.interval_seconds) + lease()
    ]
    latest = running[0] if running else workers[0]
    return WorkerState(latest.seen_at, bool(running), latest.interval_seconds)


def retry_plan(ticket: Ticket) -> str:
    """How a failed ticket gets its next attempt: "automatic" (a worker runs), "no-worker"
    (it is scheduled, but no worker has run lately) or "manual" (not scheduled)."""
    if ticket.next_attempt_at is None:
        return "manual"
    return "automatic" if worker_state().running else "no-worker"


@dataclass(frozen=True)
class NextAttempt:
    """When a ticket's next automatic attempt is due and, once overdue, why it is late.

    ``reason``: "never" (no worker ever ran), "stopped" (none since ``worker.seen_at``),
    "waiting" (a worker runs; its next pass takes it) or "stalled" (the worker sending it
    stopped; the next pass resumes it).
    """

    at: datetime
    overdue: bool
    reason: str | None
    worker: WorkerState | None


def next_attempt(
    ticket: Ticket, state: Callable[[], WorkerState] = worker_state, now: datetime | None = None
) -> NextAttempt | None:
    """The ticket's next automatic attempt (None: there is none); ``state`` gives the
    workers' state, asked only when the ticket is overdue."""
    now = now or utcnow()
    if ticket.status in (PENDING, FAILED) and ticket.next_attempt_at is not None:
        at = ticket.next_attempt_at
    elif ticket.status == SENDING and ticket.claimed_until is not None:
        at = ticket.claimed_until
    else:
        return None
    if at > now:
        return NextAttempt(at, False, None, None)
    workers = state()
    if not workers.running:
        reason = "stopped" if workers.seen_at else "never"
    else:
        reason = "stalled" if ticket.status == SENDING else "waiting"
    return NextAttempt(at, True, reason, workers)
