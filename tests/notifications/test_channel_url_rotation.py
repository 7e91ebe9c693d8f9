"""`flask secrets rotate` re-encrypts channel URLs too, so the old key can be removed."""

from __future__ import annotations

from cryptography.fernet import Fernet

from webapp.extensions import db
from webapp.services.notification_channels import (
    ChannelChanges,
    channel_url,
    create_channel,
    url_readable,
)

URL = "discord://4242424242/Rotated-Token-Value"


def test_rotate_moves_channel_urls_to_the_new_key(app, runner):
    channel = create_channel(None, ChannelChanges(name="Room", url=URL, events=["issue.closed"]))
    old = app.config["CONNECTOR_SECRETS_KEY"]
    new = Fernet.generate_key().decode()
    app.config["CONNECTOR_SECRETS_KEY"] = f"{new},{old}"
    result = runner.invoke(args=["secrets", "rotate"])
    assert result.exit_code == 0, result.output
    assert "URLs of 1 notification channel(s)" in result.output
    app.config["CONNECTOR_SECRETS_KEY"] = new
    db.session.expire_all()
    assert channel_url(channel) == URL


def test_a_channel_no_key_reads_is_reported(app, runner):
    channel = create_channel(None, ChannelChanges(name="Room", url=URL, events=["issue.closed"]))
    app.config["CONNECTOR_SECRETS_KEY"] = Fernet.generate_key().decode()
    result = runner.invoke(args=["secrets", "rotate"])
    assert result.exit_code == 1
    assert f"notification channel {channel.id} (Room)" in result.output
    assert not url_readable(channel)
