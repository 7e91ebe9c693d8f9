"""SystemRegistry: built-ins, lookups and plugin entry points."""

import logging
from dataclasses import dataclass
from typing import Any

import pytest

from webapp.schema.fields import Field
from webapp.trackers import registry as registry_module
from webapp.trackers.registry import SystemRegistry, UnknownSystem, build_registry
from webapp.trackers.system import System

PLUGIN = System(
    id="youtrack",
    short_name="YouTrack",
    name="YouTrack",
    description="",
    docs_url="",
    fields=(Field("youtrack_project", "Project"),),
)


@dataclass
class FakeEntryPoint:
    """Stands in for importlib.metadata.EntryPoint: only name, value and load()."""

    name: str
    value: str
    loader: Any

    def load(self):
        return self.loader()


def raise_import_error():
    raise ImportError("No module named 'youtrack_sdk'")


@pytest.fixture
def installed_plugins(monkeypatch):
    """Pretend these entry points are installed beside the built-in ones (and no other
    plugin); returns the list to fill."""
    plugins: list[FakeEntryPoint] = []
    groups: list[str] = []

    real_entry_points = registry_module.entry_points

    def fake_entry_points(*, group):
        groups.append(group)
        builtins = [ep for ep in real_entry_points(group=group) if registry_module.is_builtin(ep)]
        return [*builtins, *plugins]

    monkeypatch.setattr(registry_module, "entry_points", fake_entry_points)
    return plugins, groups


def test_builtins_are_listed_sorted_by_name():
    assert build_registry(load_plugins=False).ids() == ["github", "gitlab", "jira", "rt"]
    assert [s.name for s in build_registry(load_plugins=False)] == [
        "GitHub",
        "GitLab",
        "Jira",
        "Request Tracker",
    ]


def test_get_returns_the_registered_system():
    assert build_registry(load_plugins=False).get("jira").short_name == "Jira"


def test_unknown_id_raises_a_key_error_listing_known_ids():
    with pytest.raises(UnknownSystem) as excinfo:
        build_registry(load_plugins=False).get("bugzilla")
    assert isinstance(excinfo.value, KeyError)
    assert excinfo.value.known == ["github", "gitlab", "jira", "rt"]
    assert "bugzilla" in str(excinfo.value)


def test_registering_the_same_id_twice_is_an_error():
    registry = SystemRegistry()
    registry.register(PLUGIN)
    with pytest.raises(ValueError, match="youtrack"):
        registry.register(PLUGIN)


def test_plugins_are_looked_up_in_the_connector_desk_group(installed_plugins):
    _plugins, groups = installed_plugins
    build_registry()
    assert groups == ["connector_desk.systems"]


def test_build_registry_without_plugins_loads_only_the_builtin_entry_points(installed_plugins):
    plugins, _groups = installed_plugins
    plugins.append(FakeEntryPoint("youtrack", "cd_youtrack:SYSTEM", lambda: PLUGIN))
    assert build_registry(load_plugins=False).ids() == ["github", "gitlab", "jira", "rt"]


def test_builtin_systems_register_through_the_plugin_entry_point_group():
    from importlib.metadata import entry_points

    values = {ep.name: ep.value for ep in entry_points(group="connector_desk.systems")}
    assert values["github"] == "webapp.trackers.github:GITHUB"
    assert {"github", "gitlab", "jira", "rt"} <= values.keys()


def test_a_broken_builtin_fails_loudly(installed_plugins):
    plugins, _groups = installed_plugins
    plugins.append(FakeEntryPoint("bad", "webapp.trackers.bad:BAD", raise_import_error))
    with pytest.raises(ImportError):
        build_registry()


def test_no_registered_system_is_logged_as_an_error(monkeypatch, caplog):
    monkeypatch.setattr(registry_module, "entry_points", lambda *, group: [])
    with caplog.at_level(logging.ERROR, logger=registry_module.__name__):
        assert len(build_registry()) == 0
    assert "pip install -e ." in caplog.text


def test_plugin_exposing_a_system_instance_is_registered(installed_plugins):
    plugins, _groups = installed_plugins
    plugins.append(FakeEntryPoint("youtrack", "cd_youtrack:SYSTEM", lambda: PLUGIN))
    registry = build_registry()
    assert registry.get("youtrack") is PLUGIN
    assert registry.ids() == ["github", "gitlab", "jira", "rt", "youtrack"]


def test_plugin_exposing_a_factory_is_called(installed_plugins):
    plugins, _groups = installed_plugins
    plugins.append(FakeEntryPoint("youtrack", "cd_youtrack:make_system", lambda: lambda: PLUGIN))
    assert "youtrack" in build_registry()


def test_load_entry_points_returns_the_systems_it_added(installed_plugins):
    plugins, _groups = installed_plugins
    plugins.append(FakeEntryPoint("youtrack", "cd_youtrack:SYSTEM", lambda: PLUGIN))
    assert SystemRegistry().load_entry_points()[-1] is PLUGIN


def test_plugin_that_fails_to_load_is_logged_and_skipped(installed_plugins, caplog):
    plugins, _groups = installed_plugins
    plugins.append(FakeEntryPoint("broken", "cd_broken:SYSTEM", raise_import_error))
    plugins.append(FakeEntryPoint("youtrack", "cd_youtrack:SYSTEM", lambda: PLUGIN))
    with caplog.at_level(logging.WARNING, logger=registry_module.__name__):
        registry = build_registry()
    assert "broken" not in registry.ids() and "youtrack" in registry
    [record] = caplog.records
    assert "'broken'" in record.getMessage()
    assert "No module named 'youtrack_sdk'" in record.getMessage()


def test_plugin_returning_the_wrong_type_is_logged_and_skipped(installed_plugins, caplog):
    plugins, _groups = installed_plugins
    plugins.append(FakeEntryPoint("wrong", "cd_wrong:make", lambda: lambda: {"id": "wrong"}))
    with caplog.at_level(logging.WARNING, logger=registry_module.__name__):
        registry = build_registry()
    assert registry.ids() == ["github", "gitlab", "jira", "rt"]
    assert "expected a System, got dict" in caplog.records[0].getMessage()


def test_plugin_factory_that_raises_is_logged_and_skipped(installed_plugins, caplog):
    def factory():
        raise RuntimeError("missing setting YOUTRACK_URL")

    plugins, _groups = installed_plugins
    plugins.append(FakeEntryPoint("youtrack", "cd_youtrack:factory", lambda: factory))
    with caplog.at_level(logging.WARNING, logger=registry_module.__name__):
        registry = build_registry()
    assert "youtrack" not in registry
    assert "missing setting YOUTRACK_URL" in caplog.records[0].getMessage()


def test_plugin_reusing_a_builtin_id_is_logged_and_skipped(installed_plugins, caplog):
    impostor = System("github", "Hub", "Impostor", "", "", fields=())
    plugins, _groups = installed_plugins
    plugins.append(FakeEntryPoint("impostor", "cd_impostor:SYSTEM", lambda: impostor))
    with caplog.at_level(logging.WARNING, logger=registry_module.__name__):
        registry = build_registry()
    assert registry.get("github").name == "GitHub"
    assert "already registered" in caplog.records[0].getMessage()
