"""The audit log: what is recorded, the page, its filters and the CSV export."""

from __future__ import annotations

import csv
import io

import pytest

from tests.factories import ADMIN_EMAIL, PASSWORD, make_connector, make_user
from tests.support.connector_data import FORM_PARAMS, GITLAB_TOKEN
from webapp.extensions import db
from webapp.models import AuditEntry
from webapp.services import audit

NEW_PASSWORD = "a brand new passphrase 42"


def actions() -> list[str]:
    return list(db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)))


def last(action: str) -> AuditEntry:
    query = db.select(AuditEntry).where(AuditEntry.action == action)
    return db.session.scalars(query.order_by(AuditEntry.id.desc())).first()


def csv_rows(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_failed_login_records_the_normalised_email_and_never_the_password(auth, admin):
    auth.login("  Admin@Example.COM ", "my wrong password")
    entry = last("auth.login_failed")
    assert entry.actor_id is None
    assert entry.details["email"] == ADMIN_EMAIL
    assert (entry.target_type, entry.target_name) == ("user", ADMIN_EMAIL)
    assert "my wrong password" not in repr(entry.details)


def test_login_and_logout_are_recorded_with_the_user(auth, admin):
    auth.login()
    auth.logout()
    assert actions()[-2:] == ["auth.login", "auth.logout"]
    assert {last(a).actor_email for a in ("auth.login", "auth.logout")} == {ADMIN_EMAIL}


def test_user_changes_are_recorded(admin_client, admin):
    admin_client.submit(
        "/users", {"email": "new@example.com", "role": "viewer", "password": NEW_PASSWORD}
    )
    created = last("user.create")
    assert (created.actor_email, created.target_name) == (ADMIN_EMAIL, "new@example.com")
    assert created.details == {"role": "viewer"}
    admin_client.submit(f"/users/{created.target_id}/active")
    admin_client.submit(f"/users/{created.target_id}/active")
    admin_client.submit(
        "/account",
        {"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert actions()[-3:] == ["user.deactivate", "user.reactivate", "user.password_change"]
    assert last("user.password_change").target_name == ADMIN_EMAIL


def test_the_page_names_changed_params_and_says_secret_changed_without_values(admin_client):
    connector = make_connector("gitlab", name="Main GitLab")
    data = {
        "name": "Main GitLab",
        **FORM_PARAMS["gitlab"],
        "gitlab_project": "group/other",
        "issue_tracker_api_token": GITLAB_TOKEN + "-new",
        "version": connector.version,
    }
    admin_client.submit(f"/connectors/{connector.id}/edit", data)
    page = admin_client.get("/audit?action=connector.update").get_data(as_text=True)
    assert "changed: gitlab_project" in page
    assert "secret changed: issue_tracker_api_token" in page
    assert GITLAB_TOKEN not in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("user=someone", ["connector.delete"]),
        ("connector=Billing", ["connector.create"]),
        ("action=connector.delete", ["connector.delete"]),
        ("user=someone&action=connector.create", []),
    ],
)
def test_filters(admin_client, admin, query, expected):
    someone = make_user("someone@example.com")
    billing = make_connector("gitlab", name="Billing GitLab", actor=admin)
    other = make_connector("github", name="Website", actor=admin)
    audit.record("connector.delete", someone, other)
    db.session.commit()
    rows = csv_rows(admin_client.get(f"/audit.csv?{query}&unknown=ignored"))
    assert [row["action"] for row in rows if row["action"].startswith("connector.")] == expected
    by_id = csv_rows(admin_client.get(f"/audit.csv?connector={billing.id}"))
    assert [row["target"] for row in by_id] == ["Billing GitLab"]


def test_pages_hold_per_page_entries_newest_first(app, admin_client, admin):
    app.config["PER_PAGE"] = 2
    for number in range(3):
        make_connector("gitlab", name=f"Connector {number}", actor=admin)
    first = admin_client.get("/audit?action=connector.create").get_data(as_text=True)
    second = admin_client.get("/audit?action=connector.create&page=2").get_data(as_text=True)
    assert first.count('data-testid="audit-row"') == 2 and "Connector 2" in first
    assert second.count('data-testid="audit-row"') == 1 and "Connector 0" in second
    assert "action=connector.create" in first  # page links keep the filter


def test_csv_cells_cannot_run_as_formulas(admin_client, admin):
    make_connector("gitlab", name='=HYPERLINK("http://evil")', actor=admin)
    make_connector("github", name="@SUM(A1)", actor=admin)
    response = admin_client.get("/audit.csv?action=connector.create")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    names = sorted(row["target"] for row in csv_rows(response))
    assert names == ['\'=HYPERLINK("http://evil")', "'@SUM(A1)"]


def test_entries_cannot_be_changed_from_the_app(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("audit."):
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule
