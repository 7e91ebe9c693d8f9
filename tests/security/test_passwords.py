"""New passwords: at least 12 characters and not on the shipped list of common ones."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD
from webapp.models import User
from webapp.services.errors import ServiceError
from webapp.services.users import check_new_password, common_passwords

TOO_COMMON = "This password is too common."


def test_the_shipped_list_is_a_few_hundred_lower_case_passwords():
    passwords = common_passwords()
    assert len(passwords) >= 300
    assert all(p == p.lower() for p in passwords)


@pytest.mark.parametrize("password", ["password1234", "QwertyUiop123", "  Qwerty123456  "])
def test_common_passwords_are_refused_in_any_case(password):
    with pytest.raises(ServiceError, match=TOO_COMMON):
        check_new_password(password)


def test_an_unusual_passphrase_is_accepted():
    check_new_password("tangerine kettle orbit 7")


def test_the_users_page_refuses_a_common_password(admin_client):
    page = admin_client.submit(
        "/users", {"email": "ops@example.com", "role": "viewer", "password": "Password1234"}
    ).get_data(as_text=True)
    assert TOO_COMMON in page
    assert User.by_email("ops@example.com") is None


def test_the_account_page_refuses_a_common_password(admin_client):
    data = {"current_password": PASSWORD, "password": "iloveyou12345", "confirm": "iloveyou12345"}
    page = admin_client.submit("/account", data).get_data(as_text=True)
    assert TOO_COMMON in page


def test_the_command_line_refuses_a_common_password(app, runner):
    result = runner.invoke(
        args=["users", "create", "ops@example.com", "--password-stdin"], input="qwerty123456\n"
    )
    assert result.exit_code != 0
    assert TOO_COMMON in result.output
