"""Secrets are write-only, encrypted at rest, and only ever go to the server they were
entered for."""

import logging

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from tests.factories import make_connector
from tests.support.connector_data import FORM_PARAMS, GITLAB_TOKEN, JIRA_PASSWORD
from webapp.extensions import db
from webapp.models import Connector
from webapp.services import secret_wording
from webapp.services.secrets import connector_secrets

NEW_TOKEN = "glpat-SECRET-replacement-token-777"


def edit_form(connector, **changes):
    data = {
        "name": connector.name,
        **FORM_PARAMS[connector.system_id],
        "version": str(connector.version),
    }
    data.update(changes)
    return data


def raw_row(connector_id: int) -> str:
    row = db.session.execute(
        text("SELECT params, secrets_ciphertext, secret_names FROM connectors WHERE id = :id"),
        {"id": connector_id},
    ).one()
    return " ".join(str(value) for value in row)


def test_token_appears_in_no_page_redirect_flash_or_log(admin_client, caplog):
    caplog.set_level(logging.DEBUG)
    seen = []
    response = admin_client.submit(
        "/connectors/new/gitlab", {"name": "Leak check", **FORM_PARAMS["gitlab"]}
    )
    seen.append(str(response.headers))
    seen.append(response.get_data(as_text=True))
    connector = db.session.scalar(db.select(Connector))
    for url in (
        "/",
        "/connectors/",
        f"/connectors/{connector.id}",
        f"/connectors/{connector.id}/edit",
        f"/connectors/{connector.id}/clone",
        f"/connectors/{connector.id}/delete",
        "/systems/gitlab/schema.json",
    ):
        response = admin_client.get(url)
        seen.append(str(response.headers))
        seen.append(response.get_data(as_text=True))
    # A failed save re-renders the form: the typed token must not come back either.
    response = admin_client.submit(
        f"/connectors/{connector.id}/edit",
        edit_form(connector, issue_tracker_api_token=NEW_TOKEN, issue_tracker_server="https://bad"),
    )
    seen.append(response.get_data(as_text=True))
    seen.append(caplog.text)
    seen.append(repr(connector))
    everything = "\n".join(seen)
    assert "Please correct the errors below." in everything
    assert GITLAB_TOKEN not in everything
    assert NEW_TOKEN not in everything
    assert GITLAB_TOKEN not in raw_row(connector.id)


def test_blank_secret_keeps_the_stored_value(admin_client):
    connector = make_connector("gitlab")
    response = admin_client.submit(
        f"/connectors/{connector.id}/edit", edit_form(connector, issue_tracker_api_token="")
    )
    assert response.status_code == 302
    assert connector_secrets(connector) == {"issue_tracker_api_token": GITLAB_TOKEN}


def test_edit_form_says_the_secret_is_stored(admin_client):
    connector = make_connector("gitlab")
    page = admin_client.get(f"/connectors/{connector.id}/edit").get_data(as_text=True)
    assert secret_wording.STORED_HELP in page
    assert f'placeholder="{secret_wording.PLACEHOLDER}"' in page
    assert secret_wording.CLEAR_LABEL in page


def test_new_secret_replaces_the_stored_value(admin_client):
    connector = make_connector("gitlab")
    admin_client.submit(
        f"/connectors/{connector.id}/edit", edit_form(connector, issue_tracker_api_token=NEW_TOKEN)
    )
    assert connector_secrets(connector) == {"issue_tracker_api_token": NEW_TOKEN}


def test_clearing_a_required_secret_asks_for_a_new_one_and_loses_nothing(admin_client):
    connector = make_connector("gitlab")
    page = admin_client.submit(
        f"/connectors/{connector.id}/edit",
        edit_form(connector, issue_tracker_api_token="", clear__issue_tracker_api_token="y"),
    ).get_data(as_text=True)
    assert "This field is required." in page
    assert connector_secrets(connector) == {"issue_tracker_api_token": GITLAB_TOKEN}


def test_clear_with_a_new_value_stores_the_new_value(admin_client):
    connector = make_connector("gitlab")
    admin_client.submit(
        f"/connectors/{connector.id}/edit",
        edit_form(connector, issue_tracker_api_token=NEW_TOKEN, clear__issue_tracker_api_token="y"),
    )
    assert connector_secrets(connector) == {"issue_tracker_api_token": NEW_TOKEN}


