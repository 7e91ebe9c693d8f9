import re

from tests.factories import PASSWORD, make_user
from webapp.extensions import db
from webapp.models import User


def test_users_page_lists_users(admin_client, app):
    make_user("viewer@example.com", role="viewer")
    page = admin_client.get("/users").get_data(as_text=True)
    assert "admin@example.com" in page
    assert "viewer@example.com" in page


def test_admin_adds_a_user_who_can_log_in(admin_client, app, auth):
    response = admin_client.submit(
        "/users", {"email": "New@Example.com", "role": "viewer", "password": "another long pass"}
    )
    assert response.status_code == 302
    assert "User new@example.com added." in admin_client.get("/users").get_data(as_text=True)
    assert User.by_email("new@example.com").role == "viewer"
    auth.logout()
    assert auth.login("new@example.com", "another long pass").status_code == 302


def test_adding_a_duplicate_email_is_reported_on_the_field(admin_client, app):
    page = admin_client.submit(
        "/users", {"email": "ADMIN@example.com", "role": "admin", "password": "another long pass"}
    ).get_data(as_text=True)
    assert "A user with this e-mail already exists." in page


def test_adding_a_user_with_invalid_email_or_short_password_fails(admin_client, app):
    page = admin_client.submit(
        "/users", {"email": "not-an-email", "role": "admin", "password": "short"}
    ).get_data(as_text=True)
    assert "Enter a valid e-mail address." in page
    assert "Use between 12 and 1024 characters." in page
    assert User.count() == 1


def test_admin_deactivates_and_reactivates_another_user(admin_client, app):
    other = make_user("other@example.com")
    admin_client.submit(f"/users/{other.id}/active")
    assert not other.active
    admin_client.submit(f"/users/{other.id}/active")
    assert other.active


def test_admin_cannot_deactivate_themselves(admin_client, app, admin):
    response = admin_client.submit(f"/users/{admin.id}/active", follow_redirects=True)
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    assert admin.active


def test_deactivating_a_user_ends_their_session(app, admin):
    victim = make_user("victim@example.com")
    their_client = app.test_client()
    their_client.submit("/login", {"email": victim.email, "password": PASSWORD})
    assert their_client.get("/").status_code == 200
    victim.active = False
    db.session.commit()
    assert their_client.get("/").status_code == 302


def test_viewer_cannot_open_users_page(client, auth, app):
    make_user("viewer@example.com", role="viewer")
    auth.login("viewer@example.com")
    assert client.get("/users").status_code == 403


def test_unknown_user_toggle_is_not_found(admin_client):
    assert admin_client.submit("/users/999/active").status_code == 404


def test_change_password_needs_current_password(admin_client, admin):
    page = admin_client.submit(
        "/account",
        {
            "current_password": "wrong one",
            "password": "brand new password",
            "confirm": "brand new password",
        },
    ).get_data(as_text=True)
    assert "Your current password is not correct." in page
    assert admin.check_password(PASSWORD)


def test_change_password_keeps_this_session_and_ends_others(app, admin_client, admin):
    other_session = app.test_client()
    other_session.submit("/login", {"email": admin.email, "password": PASSWORD})
    assert other_session.get("/").status_code == 200
    response = admin_client.submit(
        "/account",
        {
            "current_password": PASSWORD,
            "password": "brand new password",
            "confirm": "brand new password",
        },
    )
    assert response.status_code == 302
    assert admin.check_password("brand new password")
    assert admin_client.get("/").status_code == 200
    assert other_session.get("/").status_code == 302


ACTIVE_NAV_LINK = re.compile(r'class="nav-link active" aria-current="page"\s+href="([^"]+)"')


def test_the_navbar_marks_the_section_by_address_not_by_blueprint(admin_client):
    def active_links(url: str) -> list[str]:
        return ACTIVE_NAV_LINK.findall(admin_client.get(url).get_data(as_text=True))

    assert active_links("/account") == ["/account"]  # served by the users blueprint
    assert active_links("/users") == ["/users"]
    assert active_links("/connectors/new") == ["/connectors/"]
    assert active_links("/") == []
