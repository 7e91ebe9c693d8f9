"""Connector Desk: a dashboard for issue-tracker connectors."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from webapp.config import DEFAULTS, settings_from_environment

__version__ = "0.1.0"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application; ``config`` overrides settings read from the environment."""
    config = dict(config or {})
    instance_path = config.pop("INSTANCE_PATH", None) or os.environ.get(
        "INSTANCE_PATH", str(PROJECT_ROOT / "instance")
    )
    app = Flask(
        __name__,
        instance_path=str(Path(instance_path).resolve()),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.update(DEFAULTS)
    app.config.update(settings_from_environment(app.instance_path))
    app.config.update(config)

    from webapp import api, commands, extensions, log_redaction, observability, web
    from webapp.ids import IdConverter
    from webapp.services import systems

    # Before any blueprint adds rules: every id in a URL goes through one range check.
    app.url_map.converters["id"] = IdConverter
    log_redaction.init_app(app)
    observability.init_app(app)  # before the login guard: every request gets an id
    extensions.init_app(app)
    systems.init_app(app)
    web.init_app(app)
    api.init_app(app)
    commands.init_app(app)
    if app.config.get("PROXY_FIX_X_FOR") or app.config.get("PROXY_FIX_X_PROTO"):
        # Trust only as many forwarding proxies as configured: clients can forge the rest.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app,
            x_for=app.config["PROXY_FIX_X_FOR"],
            x_proto=app.config["PROXY_FIX_X_PROTO"],
        )
    return app
