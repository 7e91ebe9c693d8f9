"""Creating, reading, updating and deleting connectors through the API."""

from __future__ import annotations

import json

import pytest

from benchmarks.harness import count_queries
from tests.factories import make_connector
from tests.support.connector_data import ALL_SECRETS, GITHUB_TOKEN, api_params
from tests.support.material import material_for, registered_ids
from webapp.api.serializers import MASK
from webapp.extensions import db
from webapp.models import Connector
from webapp.services.connectors import REENTER_MESSAGE
from webapp.services.secrets import connector_secrets

COLLECTION = "/connectors/issue-tracker/"
TOKEN = "issue_tracker_api_token"


def item(connector_id: int) -> str:
    return f"{COLLECTION}{connector_id}/"


def github_body(**params) -> dict:
    return {
        "name": "GitHub",
        "system": {"id": "github"},
        "params": {**api_params("github"), **params},
    }


def stored(connector_id: int) -> Connector | None:
    return db.session.scalar(db.select(Connector).where(Connector.id == connector_id))


def test_missing_fields_are_reported_by_their_path(api):
    response = api.post(COLLECTION, json={"system": {"id": "github"}, "params": {}})
    assert response.status_code == 400
    body = response.get_json()
    assert body["detail"] == "Invalid input."
    assert body["errors"]["params.github_repo_owner"] == ["This field is required."]
    assert body["errors"][f"params.{TOKEN}"] == ["This field is required."]
    assert body["errors"]["name"] == ["This field is required."]


def test_unknown_params_and_bad_values_are_reported_like_in_the_form(api):
    body = github_body(surprise="x", issue_tracker_server="https://github.example.com")
    errors = api.post(COLLECTION, json=body).get_json()["errors"]
    assert errors["params.surprise"] == ["Unknown parameter for GitHub."]
    assert 'without "https://"' in errors["params.issue_tracker_server"][0]


def test_an_unknown_system_is_400_naming_the_known_ones(api):
    response = api.post(COLLECTION, json={**github_body(), "system": {"id": "bugzilla"}})
    assert response.status_code == 400
    detail = response.get_json()["detail"]
    assert "bugzilla" in detail and all(s in detail for s in registered_ids())
    assert response.get_json()["errors"]["system"] == [detail]


@pytest.mark.parametrize("system", [None, "github", {"name": "GitHub"}, {"id": 3}])
def test_the_system_must_be_an_object_with_an_id(api, system):
    response = api.post(COLLECTION, json={**github_body(), "system": system})
    assert response.status_code == 400
    assert "system" in response.get_json()["errors"]


@pytest.mark.parametrize(("key", "value"), [("name", 5), ("inaccessible", "no"), ("params", ["x"])])
def test_wrongly_typed_top_level_fields_are_400(api, key, value):
    response = api.post(COLLECTION, json={**github_body(), key: value})
    assert response.status_code == 400
    assert list(response.get_json()["errors"]) == [key]


def test_create_masks_the_secret_and_never_returns_it(api):
    response = api.post(COLLECTION, json=github_body())
    assert response.status_code == 201
    body = response.get_json()
    assert body["params"][TOKEN] == MASK and body["secure_fields"] == {TOKEN: True}
    assert GITHUB_TOKEN not in response.get_data(as_text=True)
    assert connector_secrets(stored(body["id"])) == {TOKEN: GITHUB_TOKEN}


def test_the_mask_on_create_is_not_a_secret(api):
    response = api.post(COLLECTION, json=github_body(**{TOKEN: MASK}))
    assert response.get_json()["errors"] == {f"params.{TOKEN}": ["This field is required."]}


