"""The import/export page and the Argus settings page."""

from __future__ import annotations

import io
import json
import re

from tests.factories import PASSWORD, make_connector, make_user
from tests.support.connector_data import GITLAB_TOKEN
from webapp.extensions import db
from webapp.models import Connector

SECRET = "glpat-pasted-secret-value"
SETTINGS = f"""
TICKET_PLUGIN = "argus_ticket_gitlab.GitlabPlugin"
TICKET_ENDPOINT = "https://gitlab.example.com/"
TICKET_AUTHENTICATION_SECRET = {{"token": "{SECRET}"}}
TICKET_INFORMATION = {{"project_namespace_and_name": "group/project", "team": "ops"}}
"""


def sealed_value(html: str) -> str:
    match = re.search(r'name="sealed"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="sealed"', html
    )
    assert match, "no sealed settings in the page"
    return match.group(1)


def test_dry_run_shows_the_connector_and_unmapped_keys_without_echoing_secrets(admin_client):
    response = admin_client.submit(
        "/connectors/import", {"name": "From Argus", "settings": SETTINGS, "preview": "Dry run"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Would create" in html and "group/project" in html
    assert "TICKET_INFORMATION.team" in html
    assert SECRET not in html
    assert db.session.scalar(db.select(Connector)) is None


def test_create_after_a_dry_run_uses_the_previewed_settings(admin_client):
    preview = admin_client.submit(
        "/connectors/import", {"name": "From Argus", "settings": SETTINGS, "preview": "Dry run"}
    )
    sealed = sealed_value(preview.get_data(as_text=True))
    response = admin_client.submit(
        "/connectors/import", {"name": "From Argus", "sealed": sealed, "create": "Create"}
    )
    assert response.status_code == 302
    connector = db.session.scalar(db.select(Connector))
    assert response.location == f"/connectors/{connector.id}"
    assert connector.params["gitlab_project"] == "group/project"
    page = admin_client.get(response.location).get_data(as_text=True)
    assert "Test its connection now" in page and 'data-testid="test-connection"' in page


def test_uploaded_settings_file_is_read(admin_client):
    response = admin_client.submit(
        "/connectors/import",
        {
            "name": "Uploaded",
            "settings_file": (io.BytesIO(SETTINGS.encode()), "argus.py"),
            "create": "Create",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert db.session.scalar(db.select(Connector)).name == "Uploaded"


def test_non_literal_settings_are_an_error_beside_the_field(admin_client):
    response = admin_client.submit(
        "/connectors/import",
        {"name": "x", "settings": "TICKET_PLUGIN = load()\n", "preview": "Dry run"},
    )
    html = response.get_data(as_text=True)
    assert "Line 1: TICKET_PLUGIN is not a literal value" in html
    assert "invalid-feedback" in html


def test_viewers_cannot_open_the_import_page(client, auth):
    make_user("viewer@example.com", role="viewer")
    auth.login("viewer@example.com", PASSWORD)
    assert client.get("/connectors/import").status_code == 403


def test_bundle_preview_then_import(admin_client):
    make_connector("gitlab", name="Ops GitLab")
    bundle = admin_client.submit("/connectors/export", {})
    assert bundle.status_code == 200
    assert "attachment" in bundle.headers["Content-Disposition"]
    data = json.loads(bundle.get_data(as_text=True))
    data["connectors"][0]["params"]["gitlab_project"] = "group/other"
    text = json.dumps(data)
    preview = admin_client.submit(
        "/connectors/import/bundle", {"bundle": text, "preview": "Preview"}
    )
    assert re.search(
        r"<td>Ops GitLab</td><td>gitlab</td><td>update</td>", preview.get_data(as_text=True)
    )
    applied = admin_client.submit("/connectors/import/bundle", {"bundle": text, "apply": "Import"})
    assert applied.status_code == 302
    assert db.session.scalar(db.select(Connector)).params["gitlab_project"] == "group/other"


def test_bundle_with_secrets_needs_the_password(admin_client):
    make_connector("gitlab", name="Ops GitLab")
    wrong = admin_client.submit(
        "/connectors/export",
        {"include_secrets": "y", "passphrase": "a long bundle passphrase", "password": "nope"},
    )
    assert wrong.status_code == 400
    assert "That is not your password." in wrong.get_data(as_text=True)
    right = admin_client.submit(
        "/connectors/export",
        {"include_secrets": "y", "passphrase": "a long bundle passphrase", "password": PASSWORD},
    )
    assert json.loads(right.get_data(as_text=True))["secrets"]["kdf"] == "scrypt"
    assert GITLAB_TOKEN not in right.get_data(as_text=True)


def test_argus_page_shows_placeholders_then_secrets_after_the_password(admin_client):
    connector = make_connector("gitlab")
    detail = admin_client.get(f"/connectors/{connector.id}").get_data(as_text=True)
    assert f"/connectors/{connector.id}/export/argus" in detail
    page = admin_client.get(f"/connectors/{connector.id}/export/argus").get_data(as_text=True)
    assert "TICKET_PLUGIN = &#39;argus_ticket_gitlab.GitlabPlugin&#39;" in page
    assert "&lt;token&gt;" in page and GITLAB_TOKEN not in page
    wrong = admin_client.submit(f"/connectors/{connector.id}/export/argus", {"password": "x"})
    assert GITLAB_TOKEN not in wrong.get_data(as_text=True)
    assert "That is not your password." in wrong.get_data(as_text=True)
    right = admin_client.submit(f"/connectors/{connector.id}/export/argus", {"password": PASSWORD})
    assert GITLAB_TOKEN in right.get_data(as_text=True)


def test_argus_labels_set_become_the_ticket_forms_default_labels(admin_client, admin):
    from webapp.services.argus_settings import import_argus

    settings = SETTINGS.replace('"team": "ops"', '"labels_set": ["argus", "incident"]')
    plan = import_argus(admin, "Labelled", settings, dry_run=False)
    page = admin_client.get(f"/tickets/new?connector={plan.connector.id}").get_data(as_text=True)
    assert re.search(r'name="labels"[^>]*value="argus, incident"', page) or re.search(
        r'value="argus, incident"[^>]*name="labels"', page
    )
