"""The REST API, compatible with the SD Elements issue-tracker connector API."""

from flask import Blueprint, Flask

bp = Blueprint("api", __name__, url_prefix="/api/v2")


def init_app(app: Flask) -> None:
    from webapp.api import (  # noqa: F401
        auth,
        connectors,
        docs,
        errors,
        notification_channels,
        openapi,
        systems,
        tickets,
        transfers,
    )
    from webapp.extensions import csrf

    # Only a token authenticates the API, never the session cookie, so a forged
    # cross-site request carries no credentials and CSRF tokens have nothing to protect.
    csrf.exempt(bp)
    app.register_blueprint(bp)
    app.register_blueprint(docs.bp)
