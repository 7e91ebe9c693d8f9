"""Notifications are stored with the change they announce and sent by the worker through
Apprise: once, even while the receiver flaps (500, then 429 with Retry-After, then 200)."""

from __future__ import annotations

import ipaddress
import logging
import threading
import time
from datetime import timedelta

import pytest
import responses

from tests.factories import make_connector
from tests.fakes.chat_receiver import Answer, ChatReceiver
from webapp.extensions import db
from webapp.models import Notification
from webapp.models.base import utcnow
from webapp.models.notification import FAILED, PENDING, SENDING, SENT, UNCERTAIN
from webapp.services import notification_delivery, notifications
from webapp.services.notification_channels import ChannelChanges, create_channel
from webapp.services.notification_delivery import claim_due, deliver_claimed, deliver_due


@pytest.fixture
def connector(app):
    return make_connector("gitlab")


def channel_for(url: str, events=(notifications.TICKET_CREATED,), **changes):
    return create_channel(
        None,
        ChannelChanges(
            name=changes.pop("name", "Team chat"), url=url, events=list(events), **changes
        ),
    )


def announce(connector, key: str = "ticket:1") -> int:
    stored = notifications.notify(
        notifications.TICKET_CREATED,
        connector=connector,
        title="New ticket #1: Broken screen",
        body="Raised through GitLab.",
        dedupe_key=key,
    )
    db.session.commit()
    return stored


def make_due(notification_id: int) -> None:
    row = db.session.get(Notification, notification_id)
    row.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()


def only_notification() -> Notification:
    (row,) = db.session.scalars(db.select(Notification)).all()
    db.session.refresh(row)
    return row


def test_notify_stores_without_sending(app, connector):
    with ChatReceiver() as receiver:
        channel_for(receiver.json_url())
        assert announce(connector) == 1
        assert only_notification().status == PENDING
        assert receiver.received == []


def test_same_dedupe_key_is_stored_once(app, connector):
    channel_for("json://127.0.0.1:9/hook")
    assert announce(connector, "ticket:7") == 1
    assert announce(connector, "ticket:7") == 0
    assert db.session.query(Notification).count() == 1


def test_flapping_receiver_gets_the_notification_exactly_once(app, connector):
    script = [Answer(500), Answer(429, {"Retry-After": "120"}), Answer(200)]
    with ChatReceiver(script) as receiver:
        channel_for(receiver.json_url())
        announce(connector)

        deliver_due()
        row = only_notification()
        assert (row.status, row.http_status, row.attempts) == (FAILED, 500, 1)
        assert "500" in row.last_error
        assert row.next_attempt_at > utcnow()
        assert deliver_due() == []  # not due yet: nothing sent meanwhile

        make_due(row.id)
        before = utcnow()
        deliver_due()
        row = only_notification()
        assert (row.status, row.http_status, row.attempts) == (FAILED, 429, 2)
        # Retry-After: 120 beats the 60 s backoff of a second failure.
        assert row.next_attempt_at >= before + timedelta(seconds=120)

        make_due(row.id)
        deliver_due()
        row = only_notification()
        assert (row.status, row.http_status, row.attempts) == (SENT, 200, 3)

        make_due(row.id)  # even if it looked due again, a sent row is never claimed
        assert deliver_due() == []
        assert [r.answered for r in receiver.received] == [500, 429, 200]
        assert len(receiver.delivered) == 1
        assert receiver.delivered[0].json()["title"] == "New ticket #1: Broken screen"


def test_gone_webhook_fails_for_good(app, connector):
    with ChatReceiver([Answer(404)]) as receiver:
        channel_for(receiver.json_url())
        announce(connector)
        deliver_due()
        row = only_notification()
        assert (row.status, row.http_status, row.next_attempt_at) == (FAILED, 404, None)


def test_denied_network_is_refused_before_anything_leaves(app, connector):
    channel_for("json://169.254.169.254/latest")
    announce(connector)
    deliver_due()
    row = only_notification()
    assert row.status == FAILED and row.next_attempt_at is None
    assert "denied network" in row.last_error


def test_claim_abandoned_before_sending_is_sent_by_the_next_worker(app, connector):
    with ChatReceiver() as receiver:
        channel_for(receiver.json_url())
        announce(connector)
        (stale,) = claim_due(5)
        row = only_notification()
        row.claimed_until = utcnow() - timedelta(seconds=1)  # that worker died
        db.session.commit()
        (fresh,) = claim_due(5)
        assert fresh.number == stale.number + 1
        assert deliver_claimed(stale) is False  # superseded: records and sends nothing
        assert deliver_claimed(fresh) is True
        assert only_notification().status == SENT
        assert len(receiver.received) == 1


