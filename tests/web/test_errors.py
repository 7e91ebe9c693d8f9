import pytest
from flask import Blueprint

from webapp.extensions import db


def test_unknown_page_shows_a_404_page(admin_client):
    response = admin_client.get("/no-such-page")
    assert response.status_code == 404
    assert "There is nothing at this address." in response.get_data(as_text=True)


def test_wrong_method_shows_a_405_page(admin_client):
    response = admin_client.put("/users")
    assert response.status_code == 405
    assert "Method Not Allowed" in response.get_data(as_text=True)


@pytest.fixture
def failing_app(app_config):
    from webapp import create_app

    app_config["TESTING"] = False  # let errors reach the handlers as in production
    app = create_app(app_config)
    bp = Blueprint("boom", __name__)

    @bp.route("/boom")
    def boom():
        raise RuntimeError("internal detail: password=hunter2")

    app.register_blueprint(bp)
    return app


def test_unexpected_error_shows_500_page_without_details(failing_app):
    from tests.factories import make_user
    from tests.support.client import FormClient

    failing_app.test_client_class = FormClient
    with failing_app.app_context():
        make_user("boom@example.com")
        client = failing_app.test_client()
        client.submit(
            "/login", {"email": "boom@example.com", "password": "correct horse battery staple"}
        )
        response = client.get("/boom")
        from tests.support.database import empty_tables

        empty_tables()
        db.session.remove()
        db.engine.dispose()
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong on our side" in body
    assert "hunter2" not in body and "Traceback" not in body


def test_healthz_pings_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "rate_limits": "ok"}


@pytest.mark.parametrize("url", ["/connectors/", "/tickets/", "/audit"])
def test_absurd_page_numbers_are_clamped_not_500(admin_client, url):
    for page in ("99999999999999999999999", "-5", "abc"):
        assert admin_client.get(f"{url}?page={page}").status_code == 200
