"""HTML blueprints."""

from flask import Flask


def init_app(app: Flask) -> None:
    from webapp.web import errors, health, templating
    from webapp.web.auth import bp as auth_bp
    from webapp.web.connectors import bp as connectors_bp
    from webapp.web.dashboard import bp as dashboard_bp
    from webapp.web.users import bp as users_bp

    for blueprint in (auth_bp, dashboard_bp, connectors_bp, users_bp, health.bp):
        app.register_blueprint(blueprint)
    errors.init_app(app)
    templating.init_app(app)
