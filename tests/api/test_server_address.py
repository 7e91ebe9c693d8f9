"""A server is ``host[:port][/path]``: it can never choose a query, fragment or credentials.

A server field that took ``127.0.0.1:5702/internal/admin?x=`` made every API path the
tail of a query string (``GET /internal/admin?x=/api/v4/user``): the caller chose the
whole request. The form and the API refuse such servers with a message on the field;
tests/unit/trackers/test_urls.py shows the clients refuse a stored one too.
"""

from __future__ import annotations

import pytest

from tests.fakes import FakeGitLab
from tests.support.connector_data import FORM_PARAMS, GITLAB_TOKEN, api_params
from webapp.extensions import db
from webapp.models import Connector

SMUGGLING = {
    "query": "/internal/admin?x=",
    "fragment": "/internal/admin#",
    "credentials": "/a@evil.example",
    "backslash": "\\evil.example",
    "space": "/a b",
    "tab": "/a\tb",
    "control character": "/a\x01b",
    "line break": "/a\r\nX-Injected: 1",
}
smuggled_paths = pytest.mark.parametrize("tail", SMUGGLING.values(), ids=SMUGGLING.keys())


@smuggled_paths
def test_the_form_names_the_server_field(admin_client, tail):
    data = {**FORM_PARAMS["gitlab"], "name": "Tracker", "issue_tracker_server": "127.0.0.1:5702"}
    data["issue_tracker_server"] += tail
    page = admin_client.submit("/connectors/new/gitlab", data).get_data(as_text=True)
    assert "Please correct the errors below." in page
    field = page.split('data-field="issue_tracker_server"', 1)[1].split('data-field="', 1)[0]
    assert 'class="invalid-feedback d-block"' in field
    assert db.session.scalar(db.select(Connector)) is None


@smuggled_paths
def test_the_api_answers_400_naming_the_field_and_sends_nothing(api, tail):
    with FakeGitLab(token=GITLAB_TOKEN) as fake:
        params = {**api_params("gitlab"), "issue_tracker_method": "http"}
        params["issue_tracker_server"] = fake.host_port + tail
        body = {"name": "Probe", "system": {"id": "gitlab"}, "params": params}
        response = api.post("/connectors/test-issue-tracker/", json=body)
        assert response.status_code == 400
        assert list(response.get_json()["errors"]) == ["params.issue_tracker_server"]
        assert api.post("/connectors/issue-tracker/", json=body).status_code == 400
        assert fake.requests == []
