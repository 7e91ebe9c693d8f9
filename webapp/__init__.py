"""Connector Desk: a dashboard for issue-tracker connectors.

``create_app`` is a list of named steps; each module it wires keeps its own set-up.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from webapp.about import PROJECT_ROOT
from webapp.config import DEFAULTS, settings_from_environment


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application; ``config`` overrides settings read from the environment."""
    app = build_flask_app(dict(config or {}))
    register_url_converters(app)
    configure_logging(app)
    register_extensions(app)
    register_access_rules(app)
    register_systems(app)
    register_blueprints(app)
    register_commands(app)
    trust_proxies(app)
    return app


def build_flask_app(config: dict[str, Any]) -> Flask:
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
    return app


def register_url_converters(app: Flask) -> None:
    """Before any blueprint adds rules: every id in a URL goes through one range check."""
    from webapp.ids import IdConverter

    app.url_map.converters["id"] = IdConverter


def configure_logging(app: Flask) -> None:
    """Credentials masked in every log record; request ids and metrics for every request
    (before the login guard, so a redirected request is counted and named too)."""
    from webapp import log_redaction, observability

    log_redaction.init_app(app)
    observability.init_app(app)


def register_extensions(app: Flask) -> None:
    """Bind the unbound extension objects of ``webapp.extensions`` to ``app``."""
    from webapp import models  # noqa: F401  (register the tables with the metadata)
    from webapp.extensions import db, login_manager, migrate
    from webapp.http.sessions import SecureWhenHttpsSessionInterface
    from webapp.models.liveness import ping_idle_connections
    from webapp.models.search_index import compared_with_models

    ping_idle_connections()
    db.init_app(app)
    # Batch mode lets SQLite alter tables; compare_type keeps the schema test strict.
    migrate.init_app(
        app,
        db,
        directory=str(PROJECT_ROOT / "migrations"),
        render_as_batch=True,
        compare_type=True,
        include_object=compared_with_models,
    )
    login_manager.init_app(app)
    app.session_interface = SecureWhenHttpsSessionInterface()


def register_access_rules(app: Flask) -> None:
    """The login guard runs before CSRF checks, so a stranger gets the login page, not 400."""
    from webapp.extensions import csrf
    from webapp.http.access import install_login_guard
    from webapp.services import rate_limits

    install_login_guard(app)
    csrf.init_app(app)
    rate_limits.init_app(app)  # one limiter per app: its memory storage is not shared


def register_systems(app: Flask) -> None:
    from webapp.services import systems

    systems.init_app(app)


def register_blueprints(app: Flask) -> None:
    from webapp import api, web

    web.init_app(app)
    api.init_app(app)


def register_commands(app: Flask) -> None:
    from webapp import commands

    commands.init_app(app)


def trust_proxies(app: Flask) -> None:
    """Trust only as many forwarding proxies as configured: clients can forge the rest."""
    if app.config.get("PROXY_FIX_X_FOR") or app.config.get("PROXY_FIX_X_PROTO"):
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app,
            x_for=app.config["PROXY_FIX_X_FOR"],
            x_proto=app.config["PROXY_FIX_X_PROTO"],
        )
