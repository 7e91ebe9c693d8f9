from flask import Blueprint

bp = Blueprint("connectors", __name__)

from webapp.web.connectors import (  # noqa: E402,F401
    history,
    pickers,
    routes,
    testing,
    transfers,
    webhook,
)
