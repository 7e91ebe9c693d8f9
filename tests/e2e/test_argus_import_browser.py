"""Importing Argus settings in a real browser: dry run, create, then the staged test."""

from playwright.sync_api import expect

from tests.e2e.test_connectors_browser import log_in
from tests.support.connector_data import GITLAB_TOKEN


def test_paste_argus_settings_preview_create_and_test(page, admin, gitlab, screenshot):
    log_in(page)
    page.goto("/connectors/")
    page.get_by_role("link", name="Import / export").click()
    page.fill("input[name=name]", "GitLab from Argus")
    page.fill(
        "textarea[name=settings]",
        'TICKET_PLUGIN = "argus.incident.ticket.gitlab.GitlabPlugin"\n'
        f'TICKET_ENDPOINT = "{gitlab.url}/"\n'
        f'TICKET_AUTHENTICATION_SECRET = {{"token": "{GITLAB_TOKEN}"}}\n'
        'TICKET_INFORMATION = {"project_namespace_and_name": "group/project", "x": 1}\n',
    )
    page.get_by_test_id("argus-dry-run").click()
    expect(page.get_by_test_id("argus-preview")).to_contain_text("Would create the GitLab")
    expect(page.get_by_test_id("argus-unmapped")).to_contain_text("TICKET_INFORMATION.x")
    assert GITLAB_TOKEN not in page.content()
    screenshot("argus-dry-run")
    page.get_by_test_id("argus-create").click()
    expect(page.locator(".alert-success")).to_contain_text("created from Argus settings")
    page.get_by_test_id("test-connection").click()
    expect(page.locator("#check-result")).to_contain_text("Issues are on in group/project")
    page.get_by_test_id("export-argus").click()
    expect(page.get_by_test_id("argus-python")).to_contain_text("argus_ticket_gitlab.GitlabPlugin")
    assert page.console_errors == []
