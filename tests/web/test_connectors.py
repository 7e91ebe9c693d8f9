"""Creating, viewing, editing, cloning and deleting connectors through the forms."""

import pytest

from tests.factories import make_connector, make_user
from tests.support.material import material_for, registered_ids, registered_systems
from webapp.extensions import db
from webapp.models import AuditEntry, Connector
from webapp.services import secret_wording
from webapp.services.secrets import connector_secrets

SYSTEMS = registered_ids()


def form(system_id, name="Main tracker", **changes):
    return {"name": name, **material_for(system_id).form_params, **changes}


def only_connector() -> Connector:
    (connector,) = db.session.scalars(db.select(Connector)).all()
    return connector


def test_new_connector_page_offers_every_system(admin_client):
    page = admin_client.get("/connectors/new").get_data(as_text=True)
    for system in registered_systems():
        assert system.name in page


@pytest.mark.parametrize("system_id", SYSTEMS)
def test_admin_creates_a_connector_of_each_system(admin_client, system_id):
    assert admin_client.get(f"/connectors/new/{system_id}").status_code == 200
    response = admin_client.submit(f"/connectors/new/{system_id}", form(system_id))
    connector = only_connector()
    assert response.headers["Location"] == f"/connectors/{connector.id}"
    assert connector.system_id == system_id
    secret_name, secret_value = material_for(system_id).secret
    assert connector_secrets(connector) == {secret_name: secret_value}
    assert secret_name not in connector.params
    assert (
        connector.params["issue_tracker_server"]
        == material_for(system_id).form_params["issue_tracker_server"]
    )


@pytest.mark.parametrize("system_id", SYSTEMS)
def test_detail_page_shows_params_but_not_secrets(admin_client, system_id):
    connector = make_connector(system_id, name="Shown")
    page = admin_client.get(f"/connectors/{connector.id}").get_data(as_text=True)
    assert material_for(system_id).form_params["issue_tracker_server"] in page
    assert "stored" in page
    assert material_for(system_id).secret[1] not in page


