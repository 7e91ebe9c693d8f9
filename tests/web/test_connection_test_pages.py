"""Test connection from the forms, the detail page, the list and the CLI, against fake trackers."""

import json
import re

import pytest

from tests.factories import make_connector, make_user
from tests.fakes import FakeGitLab, HangingServer
from tests.support.connector_data import FORM_PARAMS, GITLAB_TOKEN
from tests.support.fake_trackers import fake_gitlab
from webapp.extensions import db
from webapp.models import AuditEntry

HTMX = {"HX-Request": "true"}


@pytest.fixture
def gitlab():
    """This fake echoes the credentials it gets in its errors: they must never show."""
    with fake_gitlab(echo_credentials_in_errors=True) as fake:
        yield fake


def gitlab_form(fake, **changes):
    return {
        "name": "Fake GitLab",
        **FORM_PARAMS["gitlab"],
        "issue_tracker_server": fake.host_port,
        "issue_tracker_method": "http",
        **changes,
    }


def fake_connector(fake, **changes):
    return make_connector(
        "gitlab",
        name="Fake GitLab",
        issue_tracker_server=fake.host_port,
        issue_tracker_method="http",
        **changes,
    )


def stage_statuses(page: str) -> dict[str, str]:
    return dict(re.findall(r'data-stage="(\w+)" data-status="(\w+)"', page))


def test_unsaved_form_values_are_tested_without_saving(admin_client, gitlab):
    response = admin_client.submit("/connectors/new/gitlab/test", gitlab_form(gitlab), headers=HTMX)
    page = response.get_data(as_text=True)
    assert "Connection works." in page
    statuses = stage_statuses(page)
    assert statuses.pop("tls") in ("skipped", "warning")  # plain http
    assert statuses == {"reach": "ok", "authenticate": "ok", "target": "ok", "permission": "ok"}
    assert "<html" not in page  # a fragment for htmx
    tests = db.select(db.func.count()).where(AuditEntry.action == "connector.test")
    assert db.session.scalar(tests) == 1
    from webapp.models import Connector

    assert db.session.scalar(db.select(Connector)) is None


def test_wrong_token_names_the_failing_stage_and_hides_the_secret(admin_client, gitlab):
    data = gitlab_form(gitlab, issue_tracker_api_token="glpat-SECRET-wrong-token-123")
    page = admin_client.submit("/connectors/new/gitlab/test", data, headers=HTMX).get_data(
        as_text=True
    )
    statuses = stage_statuses(page)
    assert statuses["authenticate"] == "failed"
    assert statuses["target"] == "skipped" and statuses["permission"] == "skipped"
    assert "Authenticate failed." in page and "401" in page
    assert "glpat-SECRET-wrong-token-123" not in page


def test_without_javascript_the_form_comes_back_with_the_result(admin_client, gitlab):
    page = admin_client.submit("/connectors/new/gitlab/test", gitlab_form(gitlab)).get_data(
        as_text=True
    )
    assert "<html" in page and 'value="Fake GitLab"' in page
    assert "Connection works." in page
    # The form saves to the save URL, and the token typed a moment ago is in its input
    # (only there), so "Create connector" on this page saves what was tested.
    assert 'action="/connectors/new/gitlab"' in page
    assert page.count(GITLAB_TOKEN) == 1
    (token_input,) = re.findall(r'<input[^>]*name="issue_tracker_api_token"[^>]*>', page)
    assert 'type="password"' in token_input and f'value="{GITLAB_TOKEN}"' in token_input
    assert "Type it again" not in page


def test_invalid_values_are_listed_instead_of_testing(admin_client, gitlab):
    data = gitlab_form(gitlab, issue_tracker_server="https://nope")
    page = admin_client.submit("/connectors/new/gitlab/test", data, headers=HTMX).get_data(
        as_text=True
    )
    assert "Fix these before testing:" in page and "Server:" in page
    assert gitlab.requests == []


def test_edit_form_test_uses_the_stored_secret_for_the_same_server(admin_client, gitlab):
    connector = fake_connector(gitlab)
    data = gitlab_form(gitlab, issue_tracker_api_token="", version="1")
    page = admin_client.submit(
        f"/connectors/{connector.id}/edit/test", data, headers=HTMX
    ).get_data(as_text=True)
    assert "Connection works." in page


def test_edit_form_test_never_sends_the_stored_secret_to_a_new_server(admin_client, gitlab):
    connector = fake_connector(gitlab)
    with FakeGitLab(token="other", echo_credentials_in_errors=True) as attacker:
        data = gitlab_form(attacker, issue_tracker_api_token="", version="1")
        page = admin_client.submit(
            f"/connectors/{connector.id}/edit/test", data, headers=HTMX
        ).get_data(as_text=True)
        assert "Enter it again" in page
        assert attacker.requests == []


