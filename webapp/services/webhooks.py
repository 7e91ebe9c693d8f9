"""Inbound webhooks: a connector's hook URL and secret, and what an event does.

A tracker POSTs to ``/hooks/<hook id>``; ``receive`` checks it (known hook, enabled
connector, a tracker that pushes, the signature over the raw body), stores the event
once per delivery id, then processes it inline: it is database work only (the snapshot
is in the payload), so the tracker gets its answer fast.  What the event did is kept
with it (processed / ignored and why / failed and why) for the connector page.

The secret is write-only: generated here, encrypted at rest, handed out once by
``rotate_secret`` and never shown again (not on pages, in the API, logs or audit).
"""

from __future__ import annotations

import json
import logging
import re
import secrets as random
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.log_redaction import MASK, redact
from webapp.models import Connector, ConnectorWebhook, WebhookEvent
from webapp.models.base import utcnow
from webapp.models.webhook import FAILED, IGNORED, PROCESSED
from webapp.observability.metrics import record_webhook_event
from webapp.outbound.scrub import scrub, shorten
from webapp.services import audit, triage
from webapp.services.errors import ServiceError
from webapp.services.permissions import require_admin
from webapp.services.rate_limits import webhook_blocked
from webapp.services.secrets import SecretsUnreadable, decrypt_secrets, encrypt_secrets
from webapp.services.systems import get_system, registry
from webapp.services.ticket_mirror import MirrorChange, apply_snapshot, ticket_for_issue
from webapp.trackers.system import System
from webapp.trackers.tickets import IssueSnapshot
from webapp.trackers.webhooks import ISSUE, InboundEvent, Webhooks, WebhookSetup

logger = logging.getLogger(__name__)

SECRET_NAME = "webhook_secret"  # noqa: S105  (the key in the encrypted object, not a value)
HOOK_PATH = "/hooks/"
#: Events listed on the connector page; the rest are on the events page.
RECENT_EVENTS = 20
#: Keys whose values are masked in stored payloads, whatever they hold.
_TOKENISH_KEY = re.compile(
    r"token|secret|passw|authori[sz]ation|api[_-]?key|signature|credential|cookie|session",
    re.IGNORECASE,
)
FOREIGN_ISSUE = "not a ticket from this dashboard"
#: Pruning runs at most this often per process (the worker loop calls it every pass).
PRUNE_EVERY = 3600.0


class NoWebhooks(ServiceError):
    """The connector's tracker pushes no events (Request Tracker): only polling applies."""

    def __init__(self, system_name: str) -> None:
        super().__init__(
            f"{system_name} sends no webhooks: its tickets are kept in step by polling.",
            field="webhook",
        )


# ---- the hook and its secret ---------------------------------------------------


@dataclass(frozen=True)
class WebhookStatus:
    """What pages, the API and the CLI say about a connector's hook (never the secret)."""

    supported: bool
    url: str | None
    configured: bool
    last_received_at: datetime | None
    events_received: int
    rejected: int
    setup: WebhookSetup | None
    tracker: str

    def to_dict(self) -> dict[str, Any]:
        """The API's ``webhook`` object."""
        return {
            "url": self.url,
            "configured": self.configured,
            "last_received_at": self.last_received_at.isoformat()
            if self.last_received_at
            else None,
            "events_received": self.events_received,
        }


def webhooks_of(system: System) -> Webhooks | None:
    return system.webhooks


def hook_url(hook: ConnectorWebhook | None, base_url: str) -> str | None:
    """The absolute URL trackers post to; ``base_url`` is how they reach this dashboard."""
    if hook is None:
        return None
    return base_url.rstrip("/") + HOOK_PATH + hook.hook_id


def webhook_status(connector: Connector, base_url: str) -> WebhookStatus:
    system = registry().get(connector.system_id) if connector.system_id in registry() else None
    hook = connector.webhook
    declaration = system.webhooks if system is not None else None
    return WebhookStatus(
        supported=declaration is not None,
        url=hook_url(hook, base_url),
        configured=bool(hook and hook.configured),
        last_received_at=hook.last_received_at if hook else None,
        events_received=hook.events_received if hook else 0,
        rejected=hook.rejected if hook else 0,
        setup=declaration.setup if declaration is not None else None,
        tracker=system.short_name if system is not None else connector.system_id,
    )


def new_hook_id() -> str:
    """32 url-safe random characters (192 bits): guessing one is hopeless."""
    return random.token_urlsafe(24)


def rotate_secret(actor, connector: Connector) -> tuple[ConnectorWebhook, str]:
    """Generate (first time) or replace the hook's secret; return it, the only time it is
    shown.  The old secret stops working at once; the URL stays the same."""
    require_admin(actor)
    system = get_system(connector.system_id)
    if system.webhooks is None:
        raise NoWebhooks(system.name)
    hook = connector.webhook
    first = hook is None or not hook.configured
    if hook is None:
        hook = ConnectorWebhook(connector=connector, hook_id=new_hook_id())
        db.session.add(hook)
    secret = random.token_urlsafe(32)
    hook.secret_ciphertext = encrypt_secrets({SECRET_NAME: secret})
    hook.secret_set_at = utcnow()
    audit.record(
        "connector.webhook_secret", actor, connector, change="generated" if first else "rotated"
    )
    db.session.commit()
    return hook, secret


# ---- receiving an event -----------------------------------------------------------


@dataclass(frozen=True)
class Receipt:
    """The answer to the tracker: an HTTP status and a small JSON body."""

    status: int
    body: dict[str, Any]
    retry_after: int | None = None


def _refusal(status: int, message: str, **extra: Any) -> Receipt:
    return Receipt(status, {"detail": message, **extra})


def receive(hook_id: str, headers: Mapping[str, str], body: bytes) -> Receipt:
    """Check, store and process one POST to ``/hooks/<hook_id>``; see the module docs."""
    blocked = webhook_blocked(hook_id)
    if blocked is not None:
        return Receipt(429, {"detail": blocked.message}, blocked.retry_after)
    hook = db.session.scalar(select(ConnectorWebhook).where(ConnectorWebhook.hook_id == hook_id))
    if hook is None:
        return _refusal(404, "No webhook has this address.")
    connector = hook.connector
    system = registry().get(connector.system_id) if connector.system_id in registry() else None
    if system is None or system.webhooks is None:
        name = system.name if system is not None else connector.system_id
        return _refusal(409, NoWebhooks(name).message)
    if connector.disabled:
        return _refusal(409, "This connector is disabled: events are not taken.")
    if not _verified(hook, system.webhooks, headers, body):
        _count_rejected(hook)
        record_webhook_event(system.id, "rejected")
        return _refusal(
            401, f"The signature is missing or wrong ({system.webhooks.signature_header})."
        )
    delivery_id = system.webhooks.delivery_id(headers, body)
    if _seen(connector.id, delivery_id):
        record_webhook_event(system.id, "duplicate")
        return Receipt(200, {"status": "duplicate", "delivery_id": delivery_id})
    try:
        payload: Any = json.loads(body)
    except ValueError:
        payload = None
    event = _store(connector, hook, delivery_id, payload, body)
    if event is None:  # the same delivery, stored by a request racing this one
        record_webhook_event(system.id, "duplicate")
        return Receipt(200, {"status": "duplicate", "delivery_id": delivery_id})
    if payload is None:
        _finish(event.id, FAILED, "the body is not JSON")
        record_webhook_event(system.id, FAILED)
        return _refusal(400, "The body is not JSON.", event=event.id)
    outcome, reason = _process_safely(connector, system, event, headers, payload)
    record_webhook_event(system.id, outcome)
    return Receipt(200, {"status": outcome, "reason": reason, "event": event.id})


def _verified(hook: ConnectorWebhook, declaration: Webhooks, headers, body: bytes) -> bool:
    if not hook.configured:
        return False
    try:
        secret = decrypt_secrets(hook.secret_ciphertext).get(SECRET_NAME, "")
    except SecretsUnreadable:
        logger.warning("Webhook secret of connector %s cannot be decrypted", hook.connector_id)
        return False
    return declaration.verify(secret, body, headers)


