"""Only Discord, signing just now with the application's key, gets an answer."""

from __future__ import annotations

import json
import time

from tests.support.discord import (
    INTERACTIONS_URL,
    OTHER_KEY,
    PING,
    interaction,
    post_interaction,
    set_up_discord,
    signed,
)


def test_ping_is_answered_with_pong(app, client):
    set_up_discord()
    response = post_interaction(client, interaction(PING))
    assert response.status_code == 200
    assert response.get_json() == {"type": 1}


def test_a_signature_made_with_another_key_is_refused_with_401(app, client):
    set_up_discord()
    response = post_interaction(client, interaction(PING), key=OTHER_KEY)
    assert response.status_code == 401
    assert response.get_json() == {"error": "The Discord signature is invalid."}


def test_a_body_changed_after_signing_is_refused_with_401(app, client):
    set_up_discord()
    body = json.dumps(interaction(PING)).encode()
    headers = signed(body)
    response = client.post(INTERACTIONS_URL, data=body + b" ", headers=headers)
    assert response.status_code == 401


def test_missing_signature_headers_are_refused_with_401(app, client):
    set_up_discord()
    body = json.dumps(interaction(PING)).encode()
    for dropped in ("X-Signature-Ed25519", "X-Signature-Timestamp"):
        headers = {k: v for k, v in signed(body).items() if k != dropped}
        response = client.post(INTERACTIONS_URL, data=body, headers=headers)
        assert response.status_code == 401, dropped
        assert "missing" in response.get_json()["error"]


def test_a_garbled_signature_is_refused_with_401(app, client):
    set_up_discord()
    body = json.dumps(interaction(PING)).encode()
    headers = {**signed(body), "X-Signature-Ed25519": "not hex"}
    assert client.post(INTERACTIONS_URL, data=body, headers=headers).status_code == 401


def test_a_timestamp_older_than_five_minutes_is_refused_with_401(app, client):
    set_up_discord()
    response = post_interaction(client, interaction(PING), timestamp=int(time.time()) - 301)
    assert response.status_code == 401
    assert "too old" in response.get_json()["error"]


def test_a_timestamp_far_in_the_future_is_refused_with_401(app, client):
    set_up_discord()
    response = post_interaction(client, interaction(PING), timestamp=int(time.time()) + 600)
    assert response.status_code == 401


def test_a_slightly_late_timestamp_is_accepted(app, client):
    set_up_discord()
    response = post_interaction(client, interaction(PING), timestamp=int(time.time()) - 60)
    assert response.status_code == 200


def test_before_discord_is_set_up_every_interaction_is_refused_with_401(app, client):
    assert post_interaction(client, interaction(PING)).status_code == 401


def test_a_signed_body_that_is_no_interaction_is_a_400(app, client):
    set_up_discord()
    response = post_interaction(client, ["not", "an", "interaction"])
    assert response.status_code == 400
    assert "interaction" in response.get_json()["error"]


def test_the_endpoint_needs_no_session_or_csrf_token(app, client, admin_client):
    """Discord sends neither; a logged-in browser's cookie changes nothing either."""
    set_up_discord()
    app.config["WTF_CSRF_ENABLED"] = True
    assert post_interaction(client, interaction(PING)).status_code == 200
