"""Connector versions: every change through the service is kept, with who, when and where;
a restore saves an old version as the next one, and keeps a secret only for its place."""

from __future__ import annotations

import json
import threading

import pytest

from tests.factories import make_connector, make_user
from tests.support.material import material_for
from webapp.extensions import db
from webapp.models import AuditEntry, ConnectorVersion
from webapp.services import connector_history as history
from webapp.services.change_context import changes_via
from webapp.services.connectors import (
    ConnectorChanges,
    StaleEdit,
    create_connector,
    set_disabled,
    update_connector,
)
from webapp.services.errors import ValidationFailed
from webapp.services.secrets import connector_secrets

TOKEN_NAME, TOKEN = material_for("gitlab").secret
NEW_TOKEN = "glpat-SECRET-second-token-1f2e3d"


def versions(connector) -> list[ConnectorVersion]:
    return list(db.session.scalars(history.versions_query(connector)))[::-1]


def edit(actor, connector, **params):
    """Change params (and optionally name/categories) keeping the rest."""
    categories = params.pop("categories", None)
    name = params.pop("name", connector.name)
    return update_connector(
        actor,
        connector,
        ConnectorChanges(name=name, params=params, keep_missing_params=True, categories=categories),
    )


def stored_text() -> str:
    """Every version row as text, for leak checks."""
    rows = db.session.scalars(db.select(ConnectorVersion)).all()
    return json.dumps(
        [
            [v.name, v.params, v.categories, v.secret_names, v.secrets_changed, v.changes, v.note]
            for v in rows
        ]
    )


def test_create_update_disable_and_categories_each_make_a_version(app, admin):
    connector = make_connector("gitlab", name="Main", actor=admin)
    edit(admin, connector, gitlab_project="group/other")
    edit(admin, connector, categories=[{"name": "Hardware", "label": "hw", "colour": "#112233"}])
    set_disabled(admin, connector, True)
    edit(admin, connector, issue_tracker_api_token=NEW_TOKEN)

    first, second, third, fourth, fifth = versions(connector)
    assert [v.number for v in versions(connector)] == [1, 2, 3, 4, 5]
    assert first.secrets_changed == [TOKEN_NAME] and first.changes == []
    assert first.params["gitlab_project"] == "group/project"
    assert TOKEN_NAME not in first.params and first.secret_names == [TOKEN_NAME]
    assert second.changes == ["params.gitlab_project"]
    assert second.params["gitlab_project"] == "group/other"
    assert third.changes == ["categories"]
    assert third.categories == [{"name": "Hardware", "label": "hw", "colour": "#112233"}]
    assert fourth.changes == ["disabled"] and fourth.disabled is True
    assert fifth.changes == [f"secrets.{TOKEN_NAME}"] and fifth.secrets_changed == [TOKEN_NAME]
    assert {v.actor_email for v in versions(connector)} == {admin.email}
    assert {v.actor_id for v in versions(connector)} == {admin.id}
    # pytest-flask runs each test in a request context: a page's.
    assert {v.via for v in versions(connector)} == {"page"}
    assert TOKEN not in stored_text() and NEW_TOKEN not in stored_text()


def test_saving_without_a_change_adds_no_version(app, admin):
    connector = make_connector("gitlab", actor=admin)
    edit(admin, connector)
    assert [v.number for v in versions(connector)] == [1]


def test_a_clone_starts_its_own_history_and_via_follows_the_context(app, admin):
    source = make_connector("gitlab", name="Source", actor=admin)
    with changes_via("import"):
        copy = create_connector(
            admin,
            "gitlab",
            ConnectorChanges(name="Copy", params={**source.params}),
            clone_of=source,
        )
    (version,) = versions(copy)
    assert version.number == 1 and version.via == "import" and version.name == "Copy"
    assert version.secret_names == [TOKEN_NAME]
    assert [v.number for v in versions(source)] == [1]


def test_versions_via_page_and_api(app, admin, admin_client):
    from tests.api.conftest import ApiClient, new_key

    connector = make_connector("gitlab", name="Via", actor=admin)
    admin_client.submit(f"/connectors/{connector.id}/disabled", {"disabled": "1"})
    api = ApiClient(app.test_client(), new_key(admin))
    response = api.patch(
        f"/connectors/issue-tracker/{connector.id}/", json={"params": {"gitlab_project": "a/b"}}
    )
    assert response.status_code == 200, response.get_json()
    assert [(v.number, v.via) for v in versions(connector)] == [
        (1, "page"),
        (2, "page"),
        (3, "api"),
    ]


def test_outside_a_request_changes_are_kept_as_made_with_the_cli(app, admin):
    # pytest-flask pushes a request context for every test: a fresh thread has none.
    made = []

    def command_line():
        with app.app_context():
            made.append(make_connector("gitlab", name="From the shell").id)

    thread = threading.Thread(target=command_line)
    thread.start()
    thread.join()
    (version,) = db.session.scalars(
        db.select(ConnectorVersion).where(ConnectorVersion.connector_id == made[0])
    )
    assert version.via == "cli" and version.actor_id is None and version.actor_email is None


