"""Connector forms in a real browser: the auth-mode switch shows and hides fields."""

from playwright.sync_api import expect

from tests.factories import ADMIN_EMAIL, PASSWORD
from tests.support.connector_data import GITLAB_TOKEN, JIRA_PASSWORD
from webapp.services import secret_wording


def log_in(page, email=ADMIN_EMAIL):
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator(".alert-success")).to_contain_text("You are logged in.")


def test_create_edit_and_delete_a_gitlab_connector(page, admin, screenshot):
    log_in(page)
    page.goto("/connectors/new")
    page.get_by_role("link", name="Use GitLab").click()
    page.fill("input[name=name]", "GitLab production")
    page.fill("input[name=issue_tracker_server]", "gitlab.example.com")
    page.fill("input[name=issue_tracker_api_token]", GITLAB_TOKEN)
    page.fill("input[name=gitlab_project]", "not a project")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("form-error-summary")).to_be_visible()
    project = page.locator("[data-field=gitlab_project] .invalid-feedback")
    expect(project).to_contain_text("namespace/name")
    # The typed token is not sent back; the admin is told to type it again.
    expect(page.locator("input[name=issue_tracker_api_token]")).to_have_value("")
    expect(page.locator("[data-field=issue_tracker_api_token]")).to_contain_text("Type it again")
    screenshot("gitlab-error")
    page.fill("input[name=gitlab_project]", "group/project")
    page.fill("input[name=issue_tracker_api_token]", GITLAB_TOKEN)
    page.get_by_test_id("save").click()
    expect(page.locator(".alert-success")).to_contain_text("Connector “GitLab production” created.")
    screenshot("gitlab-detail")
    assert GITLAB_TOKEN not in page.content()
    page.get_by_role("link", name="Edit").click()
    token_field = page.locator("[data-field=issue_tracker_api_token]")
    expect(token_field).to_contain_text(secret_wording.STORED_HELP)
    page.fill("input[name=gitlab_project]", "group/other")
    page.get_by_test_id("save").click()
    expect(page.locator(".alert-success")).to_contain_text("saved")
    expect(page.locator("[data-testid=params]").first).to_contain_text("gitlab.example.com")
    page.get_by_role("link", name="Delete").click()
    page.get_by_test_id("confirm-delete").click()
    expect(page.locator(".alert-success")).to_contain_text("deleted")
    expect(page.get_by_test_id("empty-state")).to_be_visible()
    assert page.console_errors == []


def test_jira_auth_mode_switch_shows_and_hides_fields(page, admin, screenshot):
    log_in(page)
    page.goto("/connectors/new/jira")
    user = page.locator("[data-field=issue_tracker_user]")
    password = page.locator("[data-field=issue_tracker_pass]")
    token = page.locator("[data-field=issue_tracker_api_token]")
    expect(user).to_be_visible()
    expect(password).to_be_visible()
    expect(token).to_be_hidden()
    page.select_option("select[name=issue_tracker_auth_mode]", "api_token")
    expect(token).to_be_visible()
    expect(user).to_be_hidden()
    expect(password).to_be_hidden()
    screenshot("jira-token-mode")
    page.select_option("select[name=issue_tracker_auth_mode]", "basic")
    page.fill("input[name=name]", "Jira cloud")
    page.fill("input[name=issue_tracker_server]", "example.atlassian.net")
    page.fill("input[name=issue_tracker_user]", "ops@example.com")
    page.fill("input[name=issue_tracker_pass]", JIRA_PASSWORD)
    page.get_by_test_id("save").click()
    expect(page.locator(".alert-success")).to_contain_text("Connector “Jira cloud” created.")
    expect(page.locator("body")).not_to_contain_text(JIRA_PASSWORD)
    assert page.console_errors == []