@pytest.mark.parametrize("system_id", SYSTEMS)
def test_admin_edits_a_connector_of_each_system(admin_client, system_id):
    connector = make_connector(system_id, name="Before")
    page = admin_client.get(f"/connectors/{connector.id}/edit").get_data(as_text=True)
    assert 'value="Before"' in page
    assert material_for(system_id).secret[1] not in page
    data = form(system_id, name="After", title_format="$ticket_id $title", version="1")
    data[material_for(system_id).secret[0]] = ""
    response = admin_client.submit(f"/connectors/{connector.id}/edit", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert connector.name == "After"
    assert connector.params["title_format"] == "$ticket_id $title"
    assert connector.version == 2


@pytest.mark.parametrize("system_id", SYSTEMS)
def test_admin_clones_a_connector_keeping_its_secrets_like_an_edit(admin_client, system_id):
    """A copy follows the edit rule: a blank secret keeps the original's stored one."""
    source = make_connector(system_id, name="Original")
    page = admin_client.get(f"/connectors/{source.id}/clone").get_data(as_text=True)
    assert 'value="Copy of Original"' in page
    assert secret_wording.STORED_HELP in page and "Copy stored secrets" not in page
    data = form(system_id, name="Copy of Original")
    data[material_for(system_id).secret[0]] = ""
    response = admin_client.submit(f"/connectors/{source.id}/clone", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    copy = db.session.scalar(db.select(Connector).where(Connector.name == "Copy of Original"))
    assert connector_secrets(copy) == connector_secrets(source)


def test_a_clone_can_leave_a_stored_secret_behind(admin_client):
    source = make_connector("gitlab", name="Original")
    data = form("gitlab", name="Copy", issue_tracker_api_token="")
    data["clear__issue_tracker_api_token"] = "y"
    page = admin_client.submit(f"/connectors/{source.id}/clone", data).get_data(as_text=True)
    assert "This field is required." in page
    assert db.session.scalar(db.select(Connector).where(Connector.name == "Copy")) is None


@pytest.mark.parametrize("system_id", SYSTEMS)
def test_admin_deletes_a_connector_after_confirming(admin_client, system_id):
    connector = make_connector(system_id, name="Doomed")
    page = admin_client.get(f"/connectors/{connector.id}/delete").get_data(as_text=True)
    assert "Delete “Doomed”?" in page
    assert db.session.get(Connector, connector.id) is not None
    response = admin_client.submit(f"/connectors/{connector.id}/delete", follow_redirects=True)
    assert "Connector “Doomed” deleted." in response.get_data(as_text=True)
    assert db.session.scalar(db.select(Connector)) is None


def test_changes_are_recorded_in_the_audit_log(admin_client, admin):
    admin_client.submit("/connectors/new/gitlab", form("gitlab", name="Audited"))
    connector = only_connector()
    data = form("gitlab", name="Audited", gitlab_project="group/other", version="1")
    admin_client.submit(f"/connectors/{connector.id}/edit", data)
    admin_client.submit(f"/connectors/{connector.id}/delete")
    query = db.select(AuditEntry).where(AuditEntry.action.like("connector.%"))
    entries = db.session.scalars(query.order_by(AuditEntry.id)).all()
    assert [e.action for e in entries] == [
        "connector.create",
        "connector.update",
        "connector.delete",
    ]
    assert all(e.actor_email == admin.email for e in entries)
    assert entries[1].details["changed"] == ["gitlab_project"]
    assert entries[1].details["secrets_changed"] == ["issue_tracker_api_token"]


def test_disable_and_enable_a_connector(admin_client):
    connector = make_connector("github", name="Pausable")
    admin_client.submit(f"/connectors/{connector.id}/disabled")
    assert connector.disabled
    page = admin_client.get(f"/connectors/{connector.id}").get_data(as_text=True)
    assert "This connector is disabled" in page
    admin_client.submit(f"/connectors/{connector.id}/disabled")
    assert not connector.disabled


def test_enable_and_disable_buttons_never_do_the_opposite_from_a_stale_page(admin_client):
    connector = make_connector("github", name="Pausable")
    admin_client.submit(f"/connectors/{connector.id}/disabled", {"disabled": "0"})
    assert not connector.disabled  # already enabled (say, in another tab): stays enabled
    admin_client.submit(f"/connectors/{connector.id}/disabled", {"disabled": "1"})
    admin_client.submit(f"/connectors/{connector.id}/disabled", {"disabled": "1"})
    assert connector.disabled


def test_enable_from_the_list_returns_to_the_list_but_never_off_site(admin_client):
    connector = make_connector("github", name="Pausable")
    url = f"/connectors/{connector.id}/disabled"
    response = admin_client.submit(url, {"disabled": "1", "next": "/connectors/?q=Pau"})
    assert response.headers["Location"] == "/connectors/?q=Pau"
    response = admin_client.submit(url, {"disabled": "0", "next": "//evil.example/"})
    assert "evil" not in response.headers["Location"]


def test_list_searches_filters_and_paginates(admin_client, app):
    app.config["PER_PAGE"] = 2
    for index in range(3):
        make_connector("github", name=f"Alpha {index}")
    make_connector("jira", name="Beta")
    page = admin_client.get("/connectors/?q=alp").get_data(as_text=True)
    assert page.count('data-testid="connector-row"') == 2
    assert "3 connectors" in page and "page=2" in page
    assert "Beta" not in page
    page = admin_client.get("/connectors/?system=jira").get_data(as_text=True)
    assert "Beta" in page and "Alpha 0" not in page
    page = admin_client.get("/connectors/?q=nothing-like-this").get_data(as_text=True)
    assert "No connector matches this search." in page


def test_list_shows_server_target_and_untested_badge(admin_client):
    make_connector("gitlab", name="Listed")
    page = admin_client.get("/connectors/").get_data(as_text=True)
    assert "gitlab.example.com" in page and "group/project" in page and "not tested" in page


def test_empty_list_invites_the_first_connector(admin_client):
    page = admin_client.get("/connectors/").get_data(as_text=True)
    assert "Create the first connector" in page


def test_dashboard_lists_connectors(admin_client):
    make_connector("rt", name="On the dashboard")
    assert "On the dashboard" in admin_client.get("/").get_data(as_text=True)


def test_unknown_system_or_connector_is_404(admin_client):
    assert admin_client.get("/connectors/new/bugzilla").status_code == 404
    assert admin_client.get("/connectors/999").status_code == 404
    assert admin_client.get("/connectors/999/edit").status_code == 404


def test_viewer_can_read_but_not_change_connectors(client, auth, app):
    connector = make_connector("gitlab", name="Read only")
    make_user("viewer@example.com", role="viewer")
    auth.login("viewer@example.com")
    assert client.get(f"/connectors/{connector.id}").status_code == 200
    page = client.get("/connectors/").get_data(as_text=True)
    assert "New connector" not in page
    for url in (
        "/connectors/new",
        "/connectors/new/gitlab",
        f"/connectors/{connector.id}/edit",
        f"/connectors/{connector.id}/clone",
        f"/connectors/{connector.id}/delete",
    ):
        assert client.get(url).status_code == 403, url
    assert client.submit(f"/connectors/{connector.id}/delete").status_code == 403
    assert db.session.get(Connector, connector.id) is not None


def test_system_schema_is_served_as_json(admin_client):
    response = admin_client.get("/systems/jira/schema.json")
    assert response.status_code == 200
    schema = response.get_json()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["issue_tracker_pass"]["writeOnly"] is True
    assert admin_client.get("/systems/nope/schema.json").status_code == 404
