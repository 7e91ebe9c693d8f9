"""The app's registry of tracker systems, built once at start-up."""

from __future__ import annotations

from flask import Flask, current_app

from webapp.services.errors import NotFound
from webapp.trackers.registry import SystemRegistry, UnknownSystem, build_registry
from webapp.trackers.system import System

EXTENSION_KEY = "connector_desk.systems"


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION_KEY] = build_registry(
        load_plugins=app.config.get("LOAD_PLUGINS", True)
    )


def registry() -> SystemRegistry:
    return current_app.extensions[EXTENSION_KEY]


def get_system(system_id: str) -> System:
    """The system with this id; NotFound (naming the known ids) otherwise."""
    try:
        return registry().get(system_id)
    except UnknownSystem as error:
        raise NotFound(str(error), field="system") from None
