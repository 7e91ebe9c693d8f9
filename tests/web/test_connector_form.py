"""What the connector form and detail page show a new admin: rows, labels, markers."""

import re

import pytest

from tests.factories import make_connector
from tests.support.connector_data import FORM_PARAMS
from tests.support.material import registered_ids
from webapp.services import secret_wording
from webapp.services.connectors import ConnectorChanges, update_connector
from webapp.services.systems import registry

ROW = 'data-testid="category-row"'


def new_form(system_id, **changes):
    return {"name": "Main tracker", **FORM_PARAMS[system_id], **changes}


def input_tag(page: str, name: str) -> str:
    """The HTML of the input (or select/textarea) called ``name``."""
    match = re.search(rf'<(?:input|select|textarea)[^>]*\bname="{re.escape(name)}"[^>]*>', page)
    assert match, f"no input named {name}"
    return match.group(0)


def label_line(page: str, field_id: str) -> str:
    """The label of ``field_id`` and what follows it up to the input."""
    label = rf'<label[^>]*for="{field_id}"[^>]*>.*?</label>'
    match = re.search(label + r"[^<]*(<span[^>]*>\*</span>)?", page)
    assert match, f"no label for {field_id}"
    return match.group(0)


# 12.10: a failed submit shows the rows that were submitted, plus one empty row.


def test_failed_submits_do_not_add_empty_category_rows(admin_client):
    page = admin_client.get("/connectors/new/gitlab").get_data(as_text=True)
    assert page.count(ROW) == 1
    data = new_form("gitlab", gitlab_project="not a project")
    data.update({"categories-0-name": "", "categories-0-label": "", "categories-0-colour": ""})
    for _ in range(3):
        page = admin_client.submit("/connectors/new/gitlab", data).get_data(as_text=True)
        assert "Please correct the errors below." in page
        assert page.count(ROW) == 1
    data.update({"categories-0-name": "Hardware", "categories-1-name": ""})
    for _ in range(2):
        page = admin_client.submit("/connectors/new/gitlab", data).get_data(as_text=True)
        assert page.count(ROW) == 2
        assert 'value="Hardware"' in page


def test_blank_rows_between_filled_ones_go_and_errors_stay_on_their_row(admin_client):
    data = new_form("gitlab")
    data.update(
        {
            "categories-0-name": "",
            "categories-1-name": "Hardware",
            "categories-1-colour": "red",
            "categories-2-name": "",
        }
    )
    page = admin_client.submit("/connectors/new/gitlab", data).get_data(as_text=True)
    assert page.count(ROW) == 2
    rows = page.split(ROW)[1:]
    assert 'value="Hardware"' in rows[0] and "Use a colour like #f45562." in rows[0]
    assert 'value="red"' in rows[0] and "is-invalid" in rows[0]


def test_editing_a_connector_shows_its_categories_and_one_empty_row(admin_client):
    connector = make_connector("gitlab")
    update_connector(
        None,
        connector,
        ConnectorChanges(
            name=connector.name,
            params={},
            keep_missing_params=True,
            categories=[{"name": "Hardware", "label": "hw", "colour": "#f45562"}],
        ),
    )
    page = admin_client.get(f"/connectors/{connector.id}/edit").get_data(as_text=True)
    assert page.count(ROW) == 2


# 12.14: the detail page speaks the form's language and leaves out what does not apply.


def test_detail_page_shows_choice_labels_not_internal_values(admin_client):
    connector = make_connector("jira")
    page = admin_client.get(f"/connectors/{connector.id}").get_data(as_text=True)
    params = page[page.index('data-testid="params"') :]
    assert "User/email and password or API token" in params
    assert "Jira Cloud" in params
    assert "Issue tracker wins" in params
    assert "None, Partial, Pass, Fail" in params
    assert "Requirements, Architecture and design, Development" in params
    assert "To do" in params
    shown = {value.strip() for value in re.findall(r"<dd[^>]*>(.*?)</dd>", params, re.S)}
    for internal in ("basic", "issue_tracker", "none,partial,pass,fail", "cloud", "TODO"):
        assert internal not in shown


def test_detail_page_leaves_out_tls_verification_for_http(admin_client):
    http = make_connector("gitlab", issue_tracker_method="http")
    page = admin_client.get(f"/connectors/{http.id}").get_data(as_text=True)
    assert "Verify TLS certificate" not in page
    https = make_connector("gitlab")
    page = admin_client.get(f"/connectors/{https.id}").get_data(as_text=True)
    assert re.search(r"Verify TLS certificate</dt>\s*<dd[^>]*>\s*yes", page)


def test_detail_page_leaves_out_fields_for_another_auth_mode(admin_client):
    connector = make_connector("jira")
    page = admin_client.get(f"/connectors/{connector.id}").get_data(as_text=True)
    assert "Personal access token" not in page
    assert "User name or email" in page


