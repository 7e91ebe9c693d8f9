"""Every request of the SD Elements connector API documentation, replayed verbatim.

The bodies and expected responses are in seed_requests.json, copied from the seed
file named in its "_source". Secrets come back masked; everything else as documented.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.api.conftest import ApiClient
from webapp.api.serializers import MASK
from webapp.extensions import db
from webapp.models import Connector
from webapp.services.secrets import connector_secrets
from webapp.services.systems import get_system

SEED = json.loads((Path(__file__).parent / "seed_requests.json").read_text())
REQUESTS = {request["title"]: request for request in SEED["requests"]}
LIST = REQUESTS["Get All Issue Tracker Connectors"]


def replay(api: ApiClient, title: str, ids: dict[int, int] | None = None):
    """Send the seed request ``title`` as documented (its quoted Token header included),
    with the seed's connector id in the path replaced by ours."""
    request = REQUESTS[title]
    path = request["path"].removeprefix("/api/v2")
    for seed_id, our_id in (ids or {}).items():
        path = path.replace(f"/{seed_id}/", f"/{our_id}/")
    headers = {**request["headers"], "Authorization": f'Token "{api.key}"'}
    kwargs = {"json": request["body"]} if request["body"] is not None else {}
    response = api.open(request["method"], path, headers=headers, **kwargs)
    assert response.status_code == request["status"], response.get_data(as_text=True)
    return response


def assert_like_seed(actual: dict, expected: dict, connector_id: int) -> None:
    """Same keys and values as the seed's connector, secrets masked; plus our extras."""
    assert set(actual) == set(expected) | {"secure_fields", "version", "webhook"}
    assert actual["id"] == connector_id
    for key in ("name", "system", "inaccessible"):
        assert actual[key] == expected[key]
    secrets = set(get_system(expected["system"]["id"]).secret_field_names)
    for key, value in expected["params"].items():
        if key in secrets:
            assert actual["params"][key] == MASK
        else:
            assert str(actual["params"][key]) == str(value), key
    assert actual["secure_fields"] == {key: True for key in expected["params"] if key in secrets}


@pytest.fixture
def seeded(api):
    """The seed's two example connectors: the documented create request, and the list's
    JIRA entry posted as it is shown (its id and system names are ignored on input)."""
    github = replay(api, "Create an Issue Tracker Connector").get_json()
    jira_entry = LIST["response"]["results"][1]
    jira = api.post("/connectors/issue-tracker/", json=jira_entry)
    assert jira.status_code == 201, jira.get_json()
    return {1: github["id"], 2: jira.get_json()["id"], 3: github["id"]}


def test_create_answers_201_with_the_documented_connector(api):
    response = replay(api, "Create an Issue Tracker Connector")
    expected = REQUESTS["Create an Issue Tracker Connector"]["response"]
    assert_like_seed(response.get_json(), expected, response.get_json()["id"])


def test_create_stores_the_real_secret_and_never_the_mask(api):
    connector_id = replay(api, "Create an Issue Tracker Connector").get_json()["id"]
    connector = db.session.get(Connector, connector_id)
    assert connector_secrets(connector) == {"issue_tracker_api_token": "token"}
    assert "issue_tracker_api_token" not in connector.params


def test_list_answers_every_connector_as_documented(api, seeded):
    results = replay(api, "Get All Issue Tracker Connectors", seeded).get_json()["results"]
    expected = LIST["response"]["results"]
    assert len(results) == len(expected)
    for actual, documented in zip(results, expected, strict=True):
        assert_like_seed(actual, documented, seeded[documented["id"]])


def test_get_answers_the_documented_connector(api, seeded):
    response = replay(api, "Get a Specific Issue Tracker Connector", seeded)
    expected = REQUESTS["Get a Specific Issue Tracker Connector"]["response"]
    assert_like_seed(response.get_json(), expected, seeded[1])


def test_patch_answers_the_updated_connector_and_stores_the_new_secret(api, seeded):
    response = replay(api, "Update an Issue Tracker Connector", seeded)
    expected = REQUESTS["Update an Issue Tracker Connector"]["response"]
    # The seed's response says id 12 for a PATCH of connector 3: we answer the one patched.
    assert_like_seed(response.get_json(), expected, seeded[3])
    connector = db.session.get(Connector, seeded[3])
    assert connector_secrets(connector) == {"issue_tracker_api_token": "new token"}


def test_delete_answers_204_and_the_connector_is_gone(api, seeded):
    response = replay(api, "Delete an Issue Tracker Connector", seeded)
    assert response.get_data() == b""
    assert api.get(f"/connectors/issue-tracker/{seeded[3]}/").status_code == 404


def test_test_connection_answers_success_as_documented(api, checks_pass):
    response = replay(api, "Test an Issue Tracker Connector")
    body = response.get_json()
    assert body["success"] is True
    assert set(REQUESTS["Test an Issue Tracker Connector"]["response"]) <= set(body)
    (_, system_id, name, params, _) = checks_pass[0]
    assert (system_id, name) == ("github", "Issue Tracker Test")
    assert params == REQUESTS["Test an Issue Tracker Connector"]["body"]["params"]
