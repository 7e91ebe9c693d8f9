"""Pickers in a real browser: a GitLab project picked from the typeahead on the connector
form (CSRF on: the htmx request carries the token), or typed by hand without JavaScript."""

from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.test_connectors_browser import log_in
from tests.fakes import FakeGitLab
from tests.support.browser_fixtures import js_on_and_off
from tests.support.connector_data import GITLAB_TOKEN
from webapp.extensions import db
from webapp.models import Connector

PROJECTS = {f"ops/service-{n:02}": {"id": 100 + n} for n in range(25)}


@js_on_and_off
def test_a_gitlab_project_is_picked_from_the_tracker(page, admin, app, request, screenshot):
    javascript = request.node.callspec.params["page"]
    assert app.config.get("WTF_CSRF_ENABLED", True)  # the picker posts like the form does
    with FakeGitLab(token=GITLAB_TOKEN, projects=PROJECTS) as gitlab:
        log_in(page)
        page.goto("/connectors/new/gitlab")
        page.fill("input[name=name]", "Picked GitLab")
        page.fill("input[name=issue_tracker_server]", gitlab.host_port)
        page.select_option("select[name=issue_tracker_method]", "http")
        page.fill("input[name=issue_tracker_api_token]", GITLAB_TOKEN)
        project = page.locator("input[name=gitlab_project]")
        if javascript:
            project.fill("service-1")
            choices = page.get_by_test_id("picker-choice")
            expect(choices).to_have_count(10)
            screenshot("choices")
            expect(page.locator("body")).not_to_contain_text(GITLAB_TOKEN)
            choices.filter(has_text="ops/service-13").click()
            expect(project).to_have_value("ops/service-13")
            expect(choices).to_have_count(0)
        else:
            project.fill("ops/service-13")  # the plain field: typed by hand
            expect(page.get_by_test_id("picker-choice")).to_have_count(0)
        page.get_by_test_id("save").click()
        expect(page.locator(".alert-success")).to_contain_text("created")
        listed = [r for r in gitlab.requests if r.path.startswith("/api/v4/projects?")]
        assert bool(listed) is javascript
    connector = db.session.scalar(select(Connector).where(Connector.name == "Picked GitLab"))
    assert connector.params["gitlab_project"] == "ops/service-13"
    assert page.console_errors == []


def test_jira_required_fields_follow_the_issue_type(page, admin, screenshot):
    from tests.factories import make_connector
    from tests.fakes import FakeJira
    from tests.support.connector_data import JIRA_PASSWORD
    from tests.web.test_jira_required_fields import SEVERITY

    projects = {"OPS": {"issue_types": ["Task", "Bug"], "fields": {"Bug": [SEVERITY]}}}
    with FakeJira(users={"ops@example.com": JIRA_PASSWORD}, projects=projects) as jira:
        connector = make_connector(
            "jira",
            issue_tracker_server=jira.host_port,
            issue_tracker_method="http",
            jira_issue_type="Task",
        )
        log_in(page)
        page.goto(f"/tickets/new?connector={connector.id}")
        required = page.get_by_test_id("tracker-required")
        expect(required).to_have_count(0)
        issue_type = page.locator("input[name=issue_type]")
        issue_type.fill("Bu")
        page.get_by_test_id("picker-choice").filter(has_text="Bug").click()
        expect(issue_type).to_have_value("Bug")
        expect(required.locator("select[name=tf__customfield_10050]")).to_have_count(1)
        screenshot("bug-fields")
        page.fill("input[name=title]", "Disk full")
        page.select_option("select[name=tf__customfield_10050]", "10100")
        page.get_by_test_id("create-ticket").click()
        expect(page.get_by_test_id("tracker-link")).to_be_visible()
        assert jira.issues[0]["fields"]["customfield_10050"] == {"id": "10100"}
    assert page.console_errors == []
