"""Sending stored notifications: claimed with a lease, fenced, retried with backoff.

The same rules as ticket delivery (webapp.services.delivery, whose lease, backoff, batch
size and lease keeper this reuses): a worker claims a due row with a conditional UPDATE
and a new claim number, renews the lease while it works, and records the outcome only
while its claim number is still the row's.

Never twice, and where that has a limit: before the request leaves, the row is marked
``sending_since`` (committed). A claim whose lease ran out *before* that mark is simply
claimed again (nothing was sent). One that ran out *after* it (the worker died while the
request was out) may have reached the receiver, and chat services offer no way to ask:
the row becomes ``uncertain`` and is not resent (at most once). What remains is the usual
edge of any HTTP retry: a receiver that took the message but whose answer never came (a
read timeout, a dropped connection) looks like a failure and is retried, so such a
message can arrive twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update

from webapp.extensions import db
from webapp.models import Notification, NotificationChannel
from webapp.models.base import utcnow
from webapp.models.notification import (
    FAILED,
    NOTIFICATION_STATUSES,
    PENDING,
    SENDING,
    SENT,
    UNCERTAIN,
)
from webapp.outbound import apprise_send
from webapp.services.connector_sessions import outbound_settings
from webapp.services.delivery import (
    MAX_AUTOMATIC_ATTEMPTS,
    Claim,
    LeaseKeeper,
    backoff,
    batch_size,
    current,
    lease,
)
from webapp.services.notification_channels import channel_url
from webapp.services.secrets import SecretsUnreadable

logger = logging.getLogger(__name__)

UNCERTAIN_MESSAGE = (
    "The worker sending this stopped before it reported back (its lease ran out); it may "
    "have arrived, so it is not sent again."
)
UNREADABLE_MESSAGE = "The channel's URL cannot be decrypted with the configured keys."
#: Client errors that a later attempt may get past; any other 4xx fails for good.
RETRYABLE_CLIENT_ERRORS = (408, 425, 429)


def _update(condition: tuple, **values) -> int:
    return db.session.execute(
        update(Notification)
        .where(*condition)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount


def _abandoned(now: datetime, in_flight: bool):
    """Rows a worker claimed and never finished; ``in_flight``: after the request left."""
    started = Notification.sending_since.is_not(None)
    return and_(
        Notification.status == SENDING,
        Notification.claimed_until < now,
        started if in_flight else ~started,
    )


def _enabled_channel():
    return Notification.channel_id.in_(
        select(NotificationChannel.id).where(NotificationChannel.enabled.is_(True))
    )


def claim_due(limit: int, now: datetime | None = None) -> list[Claim]:
    """Claim up to ``limit`` due notifications of enabled channels for this worker."""
    now = now or utcnow()
    _update(
        (_abandoned(now, in_flight=True),),
        status=UNCERTAIN,
        last_error=UNCERTAIN_MESSAGE,
        claimed_until=None,
        next_attempt_at=None,
    )
    claimable = or_(
        and_(Notification.status.in_((PENDING, FAILED)), Notification.next_attempt_at <= now),
        _abandoned(now, in_flight=False),
    )
    ids = list(
        db.session.scalars(
            select(Notification.id)
            .where(claimable, _enabled_channel())
            .order_by(Notification.next_attempt_at, Notification.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    claims = []
    for notification_id in ids:
        taken = _update(
            (Notification.id == notification_id, claimable),
            status=SENDING,
            claimed_until=now + lease(),
            claim_number=Notification.claim_number + 1,
            sending_since=None,
        )
        if taken:
            number = db.session.scalar(
                select(Notification.claim_number).where(Notification.id == notification_id)
            )
            claims.append(Claim(notification_id, number, Notification))
    db.session.commit()
    return claims


def deliver_claimed(claimed: Claim) -> bool:
    """Send a claimed notification and record the outcome while the claim is current;
    False (recording nothing) when another worker claimed it since."""
    now = utcnow()
    # The mark that the request is about to leave: committed before it does.
    if not _update(current(claimed), sending_since=now, claimed_until=now + lease()):
        db.session.rollback()
        return _lost(claimed, "before sending")
    db.session.commit()
    notification = db.session.get(Notification, claimed.row_id)
    try:
        url = channel_url(notification.channel)
    except SecretsUnreadable:
        result = apprise_send.SendResult(False, refused=True, message=UNREADABLE_MESSAGE)
    else:
        result = apprise_send.send(url, notification.title, notification.body, outbound_settings())
    try:
        if not _update(current(claimed), claimed_until=utcnow() + lease()):
            db.session.rollback()
            return _lost(claimed, "after the receiver answered")
        db.session.refresh(notification)
        _record(notification, result)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return True


def _lost(claimed: Claim, when: str) -> bool:
    logger.warning(
        "Notification %s: claim %s is no longer current %s; recording nothing",
        claimed.row_id,
        claimed.number,
        when,
    )
    return False


def retryable(result: apprise_send.SendResult) -> bool:
    """Whether a later attempt may succeed: not for a refused address or an unreadable
    URL, nor for a client error such as 404 (the webhook is gone) or 401."""
    if result.refused:
        return False
    status = result.http_status
    return status is None or not (400 <= status < 500) or status in RETRYABLE_CLIENT_ERRORS


def _record(notification: Notification, result: apprise_send.SendResult) -> None:
    now = utcnow()
    notification.attempts += 1
    notification.claimed_until = notification.sending_since = None
    notification.http_status = result.http_status
    if result.ok:
        notification.status, notification.sent_at = SENT, now
        notification.last_error = notification.next_attempt_at = None
        return
    notification.status, notification.last_error = FAILED, result.message[:500]
    again = retryable(result) and notification.attempts < MAX_AUTOMATIC_ATTEMPTS
    if not again:
        notification.next_attempt_at = None
        return
    wait = backoff(notification.attempts)
    if result.retry_after is not None:  # the receiver said when: never sooner
        wait = max(wait, timedelta(seconds=result.retry_after))
    notification.next_attempt_at = now + wait


def deliver_due(limit: int | None = None) -> list[Notification]:
    """One batch: claim up to ``limit`` due notifications and send them."""
    claims = claim_due(limit or batch_size())
    if not claims:
        return []
    handled = []
    with LeaseKeeper(claims) as keeper:
        for claimed in claims:
            recorded = deliver_claimed(claimed)
            keeper.release(claimed)
            if recorded:
                handled.append(db.session.get(Notification, claimed.row_id))
    return handled


def notification_counts() -> dict[str, int]:
    """Stored notifications per status, every status present (for /metrics)."""
    rows = db.session.execute(
        select(Notification.status, func.count()).group_by(Notification.status)
    )
    counts = dict.fromkeys(NOTIFICATION_STATUSES, 0)
    counts.update({status: count for status, count in rows})
    return counts
