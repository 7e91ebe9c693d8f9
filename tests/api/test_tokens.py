"""API tokens: created once, stored hashed, used, revoked, expired; cookies never count."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.api.conftest import ApiClient, new_key
from tests.factories import make_user
from webapp.extensions import db
from webapp.models import ApiToken, AuditEntry
from webapp.models.base import utcnow
from webapp.services import tokens

SYSTEMS = "/systems/"


def token_row(key: str) -> ApiToken:
    return db.session.scalar(db.select(ApiToken).where(ApiToken.prefix == key[:12]))


def test_a_new_key_is_stored_only_as_its_hash(admin):
    token, key = tokens.create_token(admin, admin, "CI")
    assert key.startswith("cdk_") and len(key) > 40
    assert token.key_hash != key and key not in token.key_hash
    assert token.prefix == key[:12]
    assert key not in repr(token)


def test_a_key_authenticates_its_user(app, admin, admin_key):
    response = ApiClient(app.test_client(), admin_key).get(SYSTEMS)
    assert response.status_code == 200


def test_the_quoted_form_of_the_seed_is_accepted(app, admin_key):
    assert ApiClient(app.test_client(), admin_key, quoted=True).get(SYSTEMS).status_code == 200


def test_first_use_records_last_used(app, admin_key):
    assert token_row(admin_key).last_used_at is None
    ApiClient(app.test_client(), admin_key).get(SYSTEMS)
    assert token_row(admin_key).last_used_at is not None


def test_last_used_is_not_rewritten_within_a_minute(app, admin_key):
    recently = utcnow() - timedelta(seconds=30)
    token_row(admin_key).last_used_at = recently
    db.session.commit()
    ApiClient(app.test_client(), admin_key).get(SYSTEMS)
    assert token_row(admin_key).last_used_at == recently


def test_last_used_is_rewritten_after_a_minute(app, admin_key):
    earlier = utcnow() - timedelta(minutes=2)
    token_row(admin_key).last_used_at = earlier
    db.session.commit()
    ApiClient(app.test_client(), admin_key).get(SYSTEMS)
    assert token_row(admin_key).last_used_at > earlier


def test_a_revoked_key_stops_working(app, admin, admin_key):
    tokens.revoke_token(admin, token_row(admin_key))
    assert ApiClient(app.test_client(), admin_key).get(SYSTEMS).status_code == 401


def test_an_expired_key_stops_working(app, admin):
    key = new_key(admin, expires_in_days=1)
    token_row(key).expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert ApiClient(app.test_client(), key).get(SYSTEMS).status_code == 401


def test_a_key_that_has_not_expired_yet_works(app, admin):
    key = new_key(admin, expires_in_days=1)
    assert ApiClient(app.test_client(), key).get(SYSTEMS).status_code == 200


def test_a_deactivated_users_keys_stop_working(app, admin):
    user = make_user()
    key = new_key(user)
    user.active = False
    db.session.commit()
    assert ApiClient(app.test_client(), key).get(SYSTEMS).status_code == 401


@pytest.mark.parametrize(
    "header", [None, "", "Token", "Token cdk_not-a-real-key", "Bearer {key}", "Basic {key}"]
)
def test_without_a_valid_token_header_the_answer_is_401_json(app, admin_key, header):
    headers = {} if header is None else {"Authorization": header.format(key=admin_key)}
    response = app.test_client().get("/api/v2" + SYSTEMS, headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"
    assert "token" in response.get_json()["detail"].lower()


def test_the_session_cookie_does_not_authenticate_the_api(admin_client):
    assert admin_client.get("/api/v2/connectors/issue-tracker/").status_code == 401
    response = admin_client.post("/api/v2/connectors/issue-tracker/", json={"name": "x"})
    assert response.status_code == 401  # not a CSRF error: the cookie is simply ignored


def test_create_and_revoke_are_audited_without_the_key(admin):
    token, key = tokens.create_token(admin, admin, "CI", expires_in_days=30)
    tokens.revoke_token(admin, token)
    query = db.select(AuditEntry).where(AuditEntry.action.like("token.%"))
    entries = db.session.scalars(query.order_by(AuditEntry.id)).all()
    assert [e.action for e in entries] == ["token.create", "token.revoke"]
    assert all(e.target_name == "CI" and e.actor_id == admin.id for e in entries)
    assert all(key not in str(e.details) and token.key_hash not in str(e.details) for e in entries)


@pytest.mark.parametrize(
    ("name", "days", "field"),
    [("", None, "name"), ("x" * 101, None, "name"), ("CI", 0, "expires_in_days")],
)
def test_invalid_token_settings_are_refused(admin, name, days, field):
    with pytest.raises(tokens.ServiceError) as error:
        tokens.create_token(admin, admin, name, days)
    assert error.value.field == field


def test_tokens_are_listed_newest_first_for_their_owner_only(admin):
    first, _ = tokens.create_token(admin, admin, "first")
    second, _ = tokens.create_token(admin, admin, "second")
    tokens.create_token(None, make_user(), "someone else's")
    assert [t.id for t in tokens.list_tokens(admin)] == [second.id, first.id]