def test_claim_abandoned_while_the_request_was_out_is_not_resent(app, connector):
    with ChatReceiver() as receiver:
        channel_for(receiver.json_url())
        announce(connector)
        claim_due(5)
        row = only_notification()
        # The worker marked it in flight, then died before it recorded the answer.
        row.sending_since = utcnow() - timedelta(seconds=5)
        row.claimed_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
        assert claim_due(5) == []
        row = only_notification()
        assert row.status == UNCERTAIN
        assert "may have arrived" in row.last_error
        assert receiver.received == []


def test_disabled_channel_waits(app, connector):
    with ChatReceiver() as receiver:
        channel = channel_for(receiver.json_url(), enabled=False)
        channel.enabled = True
        db.session.commit()
        announce(connector)
        channel.enabled = False
        db.session.commit()
        assert deliver_due() == []
        assert only_notification().status == PENDING


@responses.activate
def test_discord_url_is_delivered_through_apprise_discord_plugin(app, connector, monkeypatch):
    # Offline: discord.com "resolves" to a public address, so the deny-list lets it pass.
    public = [ipaddress.ip_address("162.159.128.233")]
    monkeypatch.setattr("webapp.outbound.network.resolve", lambda host, port: public)
    hook = "https://discord.com/api/webhooks/4242424242/discord-token-value"
    responses.add(responses.POST, hook, status=500)
    responses.add(responses.POST, hook, status=204)
    channel_for("discord://4242424242/discord-token-value")
    announce(connector)
    deliver_due()
    assert only_notification().status == FAILED
    make_due(only_notification().id)
    deliver_due()
    assert only_notification().status == SENT
    sent = [call for call in responses.calls if call.response.status_code == 204]
    assert len(sent) == 1
    assert "Broken screen" in str(sent[0].request.body)


def test_apprise_logs_never_show_the_url(app, connector, caplog):
    caplog.set_level(logging.DEBUG)
    with ChatReceiver([Answer(500)]) as receiver:
        channel_for(receiver.json_url("hook/very-secret-path-token"))
        announce(connector)
        deliver_due()
    assert "very-secret-path-token" not in caplog.text
    assert "very-secret-path-token" not in (only_notification().last_error or "")


def test_a_sending_row_is_not_claimed_twice(app, connector):
    channel_for("json://127.0.0.1:9/hook")
    announce(connector)
    assert len(claim_due(5)) == 1
    assert claim_due(5) == []
    assert only_notification().status == SENDING


def test_retryable_outcomes():
    from webapp.outbound.apprise_send import SendResult

    assert notification_delivery.retryable(SendResult(False, 503))
    assert notification_delivery.retryable(SendResult(False, 429))
    assert notification_delivery.retryable(SendResult(False, None))
    assert not notification_delivery.retryable(SendResult(False, 401))
    assert not notification_delivery.retryable(SendResult(False, None, refused=True))


def test_cli_delivers_notifications(app, runner, connector):
    with ChatReceiver() as receiver:
        channel_for(receiver.json_url())
        announce(connector)
        result = runner.invoke(args=["notifications", "deliver"])
        assert result.exit_code == 0, result.output
        assert "notification 1: sent" in result.output.replace(
            f"notification {only_notification().id}", "notification 1"
        )
        assert len(receiver.delivered) == 1


def test_ticket_worker_sends_notifications_too(app, runner, connector):
    with ChatReceiver() as receiver:
        channel_for(receiver.json_url())
        announce(connector)
        result = runner.invoke(args=["tickets", "deliver"])
        assert result.exit_code == 0, result.output
        assert only_notification().status == SENT
        assert len(receiver.delivered) == 1


def test_metrics_count_notifications_by_status(app, client, connector):
    channel_for("json://127.0.0.1:9/hook")
    announce(connector)
    text = client.get("/metrics").get_data(as_text=True)
    assert 'connector_desk_notifications{status="pending"} 1.0' in text
    assert 'connector_desk_notifications{status="sent"} 0.0' in text


def test_a_worker_keeps_its_claims_while_a_slow_receiver_answers(app, connector):
    """A second worker trying all along takes nothing from a live one: each of three
    notifications reaches the receiver once, though the batch outlasts the lease twice."""
    app.config["DELIVERY_LEASE_SECONDS"] = 0.6
    app.config["DELIVERY_BATCH_SIZE"] = 3
    with ChatReceiver(delay=0.5) as receiver:
        channel_for(receiver.json_url())
        for number in range(3):
            announce(connector, f"ticket:{number}")
        handled: list[int] = []

        def worker() -> None:
            with app.app_context():
                handled.extend(n.id for n in deliver_due())
                db.session.remove()

        thread = threading.Thread(target=worker)
        thread.start()
        stolen = []
        while thread.is_alive():
            time.sleep(0.2)
            stolen += claim_due(5)
            db.session.remove()
        thread.join()
        assert stolen == []
        assert len(handled) == 3
        assert len(receiver.received) == 3
        statuses = {n.status for n in db.session.scalars(db.select(Notification))}
        assert statuses == {SENT}