def test_restore_with_the_same_destination_keeps_the_secret(app, admin):
    connector = make_connector("gitlab", name="Old name", actor=admin)
    edit(
        admin,
        connector,
        name="New name",
        gitlab_project="group/new",
        categories=[{"name": "Bug", "label": "bug", "colour": "#aa0000"}],
    )
    set_disabled(admin, connector, True)

    restored = history.restore_version(admin, connector, 1, expected_version=connector.version)

    assert restored.number == 4 and restored.restored_from == 1 and restored.via == "restore"
    assert connector.name == "Old name" and connector.params["gitlab_project"] == "group/project"
    assert connector.categories == [] and connector.disabled is False
    assert connector_secrets(connector) == {TOKEN_NAME: TOKEN}
    assert [v.number for v in versions(connector)] == [1, 2, 3, 4]  # nothing rewritten
    assert versions(connector)[0].name == "Old name"
    entry = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action == "connector.restore")
    ).one()
    assert entry.details["version"] == 1 and entry.actor_id == admin.id
    assert entry.details["new_version"] == 4 and entry.details["disabled"] is False
    assert entry.details["changed"] == ["gitlab_project"]
    assert TOKEN not in json.dumps(entry.details)


def test_restore_to_another_server_asks_for_the_secret(app, admin):
    connector = make_connector("gitlab", name="Moved", actor=admin)
    edit(
        admin,
        connector,
        issue_tracker_server="gitlab.other.example",
        issue_tracker_api_token=NEW_TOKEN,
    )
    before = connector.version

    with pytest.raises(history.SecretsNeeded) as caught:
        history.restore_version(admin, connector, 1)
    assert caught.value.names == [TOKEN_NAME]
    assert list(caught.value.errors) == [f"params.{TOKEN_NAME}"]
    assert connector.version == before and len(versions(connector)) == 2

    history.restore_version(admin, connector, 1, typed_secrets={TOKEN_NAME: TOKEN})
    assert connector.params["issue_tracker_server"] == "gitlab.example.com"
    assert connector_secrets(connector) == {TOKEN_NAME: TOKEN}
    assert versions(connector)[-1].secrets_changed == [TOKEN_NAME]


def test_restore_refuses_non_secret_params_and_stale_versions(app, admin):
    connector = make_connector("gitlab", actor=admin)
    edit(admin, connector, gitlab_project="group/two")
    with pytest.raises(ValidationFailed) as caught:
        history.restore_version(admin, connector, 1, typed_secrets={"gitlab_project": "x/y"})
    assert list(caught.value.errors) == ["params.gitlab_project"]
    with pytest.raises(StaleEdit):
        history.restore_version(admin, connector, 1, expected_version=connector.version - 1)
    assert len(versions(connector)) == 2


def test_viewers_cannot_restore(app, admin):
    from webapp.services.errors import Forbidden

    connector = make_connector("gitlab", actor=admin)
    with pytest.raises(Forbidden):
        history.restore_version(make_user(role="viewer"), connector, 1)


def test_compare_shows_params_categories_states_and_secret_markers(app, admin):
    connector = make_connector("gitlab", name="Cmp", actor=admin)
    edit(
        admin,
        connector,
        gitlab_project="group/two",
        issue_tracker_api_token=NEW_TOKEN,
        categories=[{"name": "Bug", "label": "bug", "colour": "#aa0000"}],
    )
    set_disabled(admin, connector, True)
    one, _, three = versions(connector)
    rows = {(row.section, row.label): row for row in history.compare(connector, one, three)}
    project_label = [r for r in rows if r[0] == "Settings" and rows[r].old == "group/project"]
    assert project_label and rows[project_label[0]].new == "group/two"
    assert rows[("General", "Enabled")].old == "enabled"
    assert rows[("General", "Enabled")].new == "disabled"
    assert rows[("Categories", "Bug")].old == "—"
    secret = next(row for row in rows.values() if row.section == "Secrets")
    assert (secret.old, secret.new) == ("stored", "stored (changed)") and secret.changed
    assert not rows[("General", "Name")].changed
    assert history.summary(history.get_system("gitlab"), three) == ["Disabled"]


def test_deleting_a_connector_deletes_its_versions(app, admin):
    from webapp.services.connectors import delete_connector

    connector = make_connector("gitlab", actor=admin)
    edit(admin, connector, gitlab_project="group/two")
    delete_connector(admin, connector)
    assert db.session.scalars(db.select(ConnectorVersion)).all() == []


def another_request_saves_version_two_meanwhile(connector) -> None:
    """Another process saves the connector (and its version 2) after this request loaded
    it: its own connection, so this session still holds the connector as it was."""
    from sqlalchemy import insert, update

    from webapp.models import Connector
    from webapp.models.base import utcnow

    with db.engine.begin() as connection:
        connection.execute(
            update(Connector)
            .where(Connector.id == connector.id)
            .values(version=connector.version + 1, params={**connector.params, "x": 1})
        )
        connection.execute(
            insert(ConnectorVersion).values(
                connector_id=connector.id,
                number=2,
                name=connector.name,
                params={},
                categories=[],
                inaccessible=False,
                disabled=False,
                secret_names=[],
                secrets_changed=[],
                changes=["params.x"],
                at=utcnow(),
                via="api",
            )
        )


@pytest.mark.parametrize("change", ["edit", "restore"])
def test_a_change_racing_another_is_a_stale_edit_not_a_second_version_two(app, admin, change):
    connector = make_connector("gitlab", actor=admin)
    another_request_saves_version_two_meanwhile(connector)
    with pytest.raises(StaleEdit):
        if change == "edit":
            edit(admin, connector, gitlab_project="group/three")
        else:
            history.restore_version(admin, connector, 1)
    db.session.expire_all()
    numbers = db.session.scalars(
        db.select(ConnectorVersion.number).where(ConnectorVersion.connector_id == connector.id)
    ).all()
    assert sorted(numbers) == [1, 2]
    assert (
        db.session.scalars(
            db.select(AuditEntry).where(AuditEntry.action == "connector.restore")
        ).all()
        == []
    )
