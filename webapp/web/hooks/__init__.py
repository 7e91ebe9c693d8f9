"""``POST /hooks/<hook id>``: signed events from trackers (no session, no CSRF)."""

from flask import Blueprint

bp = Blueprint("hooks", __name__)

from webapp.web.hooks import routes  # noqa: E402,F401