def test_jira_is_spelled_jira_in_pages_and_as_sd_elements_does_in_the_api(admin_client):
    connector = make_connector("jira", name="Ops")
    for url in ("/connectors/new", f"/connectors/{connector.id}", "/connectors/new/jira"):
        page = admin_client.get(url).get_data(as_text=True)
        assert "JIRA" not in page, url
        assert "Jira" in page
    # The API keeps SD Elements' spelling (what its clients match on).
    assert registry().get("jira").summary() == {"id": "jira", "short_name": "JIRA", "name": "JIRA"}


# 12.15: empty inputs are empty; label and colour only where the tracker has them.


@pytest.mark.parametrize("system_id", registered_ids())
def test_connector_forms_have_no_example_data_in_inputs(admin_client, system_id):
    page = admin_client.get(f"/connectors/new/{system_id}").get_data(as_text=True)
    assert "placeholder=" not in page
    assert "Hardware" in page  # the example moved to the help text


@pytest.mark.parametrize(
    ("system_id", "columns"),
    [
        ("github", ["name", "label", "colour"]),
        ("gitlab", ["name", "label", "colour"]),
        ("jira", ["name", "label"]),
        ("rt", ["name"]),
    ],
)
def test_category_columns_follow_what_the_system_declares(admin_client, system_id, columns):
    system = registry().get(system_id)
    assert system.has_labels == ("label" in columns)
    assert system.label_colours == ("colour" in columns) or not system.has_labels
    page = admin_client.get(f"/connectors/new/{system_id}").get_data(as_text=True)
    for column in ("name", "label", "colour"):
        tag = input_tag(page, f"categories-0-{column}")
        assert ('type="hidden"' in tag) == (column not in columns), tag
    header = re.search(r'<div class="row g-2 small text-muted"[^>]*>(.*?)</div></div>', page)
    assert ("Colour" in header.group(1)) == ("colour" in columns)
    assert ("Label" in header.group(1)) == ("label" in columns)


def test_hidden_category_columns_are_kept_when_an_rt_connector_is_saved(admin_client):
    connector = make_connector("rt")
    update_connector(
        None,
        connector,
        ConnectorChanges(
            name=connector.name,
            params={},
            keep_missing_params=True,
            categories=[{"name": "Hardware", "label": "hw-api", "colour": "#123456"}],
        ),
    )
    page = admin_client.get(f"/connectors/{connector.id}").get_data(as_text=True)
    assert "hw-api" not in page and "#123456" not in page
    data = new_form("rt", name=connector.name, version=str(connector.version))
    data.update(
        {
            "categories-0-name": "Hardware",
            "categories-0-label": "hw-api",
            "categories-0-colour": "#123456",
        }
    )
    assert admin_client.submit(f"/connectors/{connector.id}/edit", data).status_code == 302
    assert [(c.name, c.label, c.colour) for c in connector.categories] == [
        ("Hardware", "hw-api", "#123456")
    ]


def test_github_ticket_form_has_no_example_assignees(admin_client):
    connector = make_connector("github")
    page = admin_client.get(f"/tickets/new?connector={connector.id}").get_data(as_text=True)
    assert "placeholder" not in input_tag(page, "assignees")
    assert "octocat" in page  # in the help text instead


# 12.16: one rule for stored secrets, in the same words everywhere.


def test_edit_and_copy_pages_state_the_secret_rule_in_the_same_words(admin_client):
    connector = make_connector("gitlab")
    for url in (f"/connectors/{connector.id}/edit", f"/connectors/{connector.id}/clone"):
        page = admin_client.get(url).get_data(as_text=True)
        assert secret_wording.RULE in page
        assert secret_wording.STORED_HELP in page
        token = input_tag(page, "issue_tracker_api_token")
        assert f'placeholder="{secret_wording.PLACEHOLDER}"' in token
        availability = page[page.index(">Availability<") :]
        assert "secret" not in availability.split("</fieldset>")[0].lower()


# 12.17: required fields are marked as on the other forms.


def test_new_connector_form_marks_required_fields(admin_client):
    page = admin_client.get("/connectors/new/github").get_data(as_text=True)
    for name in ("name", "issue_tracker_server", "issue_tracker_api_token", "github_repo_owner"):
        assert " required" in input_tag(page, name), name
        assert label_line(page, name).endswith("*</span>"), name
    for name in ("github_repo_name", "title_format"):
        assert " required" not in input_tag(page, name), name
        assert not label_line(page, name).endswith("*</span>"), name


def test_a_stored_secret_is_not_marked_required(admin_client):
    connector = make_connector("gitlab")
    page = admin_client.get(f"/connectors/{connector.id}/edit").get_data(as_text=True)
    assert " required" not in input_tag(page, "issue_tracker_api_token")
    assert " required" in input_tag(page, "issue_tracker_server")
    page = admin_client.submit(
        f"/connectors/{connector.id}/edit",
        {
            "name": connector.name,
            **FORM_PARAMS["gitlab"],
            "issue_tracker_api_token": "",
            "clear__issue_tracker_api_token": "y",
            "version": str(connector.version),
        },
    ).get_data(as_text=True)
    assert "This field is required." in page
    assert " required" in input_tag(page, "issue_tracker_api_token")
