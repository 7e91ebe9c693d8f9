from flask import Blueprint

bp = Blueprint("users", __name__)

from webapp.web.users import routes  # noqa: E402,F401
