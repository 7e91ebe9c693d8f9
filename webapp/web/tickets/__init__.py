from flask import Blueprint

bp = Blueprint("tickets", __name__)

from webapp.web.tickets import routes  # noqa: E402,F401
