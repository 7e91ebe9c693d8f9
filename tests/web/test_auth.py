from http.cookies import SimpleCookie

import pytest

from tests.factories import ADMIN_EMAIL, PASSWORD, make_user


def test_login_page_has_email_and_password_fields(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'name="email"' in page
    assert 'name="password"' in page


def test_login_with_good_credentials_reaches_dashboard(client, auth, admin):
    response = auth.login()
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "No connectors yet" in client.get("/").get_data(as_text=True)


def test_login_is_case_insensitive_on_email(client, auth, admin):
    assert auth.login(email="ADMIN@Example.COM").status_code == 302


def test_login_records_last_login_time(client, auth, admin):
    assert admin.last_login_at is None
    auth.login()
    assert admin.last_login_at is not None


@pytest.mark.parametrize(
    ("email", "password"),
    [(ADMIN_EMAIL, "wrong password here"), ("nobody@example.com", PASSWORD)],
    ids=["wrong-password", "unknown-email"],
)
def test_failed_login_gives_one_generic_message(client, auth, admin, email, password):
    response = auth.login(email=email, password=password)
    assert response.status_code == 200
    assert "Invalid e-mail or password." in response.get_data(as_text=True)


def test_deactivated_user_cannot_log_in(client, auth, app):
    make_user("gone@example.com", active=False)
    response = auth.login(email="gone@example.com")
    assert "Invalid e-mail or password." in response.get_data(as_text=True)


def test_empty_fields_are_reported_on_the_form(client, admin):
    response = client.submit("/login", {"email": "", "password": ""})
    assert response.status_code == 200
    assert response.get_data(as_text=True).count("This field is required.") == 2


def test_overlong_email_is_rejected_with_a_message(client, admin):
    response = client.submit("/login", {"email": "a" * 300 + "@x.org", "password": "x"})
    assert response.status_code == 200
    assert "Field cannot be longer than 254 characters." in response.get_data(as_text=True)


def test_login_without_csrf_token_is_refused(client, admin):
    response = client.post("/login", data={"email": ADMIN_EMAIL, "password": PASSWORD})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)


def test_login_with_wrong_csrf_token_is_refused(client, admin):
    client.csrf_token()
    response = client.post(
        "/login", data={"email": ADMIN_EMAIL, "password": PASSWORD, "csrf_token": "forged"}
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/users", "/users"),
        ("https://evil.example/steal", "/"),
        ("//evil.example/steal", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_redirect_stays_on_this_site(client, admin, next_url, expected):
    response = client.submit(
        "/login", {"email": ADMIN_EMAIL, "password": PASSWORD}, query_string={"next": next_url}
    )
    assert response.headers["Location"] == expected


def test_protected_page_redirects_to_login_with_next(client):
    response = client.get("/users")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_logout_requires_post(admin_client):
    assert admin_client.get("/logout").status_code == 405
    response = admin_client.submit("/logout")
    assert response.headers["Location"] == "/login"
    assert admin_client.get("/").status_code == 302


def test_session_cookie_is_httponly_and_samesite_lax(client, auth, admin):
    response = auth.login()
    cookie = SimpleCookie(response.headers["Set-Cookie"])["session"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert not cookie["secure"]


def test_session_cookie_is_secure_over_https(client, admin):
    response = client.get("/login", base_url="https://localhost")
    cookie = SimpleCookie(response.headers["Set-Cookie"])["session"]
    assert cookie["secure"]


def test_remember_me_sets_a_remember_cookie(client, auth, admin):
    response = auth.login(remember="y")
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("remember_token=") and "HttpOnly" in c for c in cookies)