def test_no_response_contains_a_stored_secret(api):
    for system_id in registered_ids():
        make_connector(system_id)
    pages = [api.get(COLLECTION)] + [
        api.get(item(c.id)) for c in db.session.scalars(db.select(Connector))
    ]
    text = "".join(page.get_data(as_text=True) for page in pages)
    secrets = {material_for(system_id).secret[1] for system_id in registered_ids()}
    assert not [secret for secret in secrets | set(ALL_SECRETS) if secret in text]
    assert text.count(MASK) == 2 * len(registered_ids())  # list and detail, one secret each


def test_get_sends_the_version_as_etag(api):
    connector = make_connector("github")
    response = api.get(item(connector.id))
    assert response.headers["ETag"] == f'"{connector.version}"'
    assert response.get_json()["version"] == connector.version


def test_list_filters_by_system_and_name(api):
    make_connector("github", name="Team A GitHub")
    make_connector("gitlab", name="Team B GitLab")

    def names(query):
        return [c["name"] for c in api.get(COLLECTION + query).get_json()["results"]]

    assert names("?system=gitlab") == ["Team B GitLab"]
    assert names("?name=team a") == ["Team A GitHub"]
    assert names("") == ["Team A GitHub", "Team B GitLab"]


def test_patch_replaces_the_params_given_and_keeps_the_rest(api):
    connector = make_connector("github", name="Kept")
    response = api.patch(item(connector.id), json={"params": {"github_repo_name": "other"}})
    assert response.status_code == 200, response.get_json()
    params = response.get_json()["params"]
    assert params["github_repo_name"] == "other" and params["github_repo_owner"] == "octo-org"
    assert response.get_json()["name"] == "Kept"
    assert connector_secrets(stored(connector.id)) == {TOKEN: GITHUB_TOKEN}


@pytest.mark.parametrize("sent", [{TOKEN: MASK}, {}, {TOKEN: ""}])
def test_patch_keeps_the_stored_secret_when_masked_or_left_out(api, sent):
    connector = make_connector("github")
    response = api.patch(item(connector.id), json={"params": {**sent, "github_repo_owner": "new"}})
    assert response.status_code == 200, response.get_json()
    assert connector_secrets(stored(connector.id)) == {TOKEN: GITHUB_TOKEN}
    assert MASK not in json.dumps(stored(connector.id).params)


def test_patch_can_replace_the_secret(api):
    connector = make_connector("github")
    api.patch(item(connector.id), json={"params": {TOKEN: "ghp_new"}})
    assert connector_secrets(stored(connector.id)) == {TOKEN: "ghp_new"}


def test_a_new_server_needs_the_secret_again(api):
    connector = make_connector("github")
    body = {"params": {"issue_tracker_server": "github.example.com", TOKEN: MASK}}
    response = api.patch(item(connector.id), json=body)
    assert response.status_code == 400
    assert response.get_json()["errors"] == {f"params.{TOKEN}": [REENTER_MESSAGE]}


def test_the_system_of_a_connector_cannot_change(api):
    connector = make_connector("github")
    response = api.patch(item(connector.id), json={"system": {"id": "gitlab"}})
    assert response.status_code == 400 and "system" in response.get_json()["errors"]
    assert api.patch(item(connector.id), json={"system": {"id": "github"}}).status_code == 200


@pytest.mark.parametrize("header", ['"{v}"', "{v}", 'W/"{v}"', "*"])
def test_patch_with_the_current_version_in_if_match_succeeds(api, header):
    connector = make_connector("github")
    version = connector.version
    headers = {"If-Match": header.format(v=version)}
    response = api.patch(item(connector.id), json={"name": "Renamed"}, headers=headers)
    assert response.status_code == 200
    assert response.headers["ETag"] == f'"{version + 1}"'


def test_patch_with_an_old_version_is_412(api):
    connector = make_connector("github")
    headers = {"If-Match": f'"{connector.version}"'}
    api.patch(item(connector.id), json={"name": "First"})
    response = api.patch(item(connector.id), json={"name": "Second"}, headers=headers)
    assert response.status_code == 412
    assert "version 2" in response.get_json()["detail"]
    assert stored(connector.id).name == "First"


