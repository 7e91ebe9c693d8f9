from flask import Blueprint

bp = Blueprint("connectors", __name__)

from webapp.web.connectors import history, routes, testing  # noqa: E402,F401
