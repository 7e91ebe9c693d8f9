import os
import stat
from pathlib import Path

import pytest

from webapp.extensions import db
from webapp.models import User
from webapp.services.errors import NotFound
from webapp.services.setup import TOKEN_FILE, create_first_admin, issue_setup_token

NEW_ADMIN = {
    "email": "first@example.com",
    "password": "a long enough pass",
    "confirm": "a long enough pass",
}


def test_setup_with_valid_token_creates_first_admin_and_logs_in(app, client):
    token = issue_setup_token()
    assert client.get(f"/setup?token={token}").status_code == 200
    response = client.submit(f"/setup?token={token}", NEW_ADMIN)
    assert response.headers["Location"] == "/"
    user = User.by_email("first@example.com")
    assert user.is_admin and user.active
    assert client.get("/").status_code == 200


def test_setup_token_file_is_private_and_holds_no_plain_token(app):
    token = issue_setup_token()
    path = Path(app.instance_path) / TOKEN_FILE
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert token not in path.read_text()


def test_setup_link_works_only_once(app, client):
    token = issue_setup_token()
    client.submit(f"/setup?token={token}", NEW_ADMIN)
    client.submit("/logout")
    response = client.get(f"/setup?token={token}")
    assert response.status_code == 404
    assert "not valid or has already been used" in response.get_data(as_text=True)


def test_setup_with_wrong_token_is_not_found(app, client):
    issue_setup_token()
    assert client.get("/setup?token=guess").status_code == 404
    assert client.get("/setup").status_code == 404
    assert client.submit("/setup?token=guess", NEW_ADMIN).status_code == 404
    assert User.count() == 0


def test_setup_is_gone_once_any_user_exists(app, client, admin):
    assert issue_setup_token() is None
    assert not (Path(app.instance_path) / TOKEN_FILE).exists()
    assert client.get("/setup?token=anything").status_code == 404


def test_setup_form_reports_mismatched_and_short_passwords(app, client):
    token = issue_setup_token()
    page = client.submit(
        f"/setup?token={token}", {"email": "a@example.com", "password": "short", "confirm": "x"}
    ).get_data(as_text=True)
    assert "Use between 12 and 1024 characters." in page
    assert "Passwords differ." in page
    assert User.count() == 0


def test_login_page_mentions_setup_while_no_user_exists(client):
    assert "one-time set-up link" in client.get("/login").get_data(as_text=True)


def field_block(page: str, name: str) -> str:
    """The HTML of one form field: its label, input and error messages."""
    return page.split(f'data-field="{name}"')[1].split("data-field=")[0]


def test_a_rejected_password_is_shown_on_its_field_and_leaves_the_link_working(app, client):
    token = issue_setup_token()
    common = {"email": "first@example.com", "password": "password1234", "confirm": "password1234"}
    response = client.submit(f"/setup?token={token}", common)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "This password is too common." in field_block(page, "password")
    assert "This password is too common." not in field_block(page, "email")
    assert User.count() == 0
    assert client.get(f"/setup?token={token}").status_code == 200
    response = client.submit(f"/setup?token={token}", NEW_ADMIN)
    assert response.headers["Location"] == "/"
    assert User.by_email("first@example.com").is_admin


def test_the_link_is_spent_only_by_creating_the_user(app, client):
    token = issue_setup_token()
    client.submit(f"/setup?token={token}", NEW_ADMIN)
    assert not list(Path(app.instance_path).glob(f"{TOKEN_FILE}*"))
    second = app.test_client()
    response = second.submit(f"/setup?token={token}", {**NEW_ADMIN, "email": "b@example.com"})
    assert response.status_code == 404
    assert User.count() == 1


def test_a_link_spent_by_another_submission_is_refused_with_nothing_created(app):
    token = issue_setup_token()
    first = create_first_admin(token, "first@example.com", NEW_ADMIN["password"])
    with pytest.raises(NotFound):
        create_first_admin(token, "second@example.com", NEW_ADMIN["password"])
    assert [user.email for user in db.session.scalars(db.select(User))] == [first.email]


def test_the_audit_log_says_the_first_admin_came_through_the_set_up_link(app, client):
    token = issue_setup_token()
    client.submit(f"/setup?token={token}", NEW_ADMIN)
    page = client.get("/audit").get_data(as_text=True)
    assert "set-up link" in page
    assert "command line" not in page
