"""Connector history in a real browser (CSRF on): compare two versions and restore an
older one, with and without JavaScript; a restore to another server asks for the secret."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.test_connectors_browser import log_in
from tests.factories import make_connector
from tests.support.browser_fixtures import js_on_and_off
from tests.support.material import material_for
from webapp.extensions import db
from webapp.models import Connector
from webapp.services.connectors import ConnectorChanges, set_disabled, update_connector
from webapp.services.secrets import connector_secrets

TOKEN_NAME, TOKEN = material_for("gitlab").secret
NEW_TOKEN = "glpat-SECRET-second-token-1f2e3d"


def edit(actor, connector, **params):
    update_connector(
        actor,
        connector,
        ConnectorChanges(name=connector.name, params=params, keep_missing_params=True),
    )


def reloaded(connector_id: int) -> Connector:
    db.session.expire_all()
    return db.session.get(Connector, connector_id)


@js_on_and_off
def test_compare_and_restore_an_older_version(page, app, admin, screenshot):
    assert app.config.get("WTF_CSRF_ENABLED", True) is not False
    connector = make_connector("gitlab", name="Production GitLab", actor=admin)
    edit(admin, connector, gitlab_project="group/renamed")
    set_disabled(admin, connector, True)
    log_in(page)
    page.goto(f"/connectors/{connector.id}")
    page.get_by_test_id("history-link").click()
    expect(page.get_by_test_id("version-row")).to_have_count(3)
    page.locator("#a-1").check()
    page.locator("#b-3").check()
    page.get_by_test_id("compare").click()
    diff = page.get_by_test_id("version-diff")
    expect(diff).to_contain_text("group/project")
    expect(diff).to_contain_text("group/renamed")
    expect(page.locator("[data-changed='1']")).to_have_count(2)  # project, enabled
    screenshot("history-diff")
    page.locator("[data-testid=version-row][data-number='1']").get_by_test_id(
        "restore-link"
    ).click()
    expect(page.get_by_test_id("version-diff")).to_contain_text("group/renamed")
    page.get_by_test_id("confirm-restore").click()
    expect(page.locator(".alert-success")).to_contain_text("Version 1 restored as version 4")
    expect(page.get_by_test_id("version-row")).to_have_count(4)
    expect(page.locator("[data-testid=version-row][data-number='4']")).to_contain_text(
        "by restoring a version"
    )
    restored = reloaded(connector.id)
    assert restored.params["gitlab_project"] == "group/project" and not restored.disabled
    assert connector_secrets(restored) == {TOKEN_NAME: TOKEN}
    assert TOKEN not in page.content()
    assert page.console_errors == []


def test_restore_to_another_server_asks_for_the_secret(page, app, admin, screenshot):
    connector = make_connector("gitlab", name="Moved GitLab", actor=admin)
    edit(
        admin,
        connector,
        issue_tracker_server="gitlab.new.example",
        issue_tracker_api_token=NEW_TOKEN,
    )
    log_in(page)
    page.goto(f"/connectors/{connector.id}/history")
    page.locator("[data-testid=version-row][data-number='1']").get_by_test_id(
        "restore-link"
    ).click()
    expect(page.get_by_test_id("secret-needed")).to_be_visible()
    page.get_by_test_id("continue-restore").click()
    expect(page.get_by_test_id("restore-notice")).to_be_visible()
    expect(page.locator("input[name=issue_tracker_server]")).to_have_value("gitlab.example.com")
    expect(page.locator(f"input[name={TOKEN_NAME}]")).to_have_value("")
    screenshot("restore-asks-for-secret")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("form-error-summary")).to_be_visible()
    assert reloaded(connector.id).params["issue_tracker_server"] == "gitlab.new.example"
    page.fill(f"input[name={TOKEN_NAME}]", TOKEN)
    page.get_by_test_id("save").click()
    expect(page.locator(".alert-success")).to_contain_text("Version 1 restored as version 3")
    restored = reloaded(connector.id)
    assert restored.params["issue_tracker_server"] == "gitlab.example.com"
    assert connector_secrets(restored) == {TOKEN_NAME: TOKEN}
    assert page.console_errors == []
