"""A notification channel's Apprise URL holds its credentials: it appears on no page, in
no API answer, audit entry, log line, notification error, nor in plaintext in the database,
even after the receiver failed and Apprise logged about it."""

from __future__ import annotations

import logging

from sqlalchemy import text

from tests.factories import make_connector, make_user
from tests.fakes.chat_receiver import Answer, ChatReceiver
from webapp.extensions import db
from webapp.models import AuditEntry
from webapp.services import notifications
from webapp.services.notification_delivery import deliver_due
from webapp.services.tokens import create_token

TOKEN = "Leak-Check-Webhook-Token-5150"


def test_channel_url_never_leaves_the_app(app, client, auth, caplog):
    caplog.set_level(logging.DEBUG)
    admin = make_user(role="admin")
    key = create_token(None, admin, "leak check")[1]
    api = {"Authorization": f"Token {key}"}
    connector = make_connector("gitlab")
    seen = []
    with ChatReceiver([Answer(500), Answer(401)]) as receiver:
        url = receiver.json_url(f"hook/{TOKEN}")
        response = client.post(
            "/api/v2/notification-channels/",
            json={"name": "Leak room", "url": url, "events": [notifications.TICKET_CREATED]},
            headers=api,
        )
        channel_id = response.get_json()["id"]
        seen.append(response.get_data(as_text=True))
        bad = client.patch(
            f"/api/v2/notification-channels/{channel_id}/",
            json={"url": f"discord://{TOKEN}"},
            headers=api,
        )
        seen.append(bad.get_data(as_text=True))
        notifications.notify(
            notifications.TICKET_CREATED, connector=connector, title="t", body="b", dedupe_key="1"
        )
        db.session.commit()
        deliver_due()
        client.post(f"/api/v2/notification-channels/{channel_id}/test/", headers=api)
        seen.append(
            client.get(
                f"/api/v2/notification-channels/{channel_id}/notifications/", headers=api
            ).get_data(as_text=True)
        )
        assert len(receiver.received) == 1  # it did reach the receiver, with the token
    auth.login(admin.email)
    for page in (
        "/notifications",
        f"/notifications/{channel_id}",
        f"/notifications/{channel_id}/edit",
        f"/notifications/{channel_id}/delete",
        "/audit",
        "/audit.csv",
    ):
        seen.append(client.get(page).get_data(as_text=True))
    seen.append(caplog.text)
    seen.extend(str(e.details) for e in db.session.scalars(db.select(AuditEntry)))
    for table in ("notification_channels", "notifications", "audit_entries"):
        rows = db.session.execute(text(f"SELECT * FROM {table}")).all()  # noqa: S608
        seen.append(repr(rows))
    leaked = [i for i, output in enumerate(seen) if TOKEN in output]
    assert leaked == []
