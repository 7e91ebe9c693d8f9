"""JSON bundles: every connector out and back in, secrets only under a passphrase."""

from __future__ import annotations

import json

import pytest

from tests.factories import make_connector
from tests.support.connector_data import ALL_SECRETS, GITLAB_TOKEN
from webapp.extensions import db
from webapp.models import AuditEntry, Connector
from webapp.services.bundle_secrets import WRONG_PASSPHRASE
from webapp.services.bundles import export_bundle, import_bundle
from webapp.services.connectors import (
    ConnectorChanges,
    delete_connector,
    replace_categories,
    set_disabled,
)
from webapp.services.errors import ValidationFailed
from webapp.services.secrets import connector_secrets

PASSPHRASE = "a long bundle passphrase"


@pytest.fixture
def connectors(app):
    gitlab = make_connector("gitlab", name="Ops GitLab")
    replace_categories(gitlab, [{"name": "Bug", "label": "bug", "colour": "#d73a4a"}])
    db.session.commit()
    rt = make_connector("rt", name="Helpdesk RT")
    set_disabled(None, rt, True)
    return [gitlab, rt, make_connector("jira", name="Jira Cloud")]


def wipe() -> None:
    for connector in db.session.scalars(db.select(Connector)).all():
        delete_connector(None, connector)


def actions(result) -> dict[str, str]:
    return {item.name: item.action for item in result.items}


def test_bundle_without_passphrase_holds_no_secrets(connectors):
    bundle = export_bundle(None)
    text = json.dumps(bundle)
    assert bundle["secrets"] is None
    assert not any(secret in text for secret in ALL_SECRETS)
    assert [c["name"] for c in bundle["connectors"]] == ["Helpdesk RT", "Jira Cloud", "Ops GitLab"]


def test_bundle_with_passphrase_round_trips_connectors_categories_and_secrets(connectors):
    original = {c.name: connector_secrets(c) for c in connectors}
    text = json.dumps(export_bundle(None, PASSPHRASE))
    assert not any(secret in text for secret in ALL_SECRETS)
    wipe()
    result = import_bundle(None, text, passphrase=PASSPHRASE)
    assert set(actions(result).values()) == {"create"}
    restored = {c.name: c for c in db.session.scalars(db.select(Connector))}
    assert {name: connector_secrets(c) for name, c in restored.items()} == original
    assert [(c.name, c.label) for c in restored["Ops GitLab"].categories] == [("Bug", "bug")]
    assert restored["Helpdesk RT"].disabled is True


def test_second_import_leaves_everything_unchanged(connectors):
    text = json.dumps(export_bundle(None, PASSPHRASE))
    wipe()
    import_bundle(None, text, passphrase=PASSPHRASE)
    again = import_bundle(None, text, passphrase=PASSPHRASE)
    assert set(actions(again).values()) == {"unchanged"}


def test_import_of_its_own_export_changes_nothing(connectors):
    result = import_bundle(None, export_bundle(None))
    assert result.counts() == {"create": 0, "update": 0, "unchanged": 3}


def test_dry_run_shows_create_update_unchanged_and_applies_nothing(connectors):
    bundle = export_bundle(None)
    bundle["connectors"][0]["params"]["rt_queue"] = "Other"  # Helpdesk RT
    bundle["connectors"][1]["name"] = "Jira Staging"
    result = import_bundle(None, bundle, dry_run=True)
    assert actions(result) == {
        "Helpdesk RT": "update",
        "Jira Staging": "create",
        "Ops GitLab": "unchanged",
    }
    assert result.items[0].changed == ["params"]
    assert db.session.scalar(db.select(Connector).filter_by(name="Jira Staging")) is None


def test_update_without_secrets_keeps_the_stored_ones(connectors):
    bundle = export_bundle(None)
    bundle["connectors"][2]["params"]["gitlab_project"] = "group/other"
    import_bundle(None, bundle)
    gitlab = db.session.scalar(db.select(Connector).filter_by(name="Ops GitLab"))
    assert gitlab.params["gitlab_project"] == "group/other"
    assert connector_secrets(gitlab)["issue_tracker_api_token"] == GITLAB_TOKEN


def test_creating_without_secrets_names_the_missing_ones(connectors):
    bundle = export_bundle(None)
    wipe()
    with pytest.raises(ValidationFailed) as caught:
        import_bundle(None, bundle)
    assert "connectors.2.params.issue_tracker_api_token" in caught.value.errors
    assert db.session.scalar(db.select(Connector)) is None  # nothing applied


def test_wrong_passphrase_is_a_clear_error(connectors):
    bundle = export_bundle(None, PASSPHRASE)
    with pytest.raises(ValidationFailed) as caught:
        import_bundle(None, bundle, passphrase="not the passphrase at all")
    assert caught.value.errors == {"passphrase": [WRONG_PASSPHRASE]}


def test_secrets_export_and_import_are_audited(connectors):
    bundle = export_bundle(None, PASSPHRASE)
    import_bundle(None, bundle, passphrase=PASSPHRASE)
    recorded = [entry.action for entry in db.session.scalars(db.select(AuditEntry))]
    assert "connectors.export_secrets" in recorded
    assert "connectors.import" in recorded


def test_changes_from_a_bundle_are_marked_as_an_import(connectors, monkeypatch):
    from webapp.services import connectors as service
    from webapp.services.change_context import current_via

    seen = []
    original = service.update_connector

    def spy(actor, connector, changes: ConnectorChanges):
        seen.append(current_via())
        return original(actor, connector, changes)

    monkeypatch.setattr("webapp.services.bundles.update_connector", spy)
    bundle = export_bundle(None)
    bundle["connectors"][0]["params"]["rt_queue"] = "Other"
    import_bundle(None, bundle)
    assert seen == ["import"]


def test_not_a_bundle_and_future_versions_are_refused(app):
    with pytest.raises(ValidationFailed) as caught:
        import_bundle(None, {"connectors": []})
    assert "bundle" in caught.value.errors
    with pytest.raises(ValidationFailed) as caught:
        import_bundle(None, {"format": "connector-desk-bundle", "version": 99, "connectors": []})
    assert "bundle.version" in caught.value.errors


def test_a_bundle_cannot_ask_for_an_expensive_key_derivation(connectors):
    bundle = export_bundle(None, PASSPHRASE)
    bundle["secrets"]["n"] = 2**30
    with pytest.raises(ValidationFailed) as caught:
        import_bundle(None, bundle, passphrase=PASSPHRASE)
    assert list(caught.value.errors) == ["bundle.secrets.n"]