@pytest.mark.parametrize(
    "change",
    [
        {"issue_tracker_server": "attacker.example.net"},
        {"issue_tracker_method": "http"},
        {"issue_tracker_server": "gitlab.example.com:8443"},
    ],
    ids=["server", "method", "port"],
)
def test_stored_token_is_not_kept_when_the_destination_changes(admin_client, change):
    connector = make_connector("gitlab")
    page = admin_client.submit(
        f"/connectors/{connector.id}/edit",
        edit_form(connector, issue_tracker_api_token="", **change),
    ).get_data(as_text=True)
    assert secret_wording.REENTER_MESSAGE in page
    # The field with that error no longer offers to keep the stored value.
    assert secret_wording.PLACEHOLDER not in page and secret_wording.STORED_HELP not in page
    assert connector.params["issue_tracker_server"] == "gitlab.example.com"
    assert connector.params["issue_tracker_method"] == "https"


def test_destination_change_with_a_new_token_is_saved(admin_client):
    connector = make_connector("gitlab")
    response = admin_client.submit(
        f"/connectors/{connector.id}/edit",
        edit_form(
            connector, issue_tracker_server="gitlab.internal", issue_tracker_api_token=NEW_TOKEN
        ),
    )
    assert response.status_code == 302
    assert connector.params["issue_tracker_server"] == "gitlab.internal"
    assert connector_secrets(connector) == {"issue_tracker_api_token": NEW_TOKEN}


def test_switching_auth_mode_asks_for_the_new_credentials_and_drops_the_old(admin_client):
    connector = make_connector("jira")
    data = edit_form(connector, issue_tracker_auth_mode="api_token", issue_tracker_pass="")
    page = admin_client.submit(f"/connectors/{connector.id}/edit", data).get_data(as_text=True)
    assert "This field is required." in page  # the personal access token
    data["issue_tracker_api_token"] = "SECRET-jira-pat-0000"
    assert admin_client.submit(f"/connectors/{connector.id}/edit", data).status_code == 302
    assert connector_secrets(connector) == {"issue_tracker_api_token": "SECRET-jira-pat-0000"}
    assert "issue_tracker_user" not in connector.params


def test_clone_does_not_copy_secrets_to_another_server(admin_client):
    source = make_connector("jira", name="Source")
    data = {
        "name": "Elsewhere",
        **FORM_PARAMS["jira"],
        "issue_tracker_pass": "",
        "issue_tracker_server": "evil.example.org",
        "copy_secrets": "y",
    }
    page = admin_client.submit(f"/connectors/{source.id}/clone", data).get_data(as_text=True)
    assert "Enter it again" in page
    assert db.session.scalar(db.select(Connector).where(Connector.name == "Elsewhere")) is None
    assert JIRA_PASSWORD not in page


def test_undecryptable_secret_is_reported_and_can_be_re_entered(app, admin_client):
    connector = make_connector("gitlab")
    app.config["CONNECTOR_SECRETS_KEY"] = Fernet.generate_key().decode()
    page = admin_client.get(f"/connectors/{connector.id}").get_data(as_text=True)
    assert "cannot be decrypted" in page
    edit_page = admin_client.get(f"/connectors/{connector.id}/edit").get_data(as_text=True)
    assert secret_wording.UNREADABLE_MESSAGE in edit_page
    assert secret_wording.PLACEHOLDER not in edit_page
    page = admin_client.submit(
        f"/connectors/{connector.id}/edit", edit_form(connector, issue_tracker_api_token="")
    ).get_data(as_text=True)
    assert "The stored value cannot be decrypted — enter it again." in page
    response = admin_client.submit(
        f"/connectors/{connector.id}/edit", edit_form(connector, issue_tracker_api_token=NEW_TOKEN)
    )
    assert response.status_code == 302
    assert connector_secrets(connector) == {"issue_tracker_api_token": NEW_TOKEN}


def test_rotate_re_encrypts_under_the_new_primary_key(app, runner):
    old_key = app.config["CONNECTOR_SECRETS_KEY"]
    connector = make_connector("gitlab")
    before = connector.secrets_ciphertext
    new_key = Fernet.generate_key().decode()
    app.config["CONNECTOR_SECRETS_KEY"] = f"{new_key},{old_key}"
    result = runner.invoke(args=["secrets", "rotate"])
    assert result.exit_code == 0, result.output
    assert "Re-encrypted the secrets of 1 connector(s)." in result.output
    db.session.refresh(connector)
    assert connector.secrets_ciphertext != before
    app.config["CONNECTOR_SECRETS_KEY"] = new_key  # the old key can now go
    assert connector_secrets(connector) == {"issue_tracker_api_token": GITLAB_TOKEN}


def test_rotate_reports_secrets_no_key_can_read(app, runner):
    make_connector("gitlab", name="Orphaned")
    app.config["CONNECTOR_SECRETS_KEY"] = Fernet.generate_key().decode()
    result = runner.invoke(args=["secrets", "rotate"])
    assert result.exit_code == 1
    assert "Cannot decrypt the secrets of connector" in result.output
