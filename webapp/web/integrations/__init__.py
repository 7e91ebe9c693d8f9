from flask import Blueprint

bp = Blueprint("integrations", __name__)

from webapp.web.integrations import routes  # noqa: E402,F401
