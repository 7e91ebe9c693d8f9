"""API tokens on the account page and on the command line."""

from __future__ import annotations

import re

from tests.api.conftest import ApiClient
from tests.factories import ADMIN_EMAIL, make_user
from webapp.extensions import db
from webapp.models import ApiToken
from webapp.services import tokens

KEY = re.compile(r"cdk_[A-Za-z0-9_-]{40,}")


def test_a_new_token_is_shown_once_after_a_redirect(app, admin_client):
    response = admin_client.submit("/account/tokens", {"name": "CI", "expires_in_days": "30"})
    # Post/redirect/get: reloading the page the browser lands on creates nothing.
    assert response.status_code == 302
    assert response.headers["Location"] == "/account#api-tokens"
    assert KEY.search(response.get_data(as_text=True)) is None
    with admin_client.session_transaction() as session:
        waiting = str(dict(session))
    assert "cdk_" not in waiting  # it crosses the redirect encrypted
    shown = admin_client.get("/account")
    assert shown.headers["Cache-Control"] == "no-store"
    key = KEY.search(shown.get_data(as_text=True)).group(0)
    assert ApiClient(app.test_client(), key).get("/systems/").status_code == 200
    page = admin_client.get("/account").get_data(as_text=True)
    assert key not in page and key[:12] in page  # listed by its prefix only
    with admin_client.session_transaction() as session:
        assert "new_api_token" not in session
    assert db.session.scalar(db.select(db.func.count()).select_from(ApiToken)) == 1


def test_token_form_errors_are_shown_on_the_field(admin_client):
    response = admin_client.submit("/account/tokens", {"name": "", "expires_in_days": "0"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "This field is required." in page and "between 1 and 3650" in page
    assert db.session.scalar(db.select(ApiToken)) is None


def test_revoking_from_the_account_page(admin_client, admin):
    token, key = tokens.create_token(admin, admin, "CI")
    response = admin_client.submit(f"/account/tokens/{token.id}/revoke")
    assert response.status_code == 302
    assert db.session.get(ApiToken, token.id).revoked_at is not None
    assert "revoked" in admin_client.get("/account").get_data(as_text=True)


def test_nobody_revokes_someone_elses_token(admin_client):
    token, _ = tokens.create_token(None, make_user(), "theirs")
    assert admin_client.submit(f"/account/tokens/{token.id}/revoke").status_code == 404
    assert db.session.get(ApiToken, token.id).revoked_at is None


def test_revoking_needs_the_csrf_token(admin_client, admin):
    token, _ = tokens.create_token(admin, admin, "CI")
    admin_client.post(f"/account/tokens/{token.id}/revoke")
    assert db.session.get(ApiToken, token.id).revoked_at is None


def test_cli_create_prints_only_the_token(app, runner, admin):
    result = runner.invoke(
        args=["tokens", "create", ADMIN_EMAIL, "--name", "CI", "--expires-in", "7"]
    )
    assert result.exit_code == 0, result.output
    key = result.output.strip()
    assert KEY.fullmatch(key)
    assert ApiClient(app.test_client(), key).get("/systems/").status_code == 200


def test_cli_list_and_revoke(app, runner, admin):
    token, key = tokens.create_token(admin, admin, "CI")
    listed = runner.invoke(args=["tokens", "list", ADMIN_EMAIL]).output
    assert f"{token.id}\tCI\t{token.prefix}" in listed and key not in listed
    result = runner.invoke(args=["tokens", "revoke", str(token.id)])
    assert result.exit_code == 0 and "Revoked" in result.output
    assert ApiClient(app.test_client(), key).get("/systems/").status_code == 401


def test_cli_names_an_unknown_user_or_token(runner, admin):
    result = runner.invoke(args=["tokens", "create", "nobody@example.com", "--name", "CI"])
    assert result.exit_code != 0 and "No user has the e-mail" in result.output
    assert runner.invoke(args=["tokens", "revoke", "999"]).exit_code != 0
