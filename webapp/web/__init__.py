"""HTML blueprints."""

from flask import Flask


def init_app(app: Flask) -> None:
    from webapp.http import request_input
    from webapp.web import errors, health, metrics, security_headers, templating
    from webapp.web.audit import bp as audit_bp
    from webapp.web.auth import bp as auth_bp
    from webapp.web.connectors import bp as connectors_bp
    from webapp.web.dashboard import bp as dashboard_bp
    from webapp.web.hooks import bp as hooks_bp
    from webapp.web.integrations import bp as integrations_bp
    from webapp.web.notifications import bp as notifications_bp
    from webapp.web.tickets import bp as tickets_bp
    from webapp.web.users import bp as users_bp

    blueprints = (
        auth_bp,
        dashboard_bp,
        connectors_bp,
        tickets_bp,
        notifications_bp,
        users_bp,
        audit_bp,
        integrations_bp,
        hooks_bp,
        health.bp,
        metrics.bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    errors.init_app(app)
    request_input.init_app(app)
    templating.init_app(app)
    security_headers.init_app(app)