def _count_rejected(hook: ConnectorWebhook) -> None:
    db.session.execute(
        update(ConnectorWebhook)
        .where(ConnectorWebhook.connector_id == hook.connector_id)
        .values(rejected=ConnectorWebhook.rejected + 1, last_rejected_at=utcnow())
    )
    db.session.commit()


def _seen(connector_id: int, delivery_id: str) -> bool:
    return (
        db.session.scalar(
            select(WebhookEvent.id).where(
                WebhookEvent.connector_id == connector_id, WebhookEvent.delivery_id == delivery_id
            )
        )
        is not None
    )


def _store(connector, hook, delivery_id: str, payload: Any, body: bytes) -> WebhookEvent | None:
    """Insert the event and count it, in one commit; None if the delivery id is taken."""
    kept, truncated = stored_payload(payload, hook)
    now = utcnow()
    event = WebhookEvent(
        connector_id=connector.id,
        delivery_id=delivery_id,
        received_at=now,
        outcome="received",
        payload=kept,
        payload_truncated=truncated,
        size=len(body),
    )
    db.session.add(event)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return None
    db.session.execute(
        update(ConnectorWebhook)
        .where(ConnectorWebhook.connector_id == connector.id)
        .values(events_received=ConnectorWebhook.events_received + 1, last_received_at=now)
    )
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    return event


def _process_safely(connector, system, event, headers, payload) -> tuple[str, str]:
    event_id = event.id
    try:
        outcome, reason = process_event(connector, system.webhooks, event, headers, payload)
        event.outcome, event.reason = outcome, shorten(reason, 500)
        db.session.commit()
        return outcome, reason
    except Exception as error:  # a bad payload or our bug: recorded, not a 500 to the tracker
        db.session.rollback()
        logger.exception("Webhook event %s of connector %s failed", event_id, connector.id)
        reason = f"could not be processed ({type(error).__name__})"
        _finish(event_id, FAILED, reason)
        return FAILED, reason


def _finish(event_id: int, outcome: str, reason: str) -> None:
    db.session.execute(
        update(WebhookEvent)
        .where(WebhookEvent.id == event_id)
        .values(outcome=outcome, reason=shorten(reason, 500))
    )
    db.session.commit()


def process_event(
    connector: Connector, declaration: Webhooks, event: WebhookEvent, headers, payload: Any
) -> tuple[str, str]:
    """Apply one stored event to the ticket it concerns; return (outcome, reason).

    Nothing is committed here: the caller records the outcome in the same transaction.
    """
    parsed = declaration.parse(headers, payload)
    event.name = parsed.name[:100]
    snapshot = parsed.snapshot
    if parsed.kind is None or snapshot is None:
        return IGNORED, parsed.reason or "this event is not used"
    event.issue_key = snapshot.key[:100]
    ticket = ticket_for_issue(connector.id, snapshot.key)
    if ticket is not None and not _same_target(connector, ticket, parsed):
        ticket = None
    if ticket is None:
        return on_foreign_issue(connector, parsed.kind, snapshot)
    event.ticket_id = ticket.id
    changes = apply_snapshot(ticket, snapshot, via="webhook")
    return PROCESSED, describe_changes(changes) or "no change: the ticket already knew"


def on_foreign_issue(connector: Connector, kind: str, snapshot: IssueSnapshot) -> tuple[str, str]:
    """An event about an issue that no ticket of this connector created: where issues
    that reach the tracker another way (Service Desk e-mails) are triaged by the
    ``[Category]`` in their title, if the connector triages. Triage is idempotent (an
    issue with the label is left alone), so every issue event may ask."""
    if kind != ISSUE or not snapshot.title:
        return IGNORED, FOREIGN_ISSUE
    outcome = triage.triage_from_event(connector, snapshot)
    if outcome is None:
        return IGNORED, FOREIGN_ISSUE
    if outcome.status == triage.LABELLED:
        return PROCESSED, f"triaged: labelled {', '.join(outcome.labels)}"
    if outcome.status == triage.FAILED:
        return FAILED, f"triage failed: {outcome.message}"
    return IGNORED, f"{FOREIGN_ISSUE}; triage: {outcome.status}"


