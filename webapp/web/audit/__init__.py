from flask import Blueprint

bp = Blueprint("audit", __name__)

from webapp.web.audit import routes  # noqa: E402,F401
