from flask import Blueprint

bp = Blueprint("connectors", __name__)

from webapp.web.connectors import routes, testing, webhook  # noqa: E402,F401
