"""GET …/versions/ and POST …/versions/{n}/restore/: paginated history and restore,
with the secret rule answered as 409 naming the secret to send."""

from __future__ import annotations

import json

from tests.factories import make_connector
from tests.support.material import material_for
from webapp.extensions import db
from webapp.models import AuditEntry
from webapp.services.connectors import ConnectorChanges, update_connector
from webapp.services.secrets import connector_secrets

TOKEN_NAME, TOKEN = material_for("gitlab").secret
NEW_TOKEN = "glpat-SECRET-second-token-1f2e3d"


def edit(actor, connector, **params):
    update_connector(
        actor,
        connector,
        ConnectorChanges(name=connector.name, params=params, keep_missing_params=True),
    )


def url(connector, rest: str = "") -> str:
    return f"/connectors/issue-tracker/{connector.id}/versions/{rest}"


def test_versions_are_listed_newest_first_and_paginated(api, admin, app):
    app.config["PER_PAGE"] = 2
    connector = make_connector("gitlab", actor=admin)
    edit(admin, connector, gitlab_project="group/two", issue_tracker_api_token=NEW_TOKEN)
    edit(admin, connector, gitlab_project="group/three")
    body = api.get(url(connector)).get_json()
    assert (body["count"], body["page"], body["pages"]) == (3, 1, 2)
    assert [v["number"] for v in body["results"]] == [3, 2]
    second = body["results"][1]
    assert second["params"]["gitlab_project"] == "group/two"
    assert second["secrets_changed"] == [TOKEN_NAME]
    assert second["secure_fields"] == {TOKEN_NAME: True}
    assert second["by"] == {"id": admin.id, "email": admin.email}
    assert TOKEN_NAME not in second["params"]
    assert [v["number"] for v in api.get(url(connector) + "?page=2").get_json()["results"]] == [1]
    text = json.dumps(body)
    assert TOKEN not in text and NEW_TOKEN not in text


def test_viewers_may_list_but_not_restore(viewer_api, admin):
    connector = make_connector("gitlab", actor=admin)
    edit(admin, connector, gitlab_project="group/two")
    assert viewer_api.get(url(connector)).status_code == 200
    assert viewer_api.post(url(connector, "1/restore/")).status_code == 403


def test_unknown_connector_or_version_is_404(api, admin):
    connector = make_connector("gitlab", actor=admin)
    assert api.get("/connectors/issue-tracker/999/versions/").status_code == 404
    response = api.post(url(connector, "5/restore/"))
    assert response.status_code == 404 and "no version 5" in response.get_json()["detail"]


def test_restore_with_the_same_destination_keeps_the_secret(api, admin):
    connector = make_connector("gitlab", name="Kept", actor=admin)
    edit(admin, connector, gitlab_project="group/two")
    response = api.post(url(connector, "1/restore/"), headers={"If-Match": str(connector.version)})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["version"]["number"] == 3 and body["version"]["restored_from"] == 1
    assert body["version"]["via"] == "restore"
    assert body["connector"]["params"]["gitlab_project"] == "group/project"
    assert response.headers["ETag"] == f'"{body["connector"]["version"]}"'
    db.session.refresh(connector)
    assert connector_secrets(connector) == {TOKEN_NAME: TOKEN}
    entry = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action == "connector.restore")
    ).one()
    assert entry.details["version"] == 1 and TOKEN not in json.dumps(entry.details)


def test_restore_to_another_server_is_409_naming_the_secret_then_accepts_it(api, admin):
    connector = make_connector("gitlab", name="Moved", actor=admin)
    edit(
        admin,
        connector,
        issue_tracker_server="gitlab.new.example",
        issue_tracker_api_token=NEW_TOKEN,
    )
    refused = api.post(url(connector, "1/restore/"))
    assert refused.status_code == 409
    error = refused.get_json()
    assert list(error["errors"]) == [f"params.{TOKEN_NAME}"]
    assert "typed again" in error["detail"]
    assert NEW_TOKEN not in json.dumps(error)
    done = api.post(url(connector, "1/restore/"), json={"params": {TOKEN_NAME: TOKEN}})
    assert done.status_code == 200, done.get_json()
    db.session.refresh(connector)
    assert connector.params["issue_tracker_server"] == "gitlab.example.com"
    assert connector_secrets(connector) == {TOKEN_NAME: TOKEN}
    assert TOKEN not in done.get_data(as_text=True)


def test_restore_refuses_bad_bodies_and_stale_versions(api, admin):
    connector = make_connector("gitlab", actor=admin)
    edit(admin, connector, gitlab_project="group/two")
    wrong = api.post(url(connector, "1/restore/"), json={"params": {"gitlab_project": "x/y"}})
    assert wrong.status_code == 400 and list(wrong.get_json()["errors"]) == [
        "params.gitlab_project"
    ]
    not_object = api.post(url(connector, "1/restore/"), json={"params": ["x"]})
    assert not_object.status_code == 400 and "params" in not_object.get_json()["errors"]
    assert api.post(url(connector, "1/restore/"), data="x").status_code == 415
    stale = api.post(url(connector, "1/restore/"), headers={"If-Match": "1"})
    assert stale.status_code == 412
    assert len(api.get(url(connector)).get_json()["results"]) == 2


def test_the_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/v2/openapi.json").get_json()["paths"]
    versions = paths["/connectors/issue-tracker/{id}/versions/"]["get"]
    restore = paths["/connectors/issue-tracker/{id}/versions/{number}/restore/"]["post"]
    assert versions["operationId"] == "listConnectorVersions"
    assert {"200", "409", "412"} <= set(restore["responses"])