def test_saved_connector_test_records_health_shown_on_the_list(admin_client, gitlab):
    connector = fake_connector(gitlab)
    page = admin_client.submit(f"/connectors/{connector.id}/test", headers=HTMX).get_data(
        as_text=True
    )
    assert "Connection works." in page
    assert connector.health_status == "ok"
    assert "healthy" in admin_client.get("/connectors/").get_data(as_text=True)
    version_before = connector.version
    gitlab.token = "rotated-elsewhere"
    admin_client.submit(f"/connectors/{connector.id}/test", headers=HTMX)
    assert connector.health_status == "failed" and connector.health_stage == "authenticate"
    assert connector.version == version_before  # a test is not an edit
    listing = admin_client.get("/connectors/").get_data(as_text=True)
    assert "failing: authenticate" in listing
    detail = admin_client.get(f"/connectors/{connector.id}").get_data(as_text=True)
    assert "GitLab rejected" in detail or "401" in detail


def test_list_row_test_returns_the_new_badge(admin_client, gitlab):
    connector = fake_connector(gitlab)
    response = admin_client.submit(
        f"/connectors/{connector.id}/test", headers={**HTMX, "HX-Target": f"health-{connector.id}"}
    )
    assert response.get_data(as_text=True).strip().startswith('<span class="badge text-bg-success"')


def test_saved_test_without_javascript_renders_the_detail_page(admin_client, gitlab):
    connector = fake_connector(gitlab)
    page = admin_client.submit(f"/connectors/{connector.id}/test").get_data(as_text=True)
    assert "<html" in page and "Connection works." in page


def test_viewer_may_test_a_saved_connector(client, auth, gitlab):
    connector = fake_connector(gitlab)
    make_user("viewer@example.com", role="viewer")
    auth.login("viewer@example.com")
    assert "Connection works." in client.submit(
        f"/connectors/{connector.id}/test", headers=HTMX
    ).get_data(as_text=True)
    assert (
        client.submit("/connectors/new/gitlab/test", gitlab_form(gitlab), headers=HTMX).status_code
        == 403
    )


def test_inaccessible_and_disabled_connectors_are_not_contacted(admin_client, gitlab):
    connector = fake_connector(gitlab)
    connector.inaccessible = True
    db.session.commit()
    page = admin_client.submit(f"/connectors/{connector.id}/test", headers=HTMX).get_data(
        as_text=True
    )
    assert "marked inaccessible" in page
    connector.inaccessible, connector.disabled = False, True
    db.session.commit()
    page = admin_client.submit(f"/connectors/{connector.id}/test", headers=HTMX).get_data(
        as_text=True
    )
    assert "This connector is disabled" in page
    assert "data-stage" not in page  # no rows of "skipped" stages: nothing was tried
    assert gitlab.requests == []


def test_saved_test_sends_the_new_badge_and_last_check_out_of_band(admin_client, gitlab):
    connector = fake_connector(gitlab)
    gitlab.token = "rotated-elsewhere"
    page = admin_client.submit(f"/connectors/{connector.id}/test", headers=HTMX).get_data(
        as_text=True
    )
    (badge,) = re.findall(r'<span id="detail-health" hx-swap-oob="true">.*?</span>', page, re.S)
    assert "failing: authenticate" in badge
    (last_check,) = re.findall(r'<p[^>]*id="last-check"[^>]*>.*?</p>', page, re.S)
    assert 'hx-swap-oob="true"' in last_check and "never" not in last_check


def test_cli_tests_connectors_and_exits_non_zero_on_failure(app, runner, gitlab):
    good = fake_connector(gitlab)
    with HangingServer() as hung:
        bad = make_connector(
            "gitlab", name="Hung", issue_tracker_server=hung.host_port, issue_tracker_method="http"
        )
        app.config["TRACKER_READ_TIMEOUT"] = 0.5
        result = runner.invoke(args=["connectors", "test", "--all"])
    assert result.exit_code == 1, result.output
    assert "Fake GitLab" in result.output and "Hung" in result.output
    assert GITLAB_TOKEN not in result.output
    ok_only = runner.invoke(args=["connectors", "test", str(good.id), "--json"])
    assert ok_only.exit_code == 0, ok_only.output
    payload = json.loads(ok_only.output)
    assert payload[0]["connector"]["id"] == good.id and payload[0]["result"]["ok"] is True
    assert bad.health_status == "failed"


def test_cli_refuses_unknown_ids_and_empty_selection(app, runner):
    assert runner.invoke(args=["connectors", "test"]).exit_code == 2
    result = runner.invoke(args=["connectors", "test", "999"])
    assert result.exit_code == 2 and "No connector with id 999" in result.output
