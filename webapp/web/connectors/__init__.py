from flask import Blueprint

bp = Blueprint("connectors", __name__)

from webapp.web.connectors import pickers, routes, testing  # noqa: E402,F401