def _same_target(connector: Connector, ticket, parsed: InboundEvent) -> bool:
    """Whether the event's project / repository is the ticket's (issue numbers repeat
    across projects, and one hook may be installed in several)."""
    system = get_system(connector.system_id)
    expected = ticket.target or (
        (connector.params or {}).get(system.target_field) if system.target_field else None
    )
    if not expected or not parsed.targets:
        return True
    return str(expected).strip().casefold() in {t.casefold() for t in parsed.targets}


def describe_changes(changes: list[MirrorChange]) -> str:
    """ "closed by jane; comment by bob; labels +bug" for the events list."""
    parts = []
    for change in changes:
        who = f" by {change.actor}" if change.actor else ""
        if change.kind in ("labels", "assignees"):
            moved = [f"+{n}" for n in change.details.get("added", [])]
            moved += [f"-{n}" for n in change.details.get("removed", [])]
            parts.append(f"{change.kind} {' '.join(moved)}{who}")
        elif change.kind == "commented":
            parts.append(f"comment{who}")
        else:
            parts.append(f"{change.kind}{who}")
    return "; ".join(parts)


# ---- stored payloads, listing and pruning ------------------------------------------


def stored_payload(payload: Any, hook: ConnectorWebhook) -> tuple[Any, bool]:
    """The payload as kept: token-like values masked, cut to WEBHOOK_PAYLOAD_KEPT."""
    if payload is None:
        return None, False
    try:
        secret = decrypt_secrets(hook.secret_ciphertext).get(SECRET_NAME, "")
    except SecretsUnreadable:
        secret = ""
    cleaned = scrub_payload(payload, [secret] if secret else [])
    text = json.dumps(cleaned, ensure_ascii=False)
    limit = int(current_app.config["WEBHOOK_PAYLOAD_KEPT"])
    if len(text) <= limit:
        return cleaned, False
    return {"excerpt": text[:limit]}, True


def scrub_payload(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, dict):
        return {
            str(key): MASK
            if _TOKENISH_KEY.search(str(key)) and value[key] not in (None, "", False)
            else scrub_payload(value[key], secrets)
            for key in value
        }
    if isinstance(value, list):
        return [scrub_payload(item, secrets) for item in value]
    if isinstance(value, str):
        return scrub(redact(value), secrets)
    return value


def events_query(connector: Connector):
    return (
        select(WebhookEvent)
        .where(WebhookEvent.connector_id == connector.id)
        .order_by(WebhookEvent.received_at.desc(), WebhookEvent.id.desc())
    )


def recent_events(connector: Connector, limit: int = RECENT_EVENTS) -> list[WebhookEvent]:
    return list(db.session.scalars(events_query(connector).limit(limit)))


def prune_events(now: datetime | None = None) -> int:
    """Delete events older than WEBHOOK_RETENTION_DAYS; return how many went."""
    days = int(current_app.config["WEBHOOK_RETENTION_DAYS"])
    cutoff = (now or utcnow()) - timedelta(days=days)
    result = db.session.execute(delete(WebhookEvent).where(WebhookEvent.received_at < cutoff))
    db.session.commit()
    return result.rowcount or 0


@dataclass
class _PruneClock:
    last: float = field(default=-PRUNE_EVERY)
    lock: threading.Lock = field(default_factory=threading.Lock)


_prune_clock = _PruneClock()


def prune_now_and_then() -> int:
    """``prune_events`` at most once per PRUNE_EVERY seconds in this process (the
    delivery worker calls it every pass)."""
    with _prune_clock.lock:
        now = time.monotonic()
        if now - _prune_clock.last < PRUNE_EVERY:
            return 0
        _prune_clock.last = now
    return prune_events()
