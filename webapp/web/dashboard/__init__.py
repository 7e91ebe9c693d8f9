from flask import Blueprint

bp = Blueprint("dashboard", __name__)

from webapp.web.dashboard import routes  # noqa: E402,F401
