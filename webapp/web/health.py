"""Liveness for load balancers: answers only after the database answers.

``rate_limits`` says whether brute-force limits work: while their storage (Redis) is
down the app still serves (200), with ``status`` "degraded".
"""

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from webapp.extensions import db
from webapp.http.access import public
from webapp.services import rate_limits

bp = Blueprint("health", __name__)


@bp.route("/healthz")
@public
def healthz():
    limits = "ok" if rate_limits.storage_available() else "unavailable"
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable", rate_limits=limits), 503
    return jsonify(status="ok" if limits == "ok" else "degraded", rate_limits=limits)