def test_a_malformed_if_match_is_400(api):
    connector = make_connector("github")
    response = api.patch(item(connector.id), json={}, headers={"If-Match": "yesterday"})
    assert response.status_code == 400


def test_delete_removes_the_connector(api):
    connector_id = make_connector("github").id
    assert api.delete(item(connector_id)).status_code == 204
    assert stored(connector_id) is None


@pytest.mark.parametrize("path", ["/connectors/issue-tracker", "/connectors/issue-tracker/"])
def test_paths_answer_with_and_without_the_trailing_slash(api, path):
    response = api.post(path, json=github_body())
    assert response.status_code == 201
    assert api.get(path.rstrip("/") + f"/{response.get_json()['id']}").status_code == 200


def test_viewers_may_read_but_not_change(viewer_api):
    connector = make_connector("github")
    assert viewer_api.get(COLLECTION).status_code == 200
    assert viewer_api.get(item(connector.id)).status_code == 200
    denied = [
        viewer_api.post(COLLECTION, json=github_body()),
        viewer_api.patch(item(connector.id), json={"name": "x"}),
        viewer_api.delete(item(connector.id)),
    ]
    assert [r.status_code for r in denied] == [403, 403, 403]
    assert all(r.get_json()["detail"] for r in denied)
    assert stored(connector.id).name == connector.name


def test_changes_are_audited_as_the_tokens_user(api, admin):
    from webapp.models import AuditEntry

    api.post(COLLECTION, json=github_body())
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "connector.create"))
    assert entry.actor_id == admin.id


def test_systems_are_listed_with_their_params_schema(api):
    results = api.get("/systems").get_json()["results"]
    github = next(s for s in results if s["id"] == "github")
    assert github["short_name"] == "GitHub" and github["name"] == "GitHub"
    assert "github_repo_owner" in github["params_schema"]["required"]


def test_an_id_beyond_the_integer_range_is_404(api):
    # Found by the fuzz run: SQLite raised OverflowError (a 500) on such ids.
    assert api.get(item(2**63)).status_code == 404


def test_a_duplicate_name_beyond_ascii_is_400_not_a_database_error(api):
    # Found by the fuzz run: Python's lower() and SQLite's differ for "À".
    assert api.post(COLLECTION, json={**github_body(), "name": "Àccount"}).status_code == 201
    response = api.post(COLLECTION, json={**github_body(), "name": "Àccount"})
    assert response.status_code == 400
    assert response.get_json()["errors"]["name"] == ["A connector with this name already exists."]


def test_the_list_comes_in_pages_of_page_size(api):
    for index in range(3):
        make_connector("gitlab", name=f"Paged {index}")
    first = api.get(COLLECTION + "?page_size=2").get_json()
    assert [c["name"] for c in first["results"]] == ["Paged 0", "Paged 1"]
    assert (first["count"], first["page"], first["pages"]) == (3, 1, 2)
    second = api.get(COLLECTION + "?page_size=2&page=2").get_json()
    assert [c["name"] for c in second["results"]] == ["Paged 2"]
    # A size out of range is the default page (100 connectors), as a bad ?page= is page 1.
    assert len(api.get(COLLECTION + "?page_size=0").get_json()["results"]) == 3


def test_listing_takes_the_same_queries_for_few_or_many_connectors_with_webhooks(api):
    def queries_to_list() -> int:
        with count_queries() as statements:
            assert api.get(COLLECTION).status_code == 200
        return len(statements)

    for index in range(2):
        connector = make_connector("gitlab", name=f"Hooked {index}")
        api.post(f"{COLLECTION}{connector.id}/webhook/rotate/")
    few = queries_to_list()
    for index in range(2, 12):
        connector = make_connector("gitlab", name=f"Hooked {index}")
        api.post(f"{COLLECTION}{connector.id}/webhook/rotate/")
    assert queries_to_list() == few
