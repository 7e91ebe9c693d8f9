"""The notification channel pages: the URL is write-only (never on a page, kept when the
edit form leaves it blank), a bad URL is a message beside the field, deleting asks first,
and "Send test notification" queues one without waiting on the chat service."""

from __future__ import annotations

from tests.factories import make_connector, make_user
from webapp.extensions import db
from webapp.models import AuditEntry, Notification, NotificationChannel
from webapp.services.notification_channels import ChannelChanges, channel_url, create_channel
from webapp.services.notifications import HEALTH_FAILING, TEST, TICKET_CREATED

SECRET_URL = "discord://4242424242/Page-Secret-Webhook-Token-123"


def form(**changes) -> dict:
    data = {
        "name": "Support room",
        "url": SECRET_URL,
        "events": [TICKET_CREATED, HEALTH_FAILING],
        "connectors": "all",
        "enabled": "y",
    }
    data.update(changes)
    return data


def the_channel() -> NotificationChannel:
    return db.session.scalar(db.select(NotificationChannel))


def test_create_then_pages_show_only_the_scheme(admin_client):
    response = admin_client.submit("/notifications/new", form())
    assert response.status_code == 302
    channel = the_channel()
    assert channel_url(channel) == SECRET_URL
    assert channel.events == [TICKET_CREATED, HEALTH_FAILING]
    for page in (
        "/notifications",
        f"/notifications/{channel.id}",
        f"/notifications/{channel.id}/edit",
    ):
        html = admin_client.get(page).get_data(as_text=True)
        assert "Page-Secret-Webhook-Token-123" not in html
        assert "4242424242" not in html
        assert "discord://****" in html


def test_url_is_encrypted_at_rest(admin_client):
    admin_client.submit("/notifications/new", form())
    raw = db.session.execute(db.text("SELECT url_ciphertext FROM notification_channels")).scalar()
    assert "Page-Secret" not in raw and "discord" not in raw


def test_edit_keeps_stored_url_when_field_left_blank(admin_client):
    admin_client.submit("/notifications/new", form())
    channel = the_channel()
    response = admin_client.submit(
        f"/notifications/{channel.id}/edit", form(name="Renamed room", url="")
    )
    assert response.status_code == 302
    db.session.refresh(channel)
    assert channel.name == "Renamed room"
    assert channel_url(channel) == SECRET_URL


def test_unknown_scheme_is_a_message_beside_the_url_field(admin_client):
    response = admin_client.submit("/notifications/new", form(url="gopher://example.com/x"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "does not know the scheme “gopher://”" in html
    assert the_channel() is None


def test_malformed_url_does_not_echo_the_url(admin_client):
    response = admin_client.submit("/notifications/new", form(url="discord://only-an-id-Xyz987"))
    html = response.get_data(as_text=True)
    assert "incomplete or malformed" in html
    assert "only-an-id-Xyz987" not in html  # not even back in the password field


def test_chosen_connectors_must_not_be_empty(admin_client):
    response = admin_client.submit("/notifications/new", form(connectors="chosen"))
    assert "Choose at least one connector" in response.get_data(as_text=True)


def test_chosen_connectors_come_from_the_picker(admin_client):
    chosen = make_connector("gitlab", name="Chosen GitLab")
    make_connector("gitlab", name="Other GitLab")
    response = admin_client.submit(
        "/notifications/new", form(connectors="chosen", connector_ids=["", str(chosen.id)])
    )
    assert response.status_code == 302
    channel = the_channel()
    assert (channel.all_connectors, [c.name for c in channel.connectors]) == (
        False,
        ["Chosen GitLab"],
    )


def test_picker_search_without_javascript_keeps_the_form(admin_client):
    make_connector("gitlab", name="Alpha desk")
    make_connector("gitlab", name="Beta desk")
    response = admin_client.submit(
        "/notifications/new",
        form(name="Kept name", connector_q="Beta", search_connectors="1"),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and the_channel() is None
    assert "Beta desk" in html and "Alpha desk" not in html
    assert 'value="Kept name"' in html


def test_choices_fragment_offers_an_add_blank(admin_client):
    make_connector("gitlab", name="Gamma desk")
    html = admin_client.get("/connectors/choices?connector_q=gamma&add=1").get_data(as_text=True)
    assert "— add a connector —" in html and "Gamma desk" in html


def test_delete_asks_first_then_deletes(admin_client):
    admin_client.submit("/notifications/new", form())
    channel = the_channel()
    page = admin_client.get(f"/notifications/{channel.id}/delete").get_data(as_text=True)
    assert "Delete “Support room”?" in page
    assert the_channel() is not None
    response = admin_client.submit(f"/notifications/{channel.id}/delete")
    assert response.status_code == 302 and the_channel() is None


def test_send_test_queues_one_notification_and_shows_it(admin_client):
    admin_client.submit("/notifications/new", form())
    channel = the_channel()
    response = admin_client.submit(f"/notifications/{channel.id}/test", follow_redirects=True)
    html = response.get_data(as_text=True)
    (row,) = db.session.scalars(db.select(Notification)).all()
    assert (row.event, row.status, row.channel_id) == (TEST, "pending", channel.id)
    assert "Test notification queued" in html
    assert 'data-testid="notification-row"' in html


def test_channel_changes_are_audited_without_the_url(admin_client):
    admin_client.submit("/notifications/new", form())
    channel = the_channel()
    admin_client.submit(f"/notifications/{channel.id}/edit", form(url=SECRET_URL + "x"))
    admin_client.submit(f"/notifications/{channel.id}/test")
    admin_client.submit(f"/notifications/{channel.id}/delete")
    entries = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id)).all()
    actions = [e.action for e in entries if e.action.startswith("notification_channel.")]
    assert actions == [
        "notification_channel.create",
        "notification_channel.update",
        "notification_channel.test",
        "notification_channel.delete",
    ]
    update = next(e for e in entries if e.action == "notification_channel.update")
    assert update.details["changed"] == ["url"]
    assert all("Page-Secret" not in str(e.details) for e in entries)


def test_viewers_get_403(client, auth):
    viewer = make_user(role="viewer")
    create_channel(None, ChannelChanges(name="X", url=SECRET_URL, events=[TICKET_CREATED]))
    auth.login(viewer.email)
    assert client.get("/notifications").status_code == 403


def test_a_notification_that_failed_for_good_can_be_sent_again(admin_client):
    admin_client.submit("/notifications/new", form())
    channel = the_channel()
    admin_client.submit(f"/notifications/{channel.id}/test")
    row = db.session.scalar(db.select(Notification))
    row.status, row.next_attempt_at = "uncertain", None
    db.session.commit()
    page = admin_client.get(f"/notifications/{channel.id}").get_data(as_text=True)
    assert 'data-testid="resend"' in page
    admin_client.submit(f"/notifications/{channel.id}/notifications/{row.id}/resend")
    db.session.refresh(row)
    assert row.status == "pending" and row.next_attempt_at is not None
    # Pending now: a second click changes nothing.
    response = admin_client.submit(
        f"/notifications/{channel.id}/notifications/{row.id}/resend", follow_redirects=True
    )
    assert "can be sent again" in response.get_data(as_text=True)
    assert (
        admin_client.submit(f"/notifications/{channel.id}/notifications/999/resend").status_code
        == 404
    )
