"""`flask connectors webhook ID [--rotate]` and `flask connectors prune-events`."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from tests.factories import make_connector
from webapp.extensions import db
from webapp.models import AuditEntry, ConnectorWebhook, WebhookEvent
from webapp.models.base import utcnow


def test_show_then_rotate(app, runner):
    app.config["PUBLIC_BASE_URL"] = "https://desk.example.com"
    connector = make_connector("gitlab")
    shown = runner.invoke(args=["connectors", "webhook", str(connector.id)])
    assert shown.exit_code == 0, shown.output
    assert "Configured:      no" in shown.output and "--rotate" in shown.output
    rotated = runner.invoke(args=["connectors", "webhook", str(connector.id), "--rotate"])
    assert rotated.exit_code == 0, rotated.output
    hook = db.session.get(ConnectorWebhook, connector.id)
    assert f"URL:             https://desk.example.com/hooks/{hook.hook_id}" in rotated.output
    secret = re.search(r"Secret:\s+(\S+)", rotated.output).group(1)
    assert "Configured:      yes" in rotated.output
    again = runner.invoke(args=["connectors", "webhook", str(connector.id)])
    assert secret not in again.output and "Secret:" not in again.output
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action.like("%webhook%"))).one()
    assert entry.actor_id is None and secret not in str(entry.details)


def test_request_tracker_and_unknown_ids_are_refused(app, runner):
    connector = make_connector("rt")
    result = runner.invoke(args=["connectors", "webhook", str(connector.id), "--rotate"])
    assert result.exit_code == 1 and "sends no webhooks" in result.output
    assert runner.invoke(args=["connectors", "webhook", "999"]).exit_code == 2


def test_prune_events(app, runner):
    connector = make_connector("gitlab")
    for days, delivery in ((40, "old"), (1, "new")):
        db.session.add(
            WebhookEvent(
                connector_id=connector.id,
                delivery_id=delivery,
                received_at=utcnow() - timedelta(days=days),
                outcome="processed",
            )
        )
    db.session.commit()
    result = runner.invoke(args=["connectors", "prune-events"])
    assert result.exit_code == 0 and "Deleted 1 webhook event(s)." in result.output
    assert db.session.scalars(select(WebhookEvent.delivery_id)).all() == ["new"]
