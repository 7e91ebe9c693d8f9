"""Jira's required fields on the ticket form: asked from the create metadata of the
chosen project and issue type, rendered (custom select included), validated next to the
field, and sent in the create request's ``fields``; plus the connector's custom field
defaults and per-category mappings."""

from __future__ import annotations

import re

import pytest

from tests.factories import make_connector
from tests.fakes import FakeJira
from tests.support.connector_data import JIRA_PASSWORD
from webapp.extensions import db
from webapp.models import ConnectorCategory, Ticket

HTMX = {"HX-Request": "true"}
SEVERITY = {
    "fieldId": "customfield_10050",
    "name": "Severity",
    "required": True,
    "schema": {
        "type": "option",
        "custom": "com.atlassian.jira.plugin.system.customfieldtypes:select",
        "customId": 10050,
    },
    "allowedValues": [{"id": "10100", "value": "High"}, {"id": "10101", "value": "Low"}],
}
TEAM = {
    "fieldId": "customfield_10060",
    "name": "Team",
    "required": False,
    "schema": {"type": "string", "custom": "textfield", "customId": 10060},
}


@pytest.fixture(params=["Cloud", "Server"])
def jira(request):
    with FakeJira(
        users={"ops@example.com": JIRA_PASSWORD},
        projects={"OPS": {"issue_types": ["Task", "Bug"], "fields": {"Bug": [SEVERITY, TEAM]}}},
        deployment=request.param,
    ) as fake:
        yield fake


def connector_for(jira, **params):
    return make_connector(
        "jira",
        name="Jira",
        issue_tracker_server=jira.host_port,
        issue_tracker_method="http",
        jira_version="cloud" if jira.deployment == "Cloud" else "server",
        jira_issue_type="Bug",
        **params,
    )


def new_page(client, connector) -> str:
    return client.get(f"/tickets/new?connector={connector.id}").get_data(as_text=True)


def submit(client, connector, **fields):
    page = new_page(client, connector)
    token = re.search(r'name="submission_token" type="hidden" value="([^"]+)"', page).group(1)
    data = {
        "connector_id": str(connector.id),
        "submission_token": token,
        "title": "Disk full",
        "description": "On db-1.",
        "issue_type": "Bug",
        **fields,
    }
    return client.submit(f"/tickets/new?connector={connector.id}", data)


def meta_requests(jira) -> int:
    return sum("/issue/createmeta/" in r.path for r in jira.requests)


def test_a_required_custom_select_is_rendered_with_its_options(admin_client, jira):
    page = new_page(admin_client, connector_for(jira))
    block = page.split('data-testid="tracker-required"')[1].split("</fieldset>")[0]
    assert "Severity" in block and 'name="tf__customfield_10050"' in block
    assert '<option value="10100">High</option>' in block
    assert '<option value="10101">Low</option>' in block
    assert "Team" not in block  # optional: not asked
    assert JIRA_PASSWORD not in page
    # The issue type and the project came from the connector; the type's id from Jira.
    paths = [r.path.split("?")[0] for r in jira.requests if "/createmeta/" in r.path]
    assert paths == [
        "/rest/api/2/issue/createmeta/OPS/issuetypes",
        "/rest/api/2/issue/createmeta/OPS/issuetypes/10002",
    ]


def test_the_answer_is_cached_per_connector(admin_client, jira):
    connector = connector_for(jira)
    new_page(admin_client, connector)
    asked = meta_requests(jira)
    new_page(admin_client, connector)
    assert meta_requests(jira) == asked == 2


def test_a_missing_required_field_is_an_error_next_to_it(admin_client, jira):
    connector = connector_for(jira)
    response = submit(admin_client, connector)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    block = page.split('data-field="tf__customfield_10050"')[1].split("data-field=")[0]
    assert 'class="form-select is-invalid"' in block
    assert '<div class="invalid-feedback d-block">This field is required.</div>' in block
    assert db.session.scalar(db.select(Ticket)) is None and jira.issues == []


