"""Systems added by third parties through the connector_desk.systems entry point group."""

from importlib.metadata import EntryPoint

import pytest

from tests.support.client import FormClient
from tests.support.connector_data import FORM_PARAMS
from webapp import create_app
from webapp.extensions import db
from webapp.models import Connector
from webapp.trackers import registry as registry_module


@pytest.fixture
def plugin_app(app_config, monkeypatch):
    installed = [
        EntryPoint("youtrack", "tests.support.plugin_system:YOUTRACK", "connector_desk.systems"),
        EntryPoint("broken", "tests.support.no_such_module:SYSTEM", "connector_desk.systems"),
    ]

    real_entry_points = registry_module.entry_points

    def entry_points(*, group):
        builtins = [ep for ep in real_entry_points(group=group) if registry_module.is_builtin(ep)]
        return [*builtins, *(ep for ep in installed if ep.group == group)]

    monkeypatch.setattr(registry_module, "entry_points", entry_points)
    app = create_app(app_config)
    app.test_client_class = FormClient
    yield app
    with app.app_context():
        db.engine.dispose()  # its own engine: left open, PostgreSQL connections leak


def test_plugin_system_appears_in_the_picker_and_its_form_works(app, plugin_app, admin):
    client = plugin_app.test_client()
    client.submit("/login", {"email": admin.email, "password": "correct horse battery staple"})
    picker = client.get("/connectors/new").get_data(as_text=True)
    assert "YouTrack (plugin)" in picker
    assert "broken" not in picker
    form_page = client.get("/connectors/new/youtrack").get_data(as_text=True)
    assert "Project short name" in form_page
    data = {
        "name": "YouTrack",
        "issue_tracker_server": "youtrack.example.com",
        "issue_tracker_method": "https",
        "issue_tracker_validate_cert": "y",
        "issue_tracker_api_token": FORM_PARAMS["gitlab"]["issue_tracker_api_token"],
        "youtrack_project": "",
    }
    assert "This field is required." in client.submit("/connectors/new/youtrack", data).get_data(
        as_text=True
    )
    data["youtrack_project"] = "OPS"
    assert client.submit("/connectors/new/youtrack", data).status_code == 302
    assert db.session.scalar(db.select(Connector)).params["youtrack_project"] == "OPS"


def test_broken_plugin_is_logged_and_skipped(plugin_app, caplog):
    setup_logs = "\n".join(record.getMessage() for record in caplog.get_records("setup"))
    assert "Skipping systems plugin 'broken' (tests.support.no_such_module:SYSTEM)" in setup_logs
    with plugin_app.app_context():
        from webapp.services.systems import registry

        assert "youtrack" in registry() and "broken" not in registry()