def test_an_option_that_is_not_allowed_is_refused(admin_client, jira):
    response = submit(admin_client, connector_for(jira), tf__customfield_10050="999")
    assert response.status_code == 200
    assert db.session.scalar(db.select(Ticket)) is None


def test_the_chosen_option_is_sent_in_the_create_request(admin_client, jira):
    response = submit(admin_client, connector_for(jira), tf__customfield_10050="10100")
    ticket = db.session.scalar(db.select(Ticket))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert ticket.status == "sent", ticket.last_error
    assert ticket.fields["tracker_fields"] == {"customfield_10050": "10100"}
    (issue,) = jira.issues
    assert issue["fields"]["customfield_10050"] == {"id": "10100"}


def test_connector_defaults_and_category_mappings_fill_custom_fields(admin_client, jira):
    connector = connector_for(
        jira,
        jira_custom_fields={"Severity": "Low"},
        jira_custom_fields_mapping={"customfield_10060": "category"},
    )
    connector.categories.append(ConnectorCategory(name="Storage", label="storage", colour=""))
    db.session.commit()
    page = new_page(admin_client, connector)
    assert "tf__customfield_10050" not in page  # the connector sets it: not asked
    submit(admin_client, connector, category="Storage")
    (issue,) = jira.issues
    assert issue["fields"]["customfield_10050"] == {"id": "10101"}  # by its name
    assert issue["fields"]["customfield_10060"] == "Storage"


def test_another_issue_type_asks_its_own_fields_through_htmx(admin_client, jira):
    connector = connector_for(jira)
    url = f"/tickets/required-fields?connector_id={connector.id}"
    task = admin_client.get(url + "&issue_type=Task", headers=HTMX).get_data(as_text=True)
    assert "tf__customfield_10050" not in task
    bug = admin_client.get(url + "&issue_type=Bug", headers=HTMX).get_data(as_text=True)
    assert 'name="tf__customfield_10050"' in bug


def test_an_unknown_issue_type_is_a_note_and_the_ticket_is_still_taken(admin_client, jira):
    connector = connector_for(jira)
    response = submit(admin_client, connector, issue_type="Nonsense")
    assert response.status_code == 302
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "has no issue type Nonsense" in page


def test_custom_field_mappings_take_a_category_or_a_title(admin_client, jira):
    from webapp.services.connectors import ConnectorChanges, create_connector
    from webapp.services.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as failed:
        create_connector(
            None,
            "jira",
            ConnectorChanges(
                name="Bad mapping",
                params={
                    "issue_tracker_server": jira.host_port,
                    "issue_tracker_user": "ops@example.com",
                    "issue_tracker_pass": JIRA_PASSWORD,
                    "jira_custom_fields_mapping": "Team=colour",
                },
            ),
        )
    assert "category or title" in str(failed.value.errors)


def test_the_issue_type_picker_lists_the_projects_types(client, auth, jira):
    from tests.factories import make_user

    connector = connector_for(jira)
    make_user("viewer@example.com", role="viewer")
    auth.login("viewer@example.com")
    html = client.get(
        f"/connectors/{connector.id}/ticket-choices/issue_type?issue_type=b", headers=HTMX
    ).get_data(as_text=True)
    assert re.findall(r'data-pick-value="([^"]*)"', html) == ["Bug"]
    assert JIRA_PASSWORD not in html


def test_the_api_names_a_missing_required_field_and_sends_a_given_one(app, admin, jira):
    from tests.api.conftest import ApiClient, new_key

    api = ApiClient(app.test_client(), new_key(admin))
    connector = connector_for(jira)
    body = {"connector": {"id": connector.id}, "title": "Disk full", "fields": {}}
    refused = api.post("/tickets/", json=body)
    assert refused.status_code == 400
    assert "fields.tracker_fields.customfield_10050" in str(refused.get_json())
    body["fields"] = {"tracker_fields": {"customfield_10050": "10101"}}
    created = api.post("/tickets/", json=body)
    assert created.status_code == 201, created.get_json()
    assert jira.issues[0]["fields"]["customfield_10050"] == {"id": "10101"}
